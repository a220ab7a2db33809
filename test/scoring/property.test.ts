import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { apply, createScore, leaderboard, score, type Leaderboard } from '../../src/scoring/index.js';
import { buildScenario } from './fixture.js';

/**
 * Properties of the fold over generated logs (with duplicates and game times out of order):
 * folding one event at a time, in any chunking, gives the same board as a replay from zero.
 */

const scenario = buildScenario({
  faults: [
    { id: 'f1', alerting: 'pagerduty', hints: [{ id: 'h1', cost: 20 }] },
    { id: 'f2', alerting: 'silent', weight: 2 },
    { id: 'f3', alerting: 'silent', weight: 0.5 },
  ],
});

const TEAMS = ['alpha', 'bravo', 'charlie'];
const faultId = fc.constantFrom('f1', 'f2', 'f3', 'unknown');
const t = fc.integer({ min: 0, max: 60 * 60_000 });
const by = { kind: 'organizer' as const, name: 'o' };

type Raw = { type: string; data: Record<string, unknown> };
const raw: fc.Arbitrary<Raw> = fc.oneof(
  fc.record({ type: fc.constant('fault.armed'), data: fc.record({ fault: faultId, dueAt: t }) }),
  fc.record({ type: fc.constant('fault.injected'), data: fc.record({ fault: faultId, attempt: fc.constant(1), deadlineAt: t }) }),
  fc.record({ type: fc.constant('fault.detected'), data: fc.record({ fault: faultId, incident: fc.constant('i'), via: fc.constant('board'), at: t }) }),
  fc.record({ type: fc.constant('fault.acknowledged'), data: fc.record({ fault: faultId, incident: fc.constant('i'), at: t }) }),
  fc.record({ type: fc.constant('fault.premature_resolve'), data: fc.record({ fault: faultId, incident: fc.constant('i'), at: t }) }),
  fc.record({ type: fc.constant('fault.recovered'), data: fc.record({ fault: faultId, greenSince: t }) }),
  fc.record({ type: fc.constant('fault.relapsed'), data: fc.record({ fault: faultId, probe: fc.constant('api') }) }),
  fc.record({ type: fc.constant('fault.resolved'), data: fc.record({ fault: faultId, by: fc.constant('incident') }) }),
  fc.record({ type: fc.constant('fault.timed_out'), data: fc.record({ fault: faultId }) }),
  fc.record({ type: fc.constant('fault.voided'), data: fc.record({ fault: faultId, reason: fc.constant('x') }) }),
  fc.record({ type: fc.constant('fault.deadline_extended'), data: fc.record({ fault: faultId, deadlineAt: t, by: fc.constant(by) }) }),
  fc.record({
    type: fc.constant('status.published'),
    data: fc.record(
      { text: fc.constant('u'), impact: fc.constant('i'), currentAction: fc.constant('a'), nextUpdateAt: t, resolved: fc.boolean(), by: fc.constant({ kind: 'team' as const, name: 't' }) },
      { requiredKeys: ['text', 'resolved', 'by'] },
    ),
  }),
  fc.record({
    type: fc.constant('message.posted'),
    data: fc.oneof(
      fc.record({ channel: fc.constant('stakeholders' as const), author: fc.constant({ kind: 'persona' as const, name: 'cto' }), text: fc.constant('?'), expectsAnswer: fc.constant(true) }),
      fc.record({ channel: fc.constantFrom('stakeholders' as const, 'incident' as const), author: fc.constant({ kind: 'team' as const, name: 't' }), text: fc.constant('!') }),
    ),
  }),
  fc.record({
    type: fc.constant('judgement.recorded'),
    data: fc.record({
      fault: faultId,
      category: fc.constantFrom('communication' as const, 'review' as const),
      criterion: fc.constantFrom('accuracy', 'audience', 'timeline', 'root_cause', 'nope'),
      score: fc.integer({ min: 0, max: 5 }),
      judge: fc.constantFrom('ann', 'bob'),
    }),
  }),
  fc.record({ type: fc.constant('postmortem.submitted'), data: fc.record({ fault: faultId, text: fc.constant('pm'), by: fc.constant({ kind: 'team' as const, name: 't' }) }) }),
  fc.record({ type: fc.constant('hint.taken'), data: fc.record({ fault: faultId, hint: fc.constantFrom('h1', 'h2'), cost: fc.integer({ min: 0, max: 100 }) }) }),
  fc.record({ type: fc.constant('score.adjusted'), data: fc.record({ points: fc.integer({ min: -200, max: 200 }), reason: fc.constant('because'), by: fc.constant(by) }) }),
  fc.record({ type: fc.constant('sli.minute'), data: fc.record({ minute: fc.integer({ min: 0, max: 5 }), good: fc.integer({ min: 0, max: 60 }), total: fc.constant(60) }) }),
);

/** A log: teams first, then generated events (game times out of order), some repeated verbatim. */
const log = fc
  .array(fc.record({ team: fc.constantFrom(...TEAMS), gameTime: t, e: raw, dup: fc.nat({ max: 9 }) }), { maxLength: 120 })
  .map((items) => {
    const out: StoredEvent[] = [];
    const push = (team: string | null, gameTime: number, r: Raw) =>
      out.push({ seq: out.length + 1, at: 0, gameTime, team, type: r.type, source: 'gen', key: null, data: r.data } as StoredEvent);
    for (const id of TEAMS) push(null, 0, { type: 'team.created', data: { id, name: id, members: [], tokenHash: 'h', portBase: null, seed: 1, by } });
    for (const it of items) {
      push(it.team, it.gameTime, it.e);
      if (it.dup === 0) push(it.team, it.gameTime, it.e); // the same fact twice (webhook + poll)
    }
    return out;
  });

const chunked = (events: StoredEvent[], cuts: number[]): Leaderboard => {
  const s = createScore(scenario);
  const points = [...new Set(cuts.map((c) => c % (events.length + 1)))].sort((a, b) => a - b);
  let i = 0;
  for (const p of [...points, events.length]) {
    for (; i < p; i++) apply(s, events[i]!);
    leaderboard(s); // reading between chunks must change nothing
  }
  return leaderboard(s);
};

describe('scoring fold properties', () => {
  it('incremental == replay, whatever the chunking', () => {
    fc.assert(
      fc.property(log, fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
        const replay = score(scenario, events);
        expect(chunked(events, cuts)).toEqual(replay);
      }),
      { numRuns: 200 },
    );
  });

  it('keeps the books: integer milli-points, parts sum to totals, ranks sorted with ties to the lower seq', () => {
    fc.assert(
      fc.property(log, (events) => {
        const board = score(scenario, events);
        expect(board.teams.map((x) => x.team).sort()).toEqual([...TEAMS].sort());
        board.teams.forEach((row, i) => {
          expect(row.rank).toBe(i + 1);
          expect(Number.isInteger(row.total)).toBe(true);
          expect(Object.values(row.breakdown.categories).reduce((a, x) => a + x, 0)).toBe(row.total);
          for (const f of row.breakdown.faults) {
            expect(f.points).toBeGreaterThanOrEqual(0);
            expect(f.points).toBeLessThanOrEqual(f.max);
            expect(Number.isInteger(f.points)).toBe(true);
          }
          const next = board.teams[i + 1];
          if (next) expect(row.total > next.total || (row.total === next.total && row.reachedSeq <= next.reachedSeq)).toBe(true);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('counts an incident fact, hint, judgement or SLI minute delivered twice only once', () => {
    const idempotent = new Set(['fault.detected', 'fault.acknowledged', 'hint.taken', 'judgement.recorded', 'sli.minute', 'postmortem.submitted', 'fault.premature_resolve']);
    fc.assert(
      fc.property(log, fc.nat(), (events, pick) => {
        const candidates = events.filter((e) => idempotent.has(e.type));
        if (!candidates.length) return;
        const orig = candidates[pick % candidates.length]!;
        // Insert an exact repeat right after the original, renumbering seqs.
        const withDup = events.flatMap((e) => (e === orig ? [e, { ...e }] : [e])).map((e, i) => ({ ...e, seq: i + 1 }) as StoredEvent);
        const totals = (b: Leaderboard) => Object.fromEntries(b.teams.map((x) => [x.team, x.breakdown.categories]));
        expect(totals(score(scenario, withDup))).toEqual(totals(score(scenario, events)));
      }),
      { numRuns: 150 },
    );
  });

  it('takes the earliest time when the same incident fact arrives out of order', () => {
    const base = (ackA: number, ackB: number): StoredEvent[] =>
      [
        { type: 'team.created', team: null, data: { id: 'alpha', name: 'A', members: [], tokenHash: 'h', portBase: null, seed: 1, by } },
        { type: 'fault.injected', team: 'alpha', data: { fault: 'f1', attempt: 1, deadlineAt: 2_700_000 } },
        { type: 'fault.acknowledged', team: 'alpha', data: { fault: 'f1', incident: 'i', at: ackA } },
        { type: 'fault.acknowledged', team: 'alpha', data: { fault: 'f1', incident: 'i', at: ackB } },
      ].map((e, i) => ({ ...e, seq: i + 1, at: 0, gameTime: 0, source: 'gen', key: null }) as StoredEvent);
    fc.assert(
      fc.property(t, t, (a, b) => {
        const ab = score(scenario, base(a, b)).teams[0]!.breakdown.faults[0]!.detection;
        const ba = score(scenario, base(b, a)).teams[0]!.breakdown.faults[0]!.detection;
        expect(ab.points).toBe(ba.points);
        expect(ab.ms).toBe(Math.min(a, b));
      }),
    );
  });
});
