import type { Actor, NewEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';
import { allGreen, currentFault, type GameState, type TeamState } from '../lifecycle/index.js';
import { seededDelay } from './rng.js';

/**
 * The per-team fault sequence of design.md ("Flow of one fault"): the pure `decide` over the one
 * lifecycle fold (src/lifecycle/). No I/O and no clock: `decide` is told the game time and returns
 * commands; the effectful Game (game.ts) appends the decisions first and only then acts on them.
 */

export { createGameState, currentFault, isOpen, isTerminal, reduce } from '../lifecycle/index.js';
export type { FaultRun, FaultState, GameState, IncidentView, ProbeView, TeamState } from '../lifecycle/index.js';

// ---------------------------------------------------------------- decide

export type Command =
  | { kind: 'append'; events: NewEvent[] }
  /** plan → append fault.injecting{handle} → inject → append fault.injected; `resume` = the handle is already recorded. */
  | { kind: 'inject'; team: string; fault: string; attempt: number; resume: boolean }
  | { kind: 'revert'; team: string; fault: string; attempt: number; handle: unknown }
  /** Ask the target whether the attempt's change is still in place; append fault.presence_checked with the answer. */
  | { kind: 'check_presence'; team: string; fault: string; attempt: number; handle: unknown };

export interface DecideContext {
  /** Game time now. */
  now: number;
  maxInjectAttempts: number;
  /** Demo: cap on the random delay before each fault (game ms), so the first fault lands quickly. */
  maxDelayMs?: number;
  /** Game ms between a failed attempt and the next one. */
  retryAfterMs?: number;
  /**
   * The shortest verification window the probes can honour (game ms): in a fast game the probes'
   * wall-time floor means they need longer (in game time) to see a failure than verifyWithin.
   */
  minVerifyMs?: number;
  /**
   * Probe checks completed since the fault's injection (the fewest among its recovery probes).
   * "Did not take" also needs failureThreshold + 1 green checks, so a loaded machine whose probes
   * run late never voids a fault that did take.
   */
  checksSinceInjection?: (team: string, fault: string) => number;
}

export const SYSTEM: Actor = { kind: 'system', name: 'firedrill' };
const RETRY_AFTER_MS = 30_000;

const ev = (team: string, e: Omit<NewEvent, 'team' | 'source'>): NewEvent => ({ ...e, team, source: 'game' }) as NewEvent;

/** When the fault at `index` falls due, for a team whose previous fault ended at `base`. */
export function dueAtFor(scenario: Scenario, t: TeamState, index: number, base: number, ctx: Pick<DecideContext, 'maxDelayMs'>): number {
  const f = scenario.faults[index];
  if (!f) return base;
  let { delayMinMs: min, delayMaxMs: max } = f.timing;
  if (ctx.maxDelayMs !== undefined) {
    max = Math.min(max, ctx.maxDelayMs);
    min = Math.min(min, max);
  }
  return base + seededDelay(t.seed, f.id, min, max);
}

/**
 * What should happen next for one team, given the fold and the game time. Appends carry
 * idempotency keys derived from the state, so deciding twice (two loops, or a restart in between)
 * stores each fact once.
 */
export function decide(scenario: Scenario, s: GameState, team: string, ctx: DecideContext): Command[] {
  const t = s.teams[team];
  if (!t || s.phase === 'not_started') return [];
  const out: Command[] = [];

  // Reverts first: nothing new is injected while an old change may still be live.
  for (const f of t.faults) {
    if (f.pendingRevert) out.push({ kind: 'revert', team, fault: f.id, attempt: f.attempt, handle: f.handle });
  }
  if (out.length) return out;

  const f = currentFault(t);
  if (!f) return out;
  const spec = scenario.faults[f.index];
  if (!spec) return out;
  const key = (what: string) => `game:${team}:${f.id}:${what}`;

  const running = s.phase === 'running';
  switch (f.state) {
    case 'pending': {
      if (s.phase === 'finished') return out;
      const prev = t.faults[f.index - 1];
      const base = prev ? (prev.endedAt ?? ctx.now) : Math.max(s.startedAt ?? 0, t.createdAt);
      const dueAt = dueAtFor(scenario, t, f.index, base, ctx);
      out.push({ kind: 'append', events: [ev(team, { type: 'fault.armed', key: key('armed'), data: { fault: f.id, dueAt } })] });
      return out;
    }
    case 'armed':
      // dueAt null: a failed attempt waiting to be re-armed (same batch) or voided; a cut log waits.
      if (running && f.dueAt !== null && ctx.now >= f.dueAt) out.push({ kind: 'inject', team, fault: f.id, attempt: f.attempt + 1, resume: false });
      return out;
    case 'injecting':
      // The handle is in the log but fault.injected is not: finish the injection (inject is idempotent).
      out.push({ kind: 'inject', team, fault: f.id, attempt: f.attempt, resume: true });
      return out;
    default:
  }

  // injected or recovered: incident facts, recovery, resolution, verification, deadline.
  const appends: NewEvent[] = [];
  const mine = Object.values(t.incidents).filter((i) => i.fault === f.id);
  const first = mine.slice().sort((a, b) => a.triggeredAt - b.triggeredAt)[0];
  if (!f.detected && first) {
    appends.push(ev(team, { type: 'fault.detected', key: key('detected'), data: { fault: f.id, incident: first.id, via: first.via, at: first.triggeredAt } }));
  }
  const acked = mine.filter((i) => i.acknowledgedAt !== null).sort((a, b) => (a.acknowledgedAt ?? 0) - (b.acknowledgedAt ?? 0))[0];
  if (!f.acknowledged && acked && acked.acknowledgedAt !== null) {
    appends.push(ev(team, { type: 'fault.acknowledged', key: key('acknowledged'), data: { fault: f.id, incident: acked.id, at: acked.acknowledgedAt } }));
  }
  for (const i of mine) {
    const tag = `${i.id}#${i.resolves}`;
    if (i.state === 'resolved' && i.resolvedWhileRed && !f.premature.includes(tag)) {
      appends.push(ev(team, { type: 'fault.premature_resolve', key: key(`premature:${tag}`), data: { fault: f.id, incident: i.id, at: i.resolvedAt ?? ctx.now } }));
    }
  }

  const probes = spec.recoveredWhen;
  if (f.state === 'injected' && f.taken && probes.every((p) => t.probes[p]?.up !== false)) {
    // Sustained green since the last recovery probe turned green (never before the injection).
    const greenSince = Math.max(f.injectedAt ?? 0, ...probes.map((p) => t.probes[p]?.since ?? 0));
    appends.push(ev(team, { type: 'fault.recovered', key: key(`recovered:${f.recoveries + 1}`), data: { fault: f.id, greenSince } }));
    if (appends.length) out.push({ kind: 'append', events: appends });
    return out;
  }
  if (f.state === 'recovered') {
    const red = probes.find((p) => t.probes[p]?.up === false);
    if (red) {
      appends.push(ev(team, { type: 'fault.relapsed', key: key(`relapsed:${f.relapses + 1}`), data: { fault: f.id, probe: red } }));
    } else if (scenario.game.signOff ? f.signedOff !== null : mine.some((i) => i.state === 'resolved' && !i.resolvedWhileRed)) {
      // With the sign-off on, the business side closes the fault (issue 15); an incident resolve does not.
      appends.push(ev(team, { type: 'fault.resolved', key: key('resolved'), data: { fault: f.id, by: scenario.game.signOff ? 'sign_off' : 'incident' } }));
    } else if (running && f.recoveredAt !== null && ctx.now >= f.recoveredAt + spec.timing.graceMs) {
      appends.push(ev(team, { type: 'fault.resolved', key: key('resolved'), data: { fault: f.id, by: 'grace' } }));
    }
  }
  if (f.state === 'injected' && running && f.injectedAt !== null) {
    const verifyMs = Math.max(spec.timing.verifyWithinMs, ctx.minVerifyMs ?? 0);
    const enoughChecks = Math.max(1, ...probes.map((id) => (scenario.probes.find((p) => p.id === id)?.failureThreshold ?? 1) + 1));
    const checked = ctx.checksSinceInjection ? ctx.checksSinceInjection(team, f.id) >= enoughChecks : true;
    // "Did not take": no recovery probe turned red within the window, and all of them are green now.
    if (!f.taken && ctx.now >= f.injectedAt + verifyMs && checked && allGreen(scenario, t, f.id)) {
      const presence = f.presence?.attempt === f.attempt ? f.presence : null;
      if (!presence) {
        // Before calling it not taken, ask the target whether the change is still there (its answer is logged first).
        out.push({ kind: 'check_presence', team, fault: f.id, attempt: f.attempt, handle: f.handle });
        if (appends.length) out.unshift({ kind: 'append', events: appends });
        return out;
      }
      if (!presence.inPlace) {
        // The team undid the change before any probe saw it: nothing to score either way (see architecture.md).
        const reason = `fixed before any probe saw it (attempt ${f.attempt}: the change was no longer in place)`;
        appends.push(
          ev(team, { type: 'warning.raised', key: key(`warning:fixed_unseen:${f.attempt}`), data: { code: 'fixed_before_seen', fault: f.id, message: `${team}: fault ${f.id} ${reason}; voided, not scored` } }),
          ev(team, { type: 'fault.voided', key: key('voided'), data: { fault: f.id, reason } }),
        );
      } else {
        const retry = f.attempt < ctx.maxInjectAttempts;
        const reason = `recovery probes (${probes.join(', ')}) stayed green for ${Math.round(verifyMs / 1000)} s of game time after attempt ${f.attempt}`;
        appends.push(
          ev(team, { type: 'fault.injection_failed', key: key(`failed:${f.attempt}`), data: { fault: f.id, attempt: f.attempt, reason, retry } }),
          ev(team, {
            type: 'warning.raised',
            key: key(`warning:failed:${f.attempt}`),
            data: { code: 'injection_not_taken', fault: f.id, message: `${team}: fault ${f.id} did not take (${reason}); ${retry ? 'retrying' : 'voided, not scored'}` },
          }),
          retry
            ? ev(team, { type: 'fault.armed', key: key(`armed:retry:${f.attempt}`), data: { fault: f.id, dueAt: ctx.now + (ctx.retryAfterMs ?? RETRY_AFTER_MS) } })
            : ev(team, { type: 'fault.voided', key: key('voided'), data: { fault: f.id, reason: `did not take after ${f.attempt} attempts` } }),
        );
      }
    } else if (f.deadlineAt !== null && ctx.now >= f.deadlineAt) {
      appends.push(ev(team, { type: 'fault.timed_out', key: key(`timed_out`), data: { fault: f.id } }));
    }
  }
  if (appends.length) out.push({ kind: 'append', events: appends });
  return out;
}

/**
 * The game-wide decision: at the scenario's duration the game finishes by itself. Same key as the
 * organizer's Finish, so the game is finished once, whoever comes first.
 */
export function decideGame(scenario: Scenario, s: GameState, now: number): Command[] {
  if (s.phase !== 'running' || s.startedAt === null) return [];
  if (now < s.startedAt + scenario.game.durationMs) return [];
  return [{ kind: 'append', events: [{ type: 'game.finished', source: 'game', key: 'game.finished', data: { by: SYSTEM } } as NewEvent] }];
}
