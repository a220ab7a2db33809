import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dueLines, lineEvent, personaKey } from '../../src/comms/index.js';
import type { EventData, EventType, StoredEvent } from '../../src/events/types.js';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { PersonaLine, Scenario } from '../../src/scenario/types.js';
import { hashToken } from '../../src/tokens.js';
import { testRuntime } from '../helpers.js';

const MIN = 60_000;
const base = loadScenario(fromRoot('test/fixtures/scenarios/minimal.yaml'));
const text = (en: string) => ({ en, ja: `${en}（日本語）` });
const line = (on: PersonaLine['on'], afterMin: number, en: string, extra: Partial<PersonaLine> = {}): PersonaLine => ({
  persona: 'cto',
  on,
  afterMs: afterMin * MIN,
  channel: 'incident',
  text: text(en),
  expectsAnswer: false,
  expects: [],
  answerWithinMs: 8 * MIN,
  followUps: { max: 0, lines: [] },
  ...extra,
});

/** The minimal scenario with one line per fault moment. */
const scenario: Scenario = {
  ...base,
  faults: [
    {
      ...base.faults[0]!,
      personas: [
        line('injected', 4, 'What is going on?', { expectsAnswer: true }),
        line('detected', 1, 'Who is on it?'),
        line('acknowledged', 2, 'Restart everything.'),
        line('no_update', 10, 'Where is the status update?', { expectsAnswer: true }),
        line('recovered', 0, 'Is it fixed?', { channel: 'stakeholders' }),
        line('resolved', 1, 'Postmortem, please.'),
      ],
    },
  ],
};

let seq = 0;
function ev<T extends EventType>(type: T, gameTime: number, data: EventData<T>, key: string | null = null, team = 't1'): StoredEvent {
  return { seq: ++seq, at: 0, gameTime, team, type, source: 'test', key, data } as StoredEvent;
}
const injected = (at: number, attempt = 1) => ev('fault.injected', at, { fault: 'unreachable', attempt, deadlineAt: at + 30 * MIN });
const keys = (events: StoredEvent[], now: number) => dueLines(scenario, events, now).map((d) => d.key);
const k = (i: number) => personaKey('t1', 'unreachable', i);

describe('dueLines (pure)', () => {
  it('has nothing to say before the fault happens', () => {
    expect(dueLines(scenario, [], 99 * MIN)).toEqual([]);
    expect(keys([ev('fault.armed', 0, { fault: 'unreachable', dueAt: MIN })], 99 * MIN)).toEqual([]);
  });

  it('makes a line due at its moment plus after, not a millisecond before', () => {
    const events = [injected(MIN)];
    expect(keys(events, 5 * MIN - 1)).toEqual([]);
    const [due] = dueLines(scenario, events, 5 * MIN);
    expect(due).toMatchObject({ key: k(0), team: 't1', fault: 'unreachable', index: 0, dueAt: 5 * MIN });
  });

  it('never repeats a line already posted (its key is in the log)', () => {
    const events = [injected(MIN), ev('message.posted', 5 * MIN, { channel: 'incident', author: { kind: 'persona', name: 'CTO' }, text: 'x' }, k(0))];
    expect(keys(events, 6 * MIN)).toEqual([]);
  });

  it('follows each moment of the fault', () => {
    const events = [injected(0), ev('fault.detected', 2 * MIN, { fault: 'unreachable', incident: 'i1', via: 'board', at: 2 * MIN })];
    expect(keys(events, 3 * MIN)).toEqual([k(1)]);
    events.push(ev('fault.acknowledged', 3 * MIN, { fault: 'unreachable', incident: 'i1', at: 3 * MIN }));
    expect(keys(events, 5 * MIN)).toEqual([k(1), k(0), k(2)]); // ordered by due time: 3m, 4m, 5m
    events.push(ev('fault.recovered', 6 * MIN, { fault: 'unreachable', greenSince: 5 * MIN }));
    expect(keys(events, 6 * MIN)).toContain(k(4));
    expect(keys(events, 6 * MIN)).not.toContain(k(5));
    events.push(ev('fault.resolved', 7 * MIN, { fault: 'unreachable', by: 'incident' }));
    expect(keys(events, 8 * MIN)).toContain(k(5));
  });

  it('no_update: due after `after` without a status update since the injection', () => {
    expect(keys([injected(MIN)], 11 * MIN)).toContain(k(3));
    // An update before the fault does not count; one inside the window does.
    const before = [ev('status.published', 0, { text: 'all good', resolved: false, by: { kind: 'team', name: 'a' } }), injected(MIN)];
    expect(keys(before, 11 * MIN)).toContain(k(3));
    const inside = [injected(MIN), ev('status.published', 9 * MIN, { text: 'looking', resolved: false, by: { kind: 'team', name: 'a' } })];
    expect(keys(inside, 11 * MIN)).not.toContain(k(3));
  });

  it('drops lines about an open fault once it is over, but still says the closing lines', () => {
    const events = [injected(0), ev('fault.recovered', MIN, { fault: 'unreachable', greenSince: MIN }), ev('fault.resolved', 2 * MIN, { fault: 'unreachable', by: 'grace' })];
    expect(keys(events, 20 * MIN)).toEqual([k(4), k(5)]);
    const timedOut = [injected(0), ev('fault.timed_out', 3 * MIN, { fault: 'unreachable' })];
    expect(keys(timedOut, 20 * MIN)).toEqual([]);
  });

  it('counts from the injection attempt that took', () => {
    const events = [injected(0, 1), ev('fault.injection_failed', MIN, { fault: 'unreachable', attempt: 1, reason: 'still green', retry: true }), injected(2 * MIN, 2)];
    expect(keys(events, 5 * MIN)).toEqual([]);
    expect(keys(events, 6 * MIN)).toEqual([k(0)]);
  });

  it('builds the message.posted event: persona author, both languages, fault, answer expected, idempotency key', () => {
    const [due] = dueLines(scenario, [injected(0)], 4 * MIN);
    expect(lineEvent(scenario, due!)).toEqual({
      type: 'message.posted',
      team: 't1',
      source: 'persona',
      key: k(0),
      data: {
        channel: 'incident',
        author: { kind: 'persona', name: 'CTO' },
        persona: 'cto',
        text: 'What is going on?',
        textJa: 'What is going on?（日本語）',
        fault: 'unreachable',
        expectsAnswer: true,
        // a question carries what a good answer contains and its window (the fold reads them from the log)
        expects: [],
        answerWithinMs: 8 * MIN,
      },
    });
  });
});

describe('the persona director (runtime, real event log)', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });

  it('posts due lines once, only while the game runs, and never again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-personas-'));
    dirs.push(dir);
    const scenarioFile = fromRoot('test/fixtures/scenarios/minimal.yaml');
    const rt = await testRuntime({ scenario: scenarioFile }, { dataDir: dir });
    const { store, comms } = rt.services;
    const by = { kind: 'organizer' as const, name: 'o' };
    await store.append({
      type: 'team.created',
      source: 'organizer',
      team: 't1',
      data: { id: 't1', name: 'Team One', members: [], tokenHash: hashToken('t1-token'), portBase: null, seed: 1, by },
    });
    await store.append({ type: 'fault.injected', source: 'test', team: 't1', data: { fault: 'unreachable', attempt: 1, deadlineAt: 30 * MIN } });
    // Not started: game time stands still, nothing is due.
    expect(await comms.tick()).toBe(0);
    await store.append({ type: 'game.started', source: 'organizer', data: { by } });
    rt.clock.advance(4 * MIN);
    const [a, b] = await Promise.all([comms.tick(), comms.tick()]);
    expect(a).toBe(1);
    expect(b).toBe(1); // overlapping ticks share one run
    expect(await comms.tick()).toBe(0);
    const posted = await store.read({ types: ['message.posted'] });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({ team: 't1', key: k(0), data: { persona: 'cto', author: { kind: 'persona', name: 'CTO' }, text: 'What is going on?' } });
    await rt.close();

    const again = await testRuntime({ scenario: scenarioFile }, { dataDir: dir, clock: rt.clock });
    again.clock.advance(MIN);
    // The rebuilt fold knows the fault happened; only the posted key keeps the line from repeating.
    const inputs = again.services.comms.fold.personaInputs('t1');
    const now = again.services.gameClock.now();
    expect(dueLines(again.services.scenario, inputs.filter((e) => e.type !== 'message.posted'), now).map((d) => d.key)).toEqual([k(0)]);
    expect(await again.services.comms.tick()).toBe(0);
    expect(await again.services.store.read({ types: ['message.posted'] })).toHaveLength(1);
    await again.close();
  });
});
