import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apply, createScore, freshBreakdowns, leaderboard, score } from '../../src/scoring/index.js';
import { buildEvents, buildScenario, type EventInput, type FaultInput } from './fixture.js';

/** Issue 15's acceptance on golden/04: communication can no longer be won without communicating. */
const file = join(dirname(fileURLToPath(import.meta.url)), 'golden', '04-communication-that-counts.yaml');
const g = parse(readFileSync(file, 'utf8')) as { scenario: { faults: FaultInput[] }; teams: string[]; events: EventInput[] };
const scenario = buildScenario(g.scenario);
const events = buildEvents(g.teams, g.events);

describe('automatic communication (issue 15 acceptance)', () => {
  const board = score(scenario, events);
  const auto = (team: string) => board.teams.find((t) => t.team === team)!.breakdown.faults[0]!.communication.automatic;

  it('ranks real > late > "." >= silent, and real is at least twice "."', () => {
    const [real, late, dot, silent] = ['real', 'late', 'dot', 'silent'].map((t) => auto(t).points) as [number, number, number, number];
    expect(real).toBeGreaterThan(late);
    expect(late).toBeGreaterThan(dot);
    expect(dot).toBeGreaterThanOrEqual(silent);
    expect(real).toBeGreaterThanOrEqual(2 * dot);
  });

  it('tells the "." team why, in both languages, with the findings of each question', () => {
    const a = auto('dot');
    expect(a.ctoAnswer.note).toBe('0 of 2 questions answered');
    // Both "." go to the oldest open question (a message without substance leaves it open).
    expect(a.ctoAnswer.questions!.map((q) => q.note.en)).toEqual(['no answer with substance (#20: only punctuation; #27: only punctuation)', 'unanswered']);
    expect(a.resolutionNotice.note).toContain('placeholder');
    expect(a.resolutionNotice.noteJa).toContain('中身のない定型句');
    expect(a.requiredFields.note).toContain('impact');
    const real = auto('real');
    expect(real.ctoAnswer.questions![0]!.findings!.map((f) => [f.element, f.found])).toEqual([
      ['eta', true],
      ['impact', true],
    ]);
  });

  it('keeps the cached breakdown equal to a fresh one after every event (memoised threading)', () => {
    const s = createScore(scenario);
    for (const e of events) {
      apply(s, e);
      const fresh = freshBreakdowns(s);
      for (const st of leaderboard(s).teams) expect(st.breakdown, `${st.team} after #${e.seq}`).toEqual(fresh.get(st.team));
    }
  });
});

describe('a PagerDuty status update is a status update', () => {
  const sc = buildScenario({ faults: [{ id: 'f', alerting: 'pagerduty' }] });
  const pd = (at: string, message: string): EventInput => ({ at, team: 'a', type: 'incident.status_update_published', data: { incident: 'P1', via: 'pagerduty', message, occurredAtWall: 0 } });
  const base: EventInput[] = [
    { at: '0s', type: 'game.started' },
    { at: '1m', team: 'a', type: 'fault.injected', data: { fault: 'f', deadlineAt: '46m' } },
  ];
  const auto = (evs: EventInput[]) => score(sc, buildEvents(['a'], [...base, ...evs])).teams[0]!.breakdown.faults[0]!.communication.automatic;

  it('counts for the first update, the fields read from its text, and a promised next update', () => {
    const a = auto([
      pd('3m', 'All users cannot send messages. We are rolling back the release. Next update in 10 minutes.'),
      pd('12m', 'Some users still see errors. We are restarting the database. Next update in 10 minutes.'),
    ]);
    expect(a.firstUpdate.share).toBe(1);
    expect(a.requiredFields.share).toBe(1);
    expect(a.cadence.note).toBe('1 of 2 promised updates kept');
  });

  it('reads a contentless one as empty', () => {
    const a = auto([pd('3m', 'x')]);
    expect(a.firstUpdate.share).toBe(0);
    expect(a.requiredFields.share).toBe(0);
  });
});

describe('an escalation flags the judges', () => {
  it('lists the escalation on the fault, beside each question\'s finding', () => {
    const sc = buildScenario({ faults: [{ id: 'f' }] });
    const evs = buildEvents(['a'], [
      { at: '0s', type: 'game.started' },
      { at: '1m', team: 'a', type: 'fault.injected', data: { fault: 'f', deadlineAt: '46m' } },
      { at: '2m', team: 'a', type: 'message.posted', data: { persona: 'cto', text: 'When is it back?', expectsAnswer: true, expects: ['eta'], answerWithinMs: 120000, fault: 'f' } },
      { at: '4m1s', team: 'a', type: 'message.posted', data: { persona: 'cto', text: 'I asked 2 minutes ago. Who is in charge?', kind: 'escalation', flagJudges: true, fault: 'f' } },
    ]);
    const cto = score(sc, evs).teams[0]!.breakdown.faults[0]!.communication.automatic.ctoAnswer;
    expect(cto.escalations).toEqual([evs.at(-1)!.seq]);
    expect(cto.questions).toEqual([{ seq: evs.at(-2)!.seq, share: 0, note: { en: 'unanswered', ja: '回答なし' } }]);
  });
});
