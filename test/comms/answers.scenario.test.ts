import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { loadScenario, parseScenario } from '../../src/scenario/load.js';

/** The persona-line fields of issue 15 in the scenario: expects, answerWithin, followUps, escalation. */

const minimal = readFileSync(fromRoot('test/fixtures/scenarios/minimal.yaml'), 'utf8');
const LINE = `      - persona: cto
        on: injected
        after: 4m
        expectsAnswer: true
        text: { en: What is going on?, ja: どうなっている？ }`;
const withLine = (yaml: string) => {
  if (!minimal.includes(LINE)) throw new Error('minimal.yaml changed: update this test');
  return minimal.replace(LINE, yaml);
};
const parse = (yaml: string) => parseScenario(withLine(yaml), 'inline.yaml');

describe('persona lines: expects, answerWithin, followUps, escalation', () => {
  it('fills the defaults: expects makes the line a question, the window is ctoAnswer.zeroAt, one follow-up', () => {
    const r = parse(`      - persona: cto
        on: injected
        expects: [eta, impact]
        text: { en: When?, ja: いつ？ }`);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.scenario.faults[0]!.personas[0]).toMatchObject({ expectsAnswer: true, expects: ['eta', 'impact'], answerWithinMs: 8 * 60_000, followUps: { max: 1, lines: [] } });
    expect(r.scenario.faults[0]!.personas[0]!.escalation).toBeUndefined();
  });

  it('reads answerWithin, followUps and escalation', () => {
    const r = parse(`      - persona: cto
        on: injected
        expects: [decision]
        answerWithin: 5m
        followUps:
          max: 2
          lines:
            - { missing: decision, text: { en: Which is it?, ja: で、どうするの？ } }
        escalation: { en: Nobody answers?, ja: 誰も答えないのか？ }
        text: { en: Wait or roll back?, ja: 待つのか、戻すのか？ }`);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.scenario.faults[0]!.personas[0]).toMatchObject({
      answerWithinMs: 5 * 60_000,
      followUps: { max: 2, lines: [{ missing: 'decision', text: { en: 'Which is it?', ja: 'で、どうするの？' } }] },
      escalation: { en: 'Nobody answers?', ja: '誰も答えないのか？' },
    });
  });

  it.each([
    ['an unknown element', `expects: [eta, when]`, /expects\[1\]: must be one of: eta, impact/],
    ['an element listed twice', `expects: [eta, eta]`, /'eta' is listed twice/],
    ['expects on a line that is not a question', `expectsAnswer: false\n        expects: [eta]`, /needs expectsAnswer: true/],
    ['followUps on a line that is not a question', `followUps: { max: 1 }`, /followUps: is only for a question/],
    ['an escalation on a line that is not a question', `escalation: { en: Hey, ja: おい }`, /escalation: is only for a question/],
    ['too many follow-ups', `expects: [eta]\n        followUps: { max: 9 }`, /followUps\.max/],
    ['a zero answer window', `expects: [eta]\n        answerWithin: 0s`, /answerWithin: must be more than 0/],
  ])('refuses %s, naming the line', (_what, fields, message) => {
    const r = parse(`      - persona: cto
        on: injected
        ${fields}
        text: { en: When?, ja: いつ？ }`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(message);
  });

  it('the default scenario gives its questions expects, follow-ups in character and escalations', () => {
    const s = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
    const questions = s.faults.flatMap((f) => f.personas.filter((l) => l.expectsAnswer));
    expect(questions.length).toBeGreaterThan(8);
    for (const l of questions) expect(l.expects.length, l.text.en).toBeGreaterThan(0);
    // The off-target advice is a question whose good answer is a decision with a reason.
    const restart = s.faults[0]!.personas.find((l) => /restarting everything/.test(l.text.en))!;
    expect(restart.expects).toEqual(['decision', 'cause']);
    expect(questions.some((l) => l.followUps.lines.some((x) => x.text.ja.startsWith('で、いつ直るの？')))).toBe(true);
    expect(questions.filter((l) => l.persona === 'cto').every((l) => l.escalation)).toBe(true);
  });
});
