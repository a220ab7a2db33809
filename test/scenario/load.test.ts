import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { loadScenario, parseDuration, parseScenario, ScenarioError, scenarioJsonSchema } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';

const fixture = (name: string) => fromRoot('test/fixtures/scenarios', name);
const DEFAULT = fromRoot('challenges/chat-service/scenario.yaml');

function parseFixture(name: string) {
  return parseScenario(readFileSync(fixture(name), 'utf8'), name);
}

function ok(text: string, file = 'inline.yaml'): Scenario {
  const r = parseScenario(text, file);
  if (!r.ok) throw new Error(r.problems.join('\n'));
  return r.scenario;
}

describe('the default scenario (challenges/chat-service/scenario.yaml)', () => {
  const s = loadScenario(DEFAULT);

  it('validates, with three faults in the agreed order and the three probes', () => {
    expect(s.name).toBe('chat-service');
    expect(s.faults.map((f) => [f.id, f.alerting])).toEqual([
      ['site-unreachable', 'pagerduty'],
      ['database-unreachable', 'silent'],
      ['garbled-messages', 'pagerduty'],
    ]);
    expect(s.probes.map((p) => [p.id, p.kind])).toEqual([
      ['page', 'http'],
      ['api', 'http'],
      ['canary', 'canary'],
    ]);
    expect(readFileSync(DEFAULT, 'utf8').split('\n')[0]).toBe('$schema: ../scenario.schema.json');
    expect(s.service.platform).toBe(fromRoot('challenges/chat-service/platform.yaml'));
  });

  it('writes its faults against the team manifest and the releases that exist', () => {
    const [f1, f2, f3] = s.faults;
    expect(f1!.inject.local).toMatchObject({ change: { set: { 'ingress.routes.1.port': 8081 } } });
    expect(f2!.inject.local).toMatchObject({ change: { set: { 'networkPolicies.0.action': 'deny' }, dropConnections: true } });
    expect(f3!.inject.local).toMatchObject({ rollout: { component: 'backend', version: '1.5.0' } });
    expect(f1!.recoveredWhen).toContain('page');
    expect(f3!.recoveredWhen).toEqual(['canary']);
  });

  it('probes the page title, the API health as JSON and a canary with Japanese and emoji', () => {
    const [page, api, canary] = s.probes;
    expect(page).toMatchObject({ kind: 'http', path: '/', expect: { status: [200] } });
    if (page!.kind !== 'http') throw new Error('page must be http');
    expect(new RegExp(page!.expect.bodyMatches!).test('<html><head><title>Firedrill Chat</title>')).toBe(true);
    expect(api).toMatchObject({ kind: 'http', path: '/api/health', expect: { status: [200], json: [{ path: 'status', equals: 'ok' }] } });
    expect(canary).toMatchObject({ kind: 'canary', room: '__canary', writePath: '/api/messages' });
    if (canary!.kind !== 'canary') throw new Error('canary must be canary');
    expect(canary!.text).toContain('{n}');
    expect(canary!.text).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u);
    expect(canary!.text).toMatch(/\p{Extended_Pictographic}/u);
  });

  it('gives every fault text in both languages, hints with costs, and persona lines for CTO, support and an affected owner', () => {
    for (const f of s.faults) {
      for (const t of [f.title, f.briefing.organizer, f.briefing.team!]) {
        expect(t.en.length).toBeGreaterThan(5);
        expect(t.ja).toMatch(/[\u3040-\u30ff\u4e00-\u9fff]/u);
      }
      expect(f.hints.length).toBeGreaterThanOrEqual(1);
      expect(f.hints.every((h) => h.cost > 0)).toBe(true);
      expect(f.personas.some((l) => l.persona === 'cto' && l.expectsAnswer)).toBe(true);
      expect(f.timing.deadlineMs).toBeGreaterThanOrEqual(25 * 60_000);
      expect(f.timing.targetRecoveryMs).toBe(20 * 60_000);
    }
    expect(s.personas.map((p) => p.id)).toEqual(['cto', 'support', 'partner']);
    // A silent fault needs someone to notice: the affected owner speaks before the CTO does.
    expect(s.faults[1]!.personas[0]).toMatchObject({ persona: 'partner', on: 'injected' });
  });

  it('fits a game of about ninety minutes at speed 1, even when every fault runs to its deadline', () => {
    const worst = s.faults.reduce((t, f) => t + f.timing.delayMaxMs + f.timing.deadlineMs, 0);
    expect(s.game.durationMs).toBe(90 * 60_000);
    expect(worst).toBeLessThanOrEqual(100 * 60_000);
  });
});

describe('broken scenarios: every problem as FILE:LINE: PATH: message', () => {
  const cases: Array<[string, string[]]> = [
    ['wrong-enum.yaml', ["wrong-enum.yaml:36: faults[0].alerting: must be one of: pagerduty, silent (got 'pager')"]],
    ['missing-field.yaml', ['missing-field.yaml:37: faults[0].timing.deadline: is required']],
    ['unknown-probe.yaml', ["unknown-probe.yaml:46: faults[0].recoveredWhen[1]: unknown probe 'cannary' (did you mean 'canary'? known: page, api, canary)"]],
    ['bad-duration.yaml', ["bad-duration.yaml:39: faults[0].timing.deadline: must be a duration such as 250ms, 30s, 5m, 1h (got '30 minutes')"]],
    ['delay-order.yaml', ['delay-order.yaml:38: faults[0].timing.delay: min (10m) must not be more than max (2m)']],
    ['bad-regex.yaml', ['bad-regex.yaml:13: probes[0].expect.bodyMatches: not a valid regular expression: Unterminated group']],
    ['duplicate-id.yaml', ["duplicate-id.yaml:55: faults[1].id: duplicate fault id 'unreachable' (first at faults[0])"]],
    ['deep-type.yaml', ["deep-type.yaml:48: faults[0].hints[0].cost: must be a whole number (got 'fifty')"]],
    ['yaml-syntax.yaml', ['yaml-syntax.yaml:39: yaml: Flow map in block collection must be sufficiently indented and end with a }']],
    [
      'unknown-field.yaml',
      ['unknown-field.yaml:32: faults[0].recoveredWhen: is required', "unknown-field.yaml:46: faults[0].recoverdWhen: unknown field (did you mean 'recoveredWhen'?)"],
    ],
    ['no-local.yaml', ['no-local.yaml:41: faults[0].inject.exec.inject: must have exactly one of: command (a list, run without a shell) or shell (a script)']],
    ['unknown-kind.yaml', ["unknown-kind.yaml:9: probes[0].kind: must be one of: http, tcp, canary, browser (got 'htp')"]],
    ['unknown-persona.yaml', ["unknown-persona.yaml:50: faults[0].personas[0].persona: unknown persona 'ceo' (did you mean 'cto'? known: cto)"]],
    ['bad-action.yaml', ['bad-action.yaml:41: faults[0].inject.local: must have one of: change, rollout']],
    [
      'several.yaml',
      [
        "several.yaml:12: probes[0].expect.status[1]: must be a status code or a range such as 200-299 (got '3xx')",
        "several.yaml:14: probes[1].id: must be a lower-case id: letters, digits, - and _ (got 'API')",
        "several.yaml:52: faults[0].personas[0].after: must be a duration such as 250ms, 30s, 5m, 1h (got 'soon')",
      ],
    ],
  ];

  it.each(cases)('%s', (name, expected) => {
    const r = parseFixture(name);
    expect(r.ok).toBe(false);
    expect(r.ok ? [] : r.problems).toEqual(expected);
  });

  it('the fixture they are copied from is valid', () => {
    expect(parseFixture('minimal.yaml').ok).toBe(true);
  });

  it('names the top when the file is not a mapping, and an empty file too', () => {
    expect(parseScenario('- just\n- a list\n', 'x.yaml')).toEqual({ ok: false, problems: ['x.yaml:1: (top): must be a mapping (got a list)'] });
    expect(parseScenario('', 'x.yaml')).toEqual({ ok: false, problems: ['x.yaml:1: (top): must be a mapping (it is empty)'] });
  });

  it('tells a quoted-number mistake how to fix it', () => {
    const text = readFileSync(fixture('minimal.yaml'), 'utf8').replace('author: someone', 'author: 1.5');
    expect(parseScenario(text, 'm.yaml')).toEqual({
      ok: false,
      problems: ['m.yaml:43: faults[0].inject.local.change.author: must be text (got 1.5; put it in quotes: "1.5")'],
    });
  });

  it('loadScenario throws a ScenarioError holding the same problems', () => {
    expect(() => loadScenario(fixture('wrong-enum.yaml'))).toThrow(ScenarioError);
    try {
      loadScenario(fixture('wrong-enum.yaml'));
    } catch (err) {
      expect((err as ScenarioError).problems).toEqual([`${fixture('wrong-enum.yaml')}:36: faults[0].alerting: must be one of: pagerduty, silent (got 'pager')`]);
    }
    expect(() => loadScenario('/nonexistent/scenario.yaml')).toThrow(/\/nonexistent\/scenario.yaml: cannot read the scenario: no such file/);
  });
});

describe('normalization', () => {
  const text = readFileSync(fixture('minimal.yaml'), 'utf8');
  const s = ok(text, 'test/fixtures/scenarios/minimal.yaml');

  it('fills probe defaults and converts durations to ms', () => {
    expect(s.probes[0]).toEqual({
      id: 'page',
      kind: 'http',
      path: '/',
      method: 'GET',
      headers: {},
      expect: { status: [200, [300, 399]], bodyMatches: '<title>' },
      intervalMs: 5000,
      timeoutMs: 2000,
      jitterMs: 1000,
      successThreshold: 2,
      failureThreshold: 2,
      holdForMs: 20_000,
    });
    // Its own interval wins; status defaults to any 2xx.
    expect(s.probes[1]).toMatchObject({ intervalMs: 2000, timeoutMs: 2000, expect: { status: [[200, 299]], json: [{ path: 'status', equals: 'ok' }] } });
  });

  it('fills fault defaults', () => {
    const f = s.faults[0]!;
    expect(f).toMatchObject({ index: 0, weight: 1, alertAfterMs: 60_000, hints: [{ id: 'look', cost: 50 }] });
    expect(f.timing).toEqual({ delayMinMs: 60_000, delayMaxMs: 120_000, deadlineMs: 1_800_000, targetRecoveryMs: 1_200_000, graceMs: 180_000, verifyWithinMs: 60_000 });
    expect(f.personas[0]).toEqual({
      persona: 'cto',
      on: 'injected',
      afterMs: 240_000,
      channel: 'incident',
      expectsAnswer: true,
      text: { en: 'What is going on?', ja: 'どうなっている？' },
      // A question without `expects`: any answer with substance covers it; no follow-ups.
      expects: [],
      answerWithinMs: 480_000,
      followUps: { max: 0, lines: [] },
    });
    // Issue 15: the business-side sign-off is on, alerts do not resolve themselves.
    expect(s.game).toEqual({ durationMs: 90 * 60_000, maxInjectAttempts: 2, signOff: true, signOffPersona: null, autoResolveAlerts: false });
  });

  it('fills the scoring defaults of design.md', () => {
    const sc = s.scoring;
    expect(sc.pointsPerFault).toBe(1000);
    expect(sc.categories).toEqual({ recovery: 35, detection: 15, communication: 30, review: 20 });
    expect(sc.recovery.floor).toBe(0.3);
    expect(sc.detection).toEqual({ alerting: { fullWithinMs: 120_000, zeroAtMs: 600_000 }, silent: { fullWithinMs: 180_000, zeroAtMs: 900_000 }, prematureResolvePenalty: 0.5 });
    expect(sc.communication).toMatchObject({
      automaticShare: 0.55,
      firstUpdate: { fullWithinMs: 300_000, zeroAtMs: 900_000 },
      ctoAnswer: { fullWithinMs: 120_000, zeroAtMs: 480_000 },
      requiredFields: ['impact', 'currentAction', 'nextUpdateAt'],
    });
    expect(sc.communication.rubric.map((r) => r.id)).toEqual(['accuracy', 'audience', 'cto', 'roles', 'proactive']);
    expect(sc.review.rubric.map((r) => r.id)).toEqual(['timeline', 'impact', 'root_cause', 'reflection', 'action_items']);
    expect(sc.availability.points).toBe(500);
  });

  it('keeps what the file sets and defaults the rest, field by field', () => {
    const s2 = ok(
      `${text}
game: { grace: 5m }
probeDefaults: { interval: 1.5s }
scoring:
  pointsPerFault: 2000
  categories: { review: 0 }
  detection: { silent: { fullWithin: 1m, zeroAt: 4m } }
`,
    );
    expect(s2.scoring.pointsPerFault).toBe(2000);
    expect(s2.scoring.categories).toEqual({ recovery: 35, detection: 15, communication: 30, review: 0 });
    expect(s2.scoring.detection.silent).toEqual({ fullWithinMs: 60_000, zeroAtMs: 240_000 });
    expect(s2.scoring.detection.alerting).toEqual({ fullWithinMs: 120_000, zeroAtMs: 600_000 });
    expect(s2.faults[0]!.timing.graceMs).toBe(300_000);
    expect(s2.probes[0]!.intervalMs).toBe(1500);
    expect(s2.probes[1]!.intervalMs).toBe(2000);
  });

  it('records the sha256 of the text and the absolute file', () => {
    expect(s.hash).toBe(createHash('sha256').update(text).digest('hex'));
    expect(s.file).toBe(fixture('minimal.yaml'));
  });

  it('parses durations', () => {
    expect([parseDuration('250ms'), parseDuration('30s'), parseDuration('1.5m'), parseDuration('2h')]).toEqual([250, 30_000, 90_000, 7_200_000]);
    expect(() => parseDuration('5 minutes')).toThrow();
  });
});

describe('the published JSON Schema', () => {
  it('is the committed challenges/scenario.schema.json, so it never drifts (regenerate: npm run schema:scenario)', () => {
    expect(readFileSync(fromRoot('challenges/scenario.schema.json'), 'utf8')).toBe(scenarioJsonSchema());
  });

  it('describes the fields editors complete', () => {
    const schema = JSON.parse(scenarioJsonSchema());
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'probes', 'faults']));
    expect(schema.properties.faults.items.properties.alerting.anyOf.map((a: { const: string }) => a.const)).toEqual(['pagerduty', 'silent']);
  });
});
