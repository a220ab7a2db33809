import type { Actor, NewEvent, StoredEvent } from '../events/types.js';
import type { Fault, Scenario } from '../scenario/types.js';
import { seededDelay } from './rng.js';

/**
 * The per-team fault sequence of design.md ("Flow of one fault") as a PURE fold of the log plus a
 * pure `decide`. No I/O and no clock: `decide` is told the game time and returns commands; the
 * effectful Game (game.ts) appends the decisions first and only then acts on them.
 */

export type FaultStatus =
  | 'pending'
  | 'armed'
  | 'injecting'
  | 'injected'
  | 'recovered'
  | 'failed' // an attempt did not take; waiting to be re-armed (same batch) or voided
  | 'resolved'
  | 'timed_out'
  | 'skipped'
  | 'reverted'
  | 'voided';

const TERMINAL: ReadonlySet<FaultStatus> = new Set(['resolved', 'timed_out', 'skipped', 'reverted', 'voided']);
export const isTerminal = (s: FaultStatus): boolean => TERMINAL.has(s);
/** Injected and not over: the states in which incidents, probes and the deadline matter. */
export const isOpen = (s: FaultStatus): boolean => s === 'injecting' || s === 'injected' || s === 'recovered';

export interface FaultRun {
  id: string;
  index: number;
  status: FaultStatus;
  /** Number of the latest injection attempt (0 before the first). */
  attempt: number;
  dueAt: number | null;
  /** The current attempt's revert handle, once fault.injecting recorded it. */
  handle: unknown;
  hasHandle: boolean;
  injectingAt: number | null;
  injectedAt: number | null;
  deadlineAt: number | null;
  /** A recovery probe went red after this attempt began: the injection took. */
  taken: boolean;
  detected: { incident: string; at: number } | null;
  acknowledged: { incident: string; at: number } | null;
  /** `incident#n` of premature resolves already recorded. */
  premature: string[];
  recoveredAt: number | null;
  greenSince: number | null;
  recoveries: number;
  relapses: number;
  resolvedBy: 'incident' | 'grace' | null;
  endedAt: number | null;
  /** The handle still has to be reverted (timed out, reverted, skipped, or a failed attempt). */
  pendingRevert: boolean;
  lastRevert: { ok: boolean; detail: string } | null;
}

export interface ProbeView {
  up: boolean;
  since: number;
}

export interface IncidentView {
  id: string;
  fault: string | null;
  via: 'pagerduty' | 'board';
  state: 'triggered' | 'acknowledged' | 'resolved';
  /** Game time of each fact (approximated from the source's own wall timestamp). */
  triggeredAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  /** How many times it was resolved, and whether the latest resolve came while recovery probes were red. */
  resolves: number;
  resolvedWhileRed: boolean;
}

export interface TeamState {
  team: string;
  seed: number;
  createdAt: number;
  faults: FaultRun[];
  probes: Record<string, ProbeView>;
  incidents: Record<string, IncidentView>;
  /** `fault/hint` of every hint the team took. */
  hintsTaken: string[];
}

export interface GameState {
  started: boolean;
  running: boolean;
  finished: boolean;
  startedAt: number | null;
  speed: number;
  teams: Record<string, TeamState>;
  /** Team ids in order of creation. */
  order: string[];
}

export function createGameState(): GameState {
  return { started: false, running: false, finished: false, startedAt: null, speed: 1, teams: {}, order: [] };
}

function newRun(f: Fault): FaultRun {
  return {
    id: f.id,
    index: f.index,
    status: 'pending',
    attempt: 0,
    dueAt: null,
    handle: undefined,
    hasHandle: false,
    injectingAt: null,
    injectedAt: null,
    deadlineAt: null,
    taken: false,
    detected: null,
    acknowledged: null,
    premature: [],
    recoveredAt: null,
    greenSince: null,
    recoveries: 0,
    relapses: 0,
    resolvedBy: null,
    endedAt: null,
    pendingRevert: false,
    lastRevert: null,
  };
}

/** The fault now in play: the first one not over yet (undefined when the sequence is done). */
export function currentFault(t: TeamState): FaultRun | undefined {
  return t.faults.find((f) => !isTerminal(f.status));
}

const recoveryProbes = (scenario: Scenario, faultId: string): string[] => scenario.faults.find((f) => f.id === faultId)?.recoveredWhen ?? [];

function anyRed(scenario: Scenario, t: TeamState, faultId: string): boolean {
  return recoveryProbes(scenario, faultId).some((p) => t.probes[p] && !t.probes[p].up);
}

/**
 * The game time at which a fact reported with its own wall timestamp happened: the append's game
 * time minus the reporting lag (scaled by speed), never before `floor`.
 */
function factTime(e: StoredEvent, occurredAtWall: number, speed: number, floor: number): number {
  const lag = Math.max(0, e.at - occurredAtWall) * speed;
  return Math.max(floor, Math.min(e.gameTime, Math.floor(e.gameTime - lag)));
}

/** Apply one event. Mutates `s` (the fold is replayed from zero on start). */
export function reduce(scenario: Scenario, s: GameState, e: StoredEvent): GameState {
  switch (e.type) {
    case 'game.started':
      s.started = true;
      s.running = !s.finished;
      s.startedAt = e.gameTime;
      return s;
    case 'game.paused':
      s.running = false;
      return s;
    case 'game.resumed':
      s.running = s.started && !s.finished;
      return s;
    case 'game.finished':
      s.finished = true;
      s.running = false;
      return s;
    case 'game.speed_set':
      s.speed = e.data.speed;
      return s;
    case 'team.created':
      if (!s.teams[e.data.id]) {
        s.teams[e.data.id] = {
          team: e.data.id,
          seed: e.data.seed,
          createdAt: e.gameTime,
          faults: scenario.faults.map(newRun),
          probes: {},
          incidents: {},
          hintsTaken: [],
        };
        s.order.push(e.data.id);
      }
      return s;
    default:
  }
  const t = e.team ? s.teams[e.team] : undefined;
  if (!t) return s;
  const run = 'fault' in e.data && typeof e.data.fault === 'string' ? t.faults.find((f) => f.id === (e.data as { fault: string }).fault) : undefined;

  switch (e.type) {
    case 'fault.armed':
      if (run && (run.status === 'pending' || run.status === 'armed' || run.status === 'failed')) {
        run.status = 'armed';
        run.dueAt = e.data.dueAt;
      }
      break;
    case 'fault.injecting':
      if (run) {
        run.status = 'injecting';
        run.attempt = e.data.attempt;
        run.handle = e.data.handle;
        run.hasHandle = true;
        run.injectingAt = e.gameTime;
        run.injectedAt = null;
        run.deadlineAt = null;
        // A recovery probe already red when the change lands: the fault is in effect anyway.
        run.taken = anyRed(scenario, t, run.id);
      }
      break;
    case 'fault.injected':
      if (run && run.status === 'injecting') {
        run.status = 'injected';
        run.injectedAt = e.gameTime;
        run.deadlineAt = e.data.deadlineAt;
      }
      break;
    case 'fault.injection_failed':
      if (run) {
        run.attempt = Math.max(run.attempt, e.data.attempt);
        run.pendingRevert = run.hasHandle;
        run.status = 'failed';
        run.taken = false;
      }
      break;
    case 'fault.voided':
      if (run) end(run, 'voided', e.gameTime);
      break;
    case 'fault.detected':
      if (run && !run.detected) run.detected = { incident: e.data.incident, at: e.data.at };
      break;
    case 'fault.acknowledged':
      if (run && !run.acknowledged) run.acknowledged = { incident: e.data.incident, at: e.data.at };
      break;
    case 'fault.premature_resolve':
      if (run) {
        const inc = t.incidents[e.data.incident];
        run.premature.push(`${e.data.incident}#${inc?.resolves ?? 1}`);
      }
      break;
    case 'fault.recovered':
      if (run && (run.status === 'injected' || run.status === 'injecting')) {
        run.status = 'recovered';
        run.recoveredAt = e.gameTime;
        run.greenSince = e.data.greenSince;
        run.recoveries++;
      }
      break;
    case 'fault.relapsed':
      if (run && run.status === 'recovered') {
        run.status = 'injected';
        run.recoveredAt = null;
        run.greenSince = null;
        run.relapses++;
      }
      break;
    case 'fault.resolved':
      if (run) {
        run.resolvedBy = e.data.by;
        end(run, 'resolved', e.gameTime);
      }
      break;
    case 'fault.timed_out':
      if (run) {
        run.pendingRevert = run.hasHandle;
        end(run, 'timed_out', e.gameTime);
      }
      break;
    case 'fault.skipped':
      if (run) {
        run.pendingRevert = run.hasHandle && (isOpen(run.status) || run.pendingRevert);
        end(run, 'skipped', e.gameTime);
      }
      break;
    case 'fault.reverted':
      if (run) {
        run.pendingRevert = run.hasHandle;
        end(run, 'reverted', e.gameTime);
      }
      break;
    case 'fault.deadline_extended':
      if (run) run.deadlineAt = e.data.deadlineAt;
      break;
    case 'fault.revert_result':
      if (run) {
        run.pendingRevert = false;
        run.lastRevert = { ok: e.data.ok, detail: e.data.detail };
      }
      break;
    case 'hint.taken':
      if (!t.hintsTaken.includes(`${e.data.fault}/${e.data.hint}`)) t.hintsTaken.push(`${e.data.fault}/${e.data.hint}`);
      break;
    case 'probe.failed':
    case 'probe.recovered': {
      const up = e.type === 'probe.recovered';
      t.probes[e.data.probe] = { up, since: e.data.since ?? e.gameTime };
      if (!up) {
        const cur = currentFault(t);
        if (cur && (cur.status === 'injecting' || cur.status === 'injected') && recoveryProbes(scenario, cur.id).includes(e.data.probe)) {
          cur.taken = true;
        }
      }
      break;
    }
    case 'incident.triggered': {
      const cur = currentFault(t);
      const inFault = cur && isOpen(cur.status) ? cur : undefined;
      const floor = inFault?.injectingAt ?? 0;
      t.incidents[e.data.incident] ??= {
        id: e.data.incident,
        fault: inFault?.id ?? null,
        via: e.data.via,
        state: 'triggered',
        triggeredAt: factTime(e, e.data.occurredAtWall, s.speed, floor),
        acknowledgedAt: null,
        resolvedAt: null,
        resolves: 0,
        resolvedWhileRed: false,
      };
      break;
    }
    case 'incident.acknowledged':
    case 'incident.unacknowledged':
    case 'incident.resolved':
    case 'incident.reopened': {
      const inc = t.incidents[e.data.incident];
      if (!inc) break;
      const floor = inc.triggeredAt;
      if (e.type === 'incident.acknowledged') {
        if (inc.state !== 'resolved') inc.state = 'acknowledged';
        inc.acknowledgedAt ??= factTime(e, e.data.occurredAtWall, s.speed, floor);
      } else if (e.type === 'incident.unacknowledged') {
        if (inc.state === 'acknowledged') inc.state = 'triggered';
      } else if (e.type === 'incident.resolved') {
        if (inc.state !== 'resolved') {
          inc.state = 'resolved';
          inc.resolves++;
          inc.resolvedAt = factTime(e, e.data.occurredAtWall, s.speed, floor);
          // Premature when the fault it belongs to is open and a recovery probe is red right now.
          const f = inc.fault ? t.faults.find((x) => x.id === inc.fault) : undefined;
          inc.resolvedWhileRed = !!f && isOpen(f.status) && f.status !== 'recovered' && !allGreen(scenario, t, f);
        }
      } else if (inc.state === 'resolved') {
        inc.state = 'triggered';
        inc.resolvedWhileRed = false;
      }
      break;
    }
    default:
  }
  return s;
}

function end(run: FaultRun, status: FaultStatus, at: number): void {
  run.status = status;
  run.endedAt = at;
}

function allGreen(scenario: Scenario, t: TeamState, f: FaultRun): boolean {
  return recoveryProbes(scenario, f.id).every((p) => t.probes[p]?.up !== false);
}

// ---------------------------------------------------------------- decide

export type Command =
  | { kind: 'append'; events: NewEvent[] }
  /** plan → append fault.injecting{handle} → inject → append fault.injected; `resume` = the handle is already recorded. */
  | { kind: 'inject'; team: string; fault: string; attempt: number; resume: boolean }
  | { kind: 'revert'; team: string; fault: string; attempt: number; handle: unknown };

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
  if (!t || !s.started) return [];
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

  switch (f.status) {
    case 'pending': {
      if (s.finished) return out;
      const prev = t.faults[f.index - 1];
      const base = prev ? (prev.endedAt ?? ctx.now) : Math.max(s.startedAt ?? 0, t.createdAt);
      const dueAt = dueAtFor(scenario, t, f.index, base, ctx);
      out.push({ kind: 'append', events: [ev(team, { type: 'fault.armed', key: key('armed'), data: { fault: f.id, dueAt } })] });
      return out;
    }
    case 'armed':
      if (s.running && f.dueAt !== null && ctx.now >= f.dueAt) out.push({ kind: 'inject', team, fault: f.id, attempt: f.attempt + 1, resume: false });
      return out;
    case 'failed':
      // A failed attempt is re-armed or voided in the same batch; reaching here means the log was cut short.
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
  if (f.status === 'injected' && f.taken && probes.every((p) => t.probes[p]?.up !== false)) {
    // Sustained green since the last recovery probe turned green (never before the injection).
    const greenSince = Math.max(f.injectedAt ?? 0, ...probes.map((p) => t.probes[p]?.since ?? 0));
    appends.push(ev(team, { type: 'fault.recovered', key: key(`recovered:${f.recoveries + 1}`), data: { fault: f.id, greenSince } }));
    if (appends.length) out.push({ kind: 'append', events: appends });
    return out;
  }
  if (f.status === 'recovered') {
    const red = probes.find((p) => t.probes[p]?.up === false);
    if (red) {
      appends.push(ev(team, { type: 'fault.relapsed', key: key(`relapsed:${f.relapses + 1}`), data: { fault: f.id, probe: red } }));
    } else if (mine.some((i) => i.state === 'resolved' && !i.resolvedWhileRed)) {
      appends.push(ev(team, { type: 'fault.resolved', key: key('resolved'), data: { fault: f.id, by: 'incident' } }));
    } else if (s.running && f.recoveredAt !== null && ctx.now >= f.recoveredAt + spec.timing.graceMs) {
      appends.push(ev(team, { type: 'fault.resolved', key: key('resolved'), data: { fault: f.id, by: 'grace' } }));
    }
  }
  if (f.status === 'injected' && s.running && f.injectedAt !== null) {
    const verifyMs = Math.max(spec.timing.verifyWithinMs, ctx.minVerifyMs ?? 0);
    const enoughChecks = Math.max(1, ...probes.map((id) => (scenario.probes.find((p) => p.id === id)?.failureThreshold ?? 1) + 1));
    const checked = ctx.checksSinceInjection ? ctx.checksSinceInjection(team, f.id) >= enoughChecks : true;
    if (!f.taken && ctx.now >= f.injectedAt + verifyMs && checked) {
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
    } else if (f.deadlineAt !== null && ctx.now >= f.deadlineAt) {
      appends.push(ev(team, { type: 'fault.timed_out', key: key(`timed_out`), data: { fault: f.id } }));
    }
  }
  if (appends.length) out.push({ kind: 'append', events: appends });
  return out;
}

/** A short name for the fault's phase, for people (organizer console, team view). */
export function phaseOf(f: FaultRun): string {
  if (f.status === 'injected') return f.acknowledged ? 'acknowledged' : f.detected ? 'detected' : 'injected';
  return f.status;
}
