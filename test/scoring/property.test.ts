import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { Leaderboard as LiveBoard } from '../../src/leaderboard/service.js';
import type { Range, Scenario } from '../../src/scenario/types.js';
import type { TeamBreakdown } from '../../src/scoring/types.js';
import { apply, createScore, freshBreakdowns, leaderboard, score, type Leaderboard } from '../../src/scoring/index.js';
import { buildScenario } from './fixture.js';

/**
 * Properties of the fold over generated logs (with duplicates and game times out of order):
 * folding one event at a time, in any chunking, gives the same board as a replay from zero; and
 * both agree with an independent, non-incremental reference written here from docs/scoring.md,
 * and with the live leaderboard projector's rows.
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
const message: fc.Arbitrary<Raw> = fc.record({
  type: fc.constant('message.posted'),
  data: fc.oneof(
    fc.record(
      {
        channel: fc.constantFrom('stakeholders' as const, 'incident' as const),
        author: fc.constant({ kind: 'persona' as const, name: 'cto' }),
        text: fc.constant('When is it back?'),
        expectsAnswer: fc.constant(true),
        expects: fc.constant(['eta' as const, 'impact' as const]),
        answerWithinMs: fc.integer({ min: 60_000, max: 20 * 60_000 }),
        fault: faultId,
      },
      { requiredKeys: ['channel', 'author', 'text', 'expectsAnswer'] },
    ),
    fc.record(
      {
        channel: fc.constantFrom('stakeholders' as const, 'incident' as const),
        author: fc.record({ kind: fc.constant('team' as const), name: fc.constantFrom('Ann', 'Bob', 't') }),
        // no substance, a copy of the question, a real answer
        text: fc.constantFrom('!', 'When is it back?', 'All users are affected; we roll back now, back in 10 minutes.'),
        replyTo: fc.integer({ min: 1, max: 40 }),
      },
      { requiredKeys: ['channel', 'author', 'text'] },
    ),
    fc.record({ channel: fc.constant('stakeholders' as const), author: fc.constant({ kind: 'persona' as const, name: 'support' }), text: fc.constant('Users are asking.') }),
  ),
});

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
  message,
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
const logOf = (events: fc.Arbitrary<Raw>, minLength = 0) =>
  fc
  .array(fc.record({ team: fc.constantFrom(...TEAMS), gameTime: t, e: events, dup: fc.nat({ max: 9 }) }), { minLength, maxLength: 120 })
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
const log = logOf(raw);
/** Mostly the team's channels: questions, answers, attempts, copies, replies, around injections and status updates. */
const talk = logOf(
  fc.oneof(
    { arbitrary: message, weight: 6 },
    { arbitrary: fc.record({ type: fc.constant('fault.injected'), data: fc.record({ fault: faultId, attempt: fc.constant(1), deadlineAt: t }) }), weight: 1 },
    { arbitrary: fc.record({ type: fc.constant('status.published'), data: fc.record({ text: fc.constant('u'), resolved: fc.boolean(), by: fc.constant({ kind: 'team' as const, name: 't' }) }) }), weight: 1 },
  ),
);

/** Fold one event at a time; after each team event the cached breakdown must equal one computed afresh. */
function expectCachedIsFresh(sc: Scenario, events: StoredEvent[], seen?: (fresh: TeamBreakdown) => void): void {
  const s = createScore(sc);
  for (const e of events) {
    apply(s, e);
    if (!e.team) continue;
    const fresh = freshBreakdowns(s).get(e.team)!;
    expect(leaderboard(s).teams.find((x) => x.team === e.team)!.breakdown).toEqual(fresh);
    seen?.(fresh);
  }
}

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

// ------------------------------------------------------------------------------------------
// The reference: a plain, non-incremental reading of the whole log (docs/scoring.md and the
// lifecycle diagram in docs/architecture.md), sharing no code with src/scoring or src/lifecycle.

const share = (ms: number, r: Range) => (ms <= r.fullWithinMs ? 1 : ms >= r.zeroAtMs ? 0 : (r.zeroAtMs - ms) / (r.zeroAtMs - r.fullWithinMs));

function reference(events: StoredEvent[]) {
  const rules = scenario.scoring;
  const c = rules.categories;
  const sum = c.recovery + c.detection + c.communication + c.review;
  const out: Record<string, { recovery: number; detection: number; availability: number; hints: number; adjustments: number }> = {};
  for (const team of TEAMS) {
    const mine = events.filter((e) => e.team === team);
    let recovery = 0;
    let detection = 0;
    for (const f of scenario.faults) {
      let state = 'pending';
      let injectedAt: number | null = null;
      let deadlineAt: number | null = null;
      let greenSince: number | null = null;
      let detected: number | null = null;
      let acked: number | null = null;
      let premature = 0;
      for (const e of mine) {
        const d = e.data as Record<string, unknown>;
        if (d.fault !== f.id) continue;
        const open = state === 'injected' || state === 'recovered';
        switch (e.type) {
          case 'fault.armed':
            if (state === 'pending') state = 'armed';
            break;
          case 'fault.injected':
            if (state === 'pending' || state === 'armed') [state, injectedAt, deadlineAt] = ['injected', e.gameTime, d.deadlineAt as number];
            break;
          case 'fault.detected':
            detected = detected === null ? (d.at as number) : Math.min(detected, d.at as number);
            break;
          case 'fault.acknowledged':
            acked = acked === null ? (d.at as number) : Math.min(acked, d.at as number);
            break;
          case 'fault.premature_resolve':
            premature++;
            break;
          case 'fault.recovered':
            if (state === 'injected') [state, greenSince] = ['recovered', d.greenSince as number];
            break;
          case 'fault.relapsed':
            if (state === 'recovered') [state, greenSince] = ['injected', null];
            break;
          case 'fault.resolved':
            if (state === 'recovered') state = 'resolved';
            break;
          case 'fault.timed_out':
            if (open) [state, greenSince] = ['timed_out', null];
            break;
          case 'fault.voided':
            if (state !== 'voided') state = 'voided';
            break;
          case 'fault.deadline_extended':
            deadlineAt = d.deadlineAt as number;
            break;
          default:
        }
      }
      if (state === 'voided') continue;
      const total = Math.round(rules.pointsPerFault * 1000 * f.weight);
      const maxRec = Math.round((total * c.recovery) / sum);
      const maxDet = Math.round((total * c.detection) / sum);
      if (injectedAt !== null && greenSince !== null && state !== 'timed_out') {
        const ttr = Math.max(0, greenSince - injectedAt);
        const target = f.timing.targetRecoveryMs;
        const window = (deadlineAt ?? injectedAt + f.timing.deadlineMs) - injectedAt;
        const floor = rules.recovery.floor;
        const sh = ttr <= target ? 1 : ttr > window ? 0 : window > target ? 1 - ((1 - floor) * (ttr - target)) / (window - target) : floor;
        recovery += Math.round(maxRec * sh);
      }
      const fact = f.alerting === 'pagerduty' ? acked : detected;
      if (injectedAt !== null && fact !== null) {
        let sh = share(Math.max(0, fact - injectedAt), f.alerting === 'pagerduty' ? rules.detection.alerting : rules.detection.silent);
        if (premature) sh *= 1 - rules.detection.prematureResolvePenalty;
        detection += Math.round(maxDet * sh);
      }
    }
    // Availability: the last report of each minute counts; hints: each fault/hint once, first cost.
    const minutes = new Map<number, { good: number; total: number }>();
    const hints = new Map<string, number>();
    let adjustments = 0;
    for (const e of mine) {
      const d = e.data as unknown as { minute: number; good: number; total: number; fault: string; hint: string; cost: number; points: number };
      if (e.type === 'sli.minute') minutes.set(d.minute, { good: Math.min(d.good, d.total), total: d.total });
      if (e.type === 'hint.taken' && !hints.has(`${d.fault}/${d.hint}`)) hints.set(`${d.fault}/${d.hint}`, d.cost);
      if (e.type === 'score.adjusted') adjustments += d.points * 1000;
    }
    const good = [...minutes.values()].reduce((a, m) => a + m.good, 0);
    const all = [...minutes.values()].reduce((a, m) => a + m.total, 0);
    const availability = all ? Math.round((rules.availability.points * 1000 * good) / all) : 0;
    out[team] = { recovery, detection, availability, hints: 0 - [...hints.values()].reduce((a, x) => a + x * 1000, 0), adjustments };
  }
  return out;
}

const categoriesOf = (b: Leaderboard) =>
  Object.fromEntries(
    b.teams.map((x) => {
      const { recovery, detection, availability, hints, adjustments } = x.breakdown.categories;
      return [x.team, { recovery, detection, availability, hints, adjustments }];
    }),
  );

describe('scoring fold properties', () => {
  it('agrees with an independent non-incremental reference (recovery, detection, availability, hints, adjustments)', () => {
    fc.assert(
      fc.property(log, fc.array(fc.nat(), { maxLength: 8 }), (events, cuts) => {
        const want = reference(events);
        expect(categoriesOf(chunked(events, cuts))).toEqual(want);
        expect(categoriesOf(score(scenario, events))).toEqual(want);
      }),
      { numRuns: 200 },
    );
  });

  it.each([
    ['any events', log],
    ['mostly channel talk', talk],
  ])('the cached breakdown after every event equals one computed afresh from the folded facts (%s)', (_, logs) => {
    fc.assert(
      fc.property(logs, (events) => expectCachedIsFresh(scenario, events)),
      { numRuns: 100 },
    );
  });

  it('the cached breakdown after every event equals one computed afresh, with roles and rotation scored', () => {
    const withRoles = buildScenario({ faults: [{ id: 'f1', alerting: 'silent' }, { id: 'f2', alerting: 'silent' }], scoring: { roles: { rotation: true } }, game: { signOff: true } });
    const fault = fc.constantFrom('f1', 'f2');
    const person = fc.constantFrom('Ann', 'Bob', 't', null);
    const rolesTalk = logOf(
      fc.oneof(
        { arbitrary: message, weight: 3 },
        { arbitrary: fc.record({ type: fc.constant('fault.injected'), data: fc.record({ fault, attempt: fc.constant(1), deadlineAt: fc.constant(24 * 60 * 60_000) }) }), weight: 2 },
        { arbitrary: fc.record({ type: fc.constant('fault.detected'), data: fc.record({ fault, incident: fc.constantFrom('i1', 'i2'), via: fc.constant('board'), at: t }) }), weight: 2 },
        {
          arbitrary: fc.record({
            type: fc.constant('incident.roles_set'),
            data: fc.record({ incident: fc.constantFrom('i1', 'i2'), via: fc.constant('board'), commander: person, communications: person, ops: person, by: fc.constant({ kind: 'team' as const, name: 't' }), occurredAtWall: fc.constant(0) }),
          }),
          weight: 2,
        },
        { arbitrary: fc.record({ type: fc.constant('team.updated'), data: fc.record({ members: fc.subarray([{ name: 'Ann' }, { name: 'Bob' }, { name: 't' }]), by: fc.constant(by) }) }), weight: 1 },
        {
          arbitrary: fc.record({
            type: fc.constant('status.published'),
            data: fc.record({ text: fc.constant('All users affected; rolling back; next update in 10 minutes'), resolved: fc.boolean(), by: fc.record({ kind: fc.constant('team' as const), name: fc.constantFrom('Ann', 'Bob', 't') }) }),
          }),
          weight: 3,
        },
      ),
      60,
    );
    let commsLead = 0;
    fc.assert(
      fc.property(rolesTalk, (events) =>
        expectCachedIsFresh(withRoles, events, (fresh) => {
          if (fresh.faults.some((f) => f.communication.automatic.roles.roles?.some((r) => r.fact === 'commsLead' && r.share !== null))) commsLead++;
        }),
      ),
      { numRuns: 100 },
    );
    // The logs reach what is checked: updates and answers measured against a named Communications Lead.
    expect(commsLead).toBeGreaterThan(0);
  });

  it('the live leaderboard projector, fed one event at a time, ends with the rows a replay from zero gives', () => {
    fc.assert(
      fc.property(log, (events) => {
        const live = new LiveBoard({ scenario });
        const half = Math.floor(events.length / 2);
        live.rebuild(events.slice(0, half));
        for (const e of events.slice(half)) live.apply(e);
        const replay = score(scenario, events);
        const rows = live.organizerView().board.teams.map((r) => ({ id: r.id, rank: r.rank, score: r.score, categories: r.breakdown.categories }));
        expect(rows).toEqual(replay.teams.map((r) => ({ id: r.team, rank: r.rank, score: r.total, categories: r.breakdown.categories })));
      }),
      { numRuns: 100 },
    );
  });

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
