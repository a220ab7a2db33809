import type { StoredEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';
import { isOpen, isTerminal, newRun, type FaultRun, type FaultState } from './fault.js';
import { incidentFactOf, nextIncidentState, type IncidentState, type IncidentVia } from './incident.js';
import { createPhase, reducePhase, type PhaseState } from './phase.js';

/**
 * THE fold of the game: the game phase, and per team each fault's lifecycle, its probes and its
 * incidents (in game time). Pure: no I/O, no clock; apply events in seq order. The sequencer's
 * `decide`, scoring, the leaderboard and every view read this fold; nothing else keeps a fault state.
 */

export interface ProbeView {
  up: boolean;
  since: number;
}

export interface IncidentView {
  id: string;
  fault: string | null;
  via: IncidentVia;
  state: IncidentState;
  /** Game time of each fact (approximated from the source's own wall timestamp). */
  triggeredAt: number;
  acknowledgedAt: number | null;
  resolvedAt: number | null;
  /** Wall time of the newest state change applied (older facts never move it backwards). */
  lastChangeAtWall: number;
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

export interface GameState extends PhaseState {
  teams: Record<string, TeamState>;
  /** Team ids in order of creation. */
  order: string[];
}

export function createGameState(): GameState {
  return { ...createPhase(), teams: {}, order: [] };
}

/** Add a team (team.created does this; scoring also adds one lazily for a log without it). */
export function addTeam(scenario: Scenario, s: GameState, id: string, seed: number, createdAt: number): TeamState {
  let t = s.teams[id];
  if (!t) {
    t = { team: id, seed, createdAt, faults: scenario.faults.map(newRun), probes: {}, incidents: {}, hintsTaken: [] };
    s.teams[id] = t;
    s.order.push(id);
  }
  return t;
}

/** The fault now in play: the first one not over yet (undefined when the sequence is done). */
export function currentFault(t: TeamState): FaultRun | undefined {
  return t.faults.find((f) => !isTerminal(f.state));
}

export const recoveryProbes = (scenario: Scenario, faultId: string): string[] => scenario.faults.find((f) => f.id === faultId)?.recoveredWhen ?? [];

/** Every recovery probe of the fault is green now (a probe never reported counts as green). */
export function allGreen(scenario: Scenario, t: TeamState, faultId: string): boolean {
  return recoveryProbes(scenario, faultId).every((p) => t.probes[p]?.up !== false);
}

/**
 * The game time at which a fact reported with its own wall timestamp happened: the append's game
 * time minus the reporting lag (scaled by speed), never before `floor`.
 */
function factTime(e: StoredEvent, occurredAtWall: number, speed: number, floor: number): number {
  const lag = Math.max(0, e.at - occurredAtWall) * speed;
  return Math.max(floor, Math.min(e.gameTime, Math.floor(e.gameTime - lag)));
}

function move(run: FaultRun, state: FaultState, seq: number): void {
  run.state = state;
  run.stateSeqs.push(seq);
}

function end(run: FaultRun, state: FaultState, e: StoredEvent): void {
  move(run, state, e.seq);
  run.endedAt = e.gameTime;
  run.endedSeq = e.seq;
}

/** Apply one event. Mutates `s` (the fold is replayed from zero on start). */
export function reduce(scenario: Scenario, s: GameState, e: StoredEvent): GameState {
  if (e.type.startsWith('game.')) {
    reducePhase(s, e);
    return s;
  }
  if (e.type === 'team.created') {
    addTeam(scenario, s, e.data.id, e.data.seed, e.gameTime);
    return s;
  }
  const t = e.team ? s.teams[e.team] : undefined;
  if (!t) return s;
  const run = 'fault' in e.data && typeof e.data.fault === 'string' ? t.faults.find((f) => f.id === (e.data as { fault: string }).fault) : undefined;

  switch (e.type) {
    case 'fault.armed':
      if (run && (run.state === 'pending' || run.state === 'armed')) {
        if (run.state === 'pending') move(run, 'armed', e.seq);
        run.dueAt = e.data.dueAt;
      }
      break;
    case 'fault.injecting':
      if (run && (run.state === 'pending' || run.state === 'armed' || run.state === 'injecting')) {
        move(run, 'injecting', e.seq);
        run.attempt = e.data.attempt;
        run.handle = e.data.handle;
        run.hasHandle = true;
        run.injectingAt = e.gameTime;
        run.injectedAt = null;
        run.injectedSeq = null;
        run.deadlineAt = null;
        run.deadlineSeqs = [];
        run.taken = false;
      }
      break;
    case 'fault.injected':
      // A log may omit fault.injecting (hand-made logs, golden fixtures): the injection stands alone.
      // A retried injection restarts the clock: the attempt that took is the one scored.
      if (run && (run.state === 'pending' || run.state === 'armed' || run.state === 'injecting')) {
        if (run.state !== 'injecting') {
          run.injectingAt = e.gameTime;
          run.attempt = e.data.attempt;
        }
        move(run, 'injected', e.seq);
        run.injectedAt = e.gameTime;
        run.injectedSeq = e.seq;
        run.deadlineAt = e.data.deadlineAt;
        run.deadlineSeqs = [e.seq];
      }
      break;
    case 'fault.injection_failed':
      // The attempt is over; the fault waits to be re-armed (same batch) or voided. No state of its own.
      if (run && (run.state === 'injecting' || run.state === 'injected')) {
        run.attempt = Math.max(run.attempt, e.data.attempt);
        run.pendingRevert = run.hasHandle;
        move(run, 'armed', e.seq);
        run.dueAt = null;
        run.taken = false;
        run.injectedAt = null;
        run.injectedSeq = null;
        run.deadlineAt = null;
      }
      break;
    case 'fault.presence_checked':
      if (run) run.presence = { attempt: e.data.attempt, inPlace: e.data.inPlace };
      break;
    case 'fault.detected':
      // The earliest fact wins (a late webhook may date it earlier).
      if (run && (!run.detected || e.data.at < run.detected.at)) {
        run.detected = { incident: e.data.incident, at: e.data.at, seq: e.seq };
        if (run.detection === 'none') run.detection = 'detected';
      }
      break;
    case 'fault.acknowledged':
      if (run && (!run.acknowledged || e.data.at < run.acknowledged.at)) {
        run.acknowledged = { incident: e.data.incident, at: e.data.at, seq: e.seq };
        run.detection = 'acknowledged';
      }
      break;
    case 'fault.premature_resolve':
      if (run) {
        const inc = t.incidents[e.data.incident];
        run.premature.push(`${e.data.incident}#${inc?.resolves ?? 1}`);
        run.prematureSeqs.push(e.seq);
      }
      break;
    case 'fault.recovered':
      if (run && (run.state === 'injected' || run.state === 'injecting')) {
        move(run, 'recovered', e.seq);
        run.recoveredAt = e.gameTime;
        run.greenSince = e.data.greenSince;
        run.recoveredSeq = e.seq;
        run.recoveries++;
      }
      break;
    case 'fault.relapsed':
      if (run && run.state === 'recovered') {
        move(run, 'injected', e.seq);
        run.recoveredAt = null;
        run.greenSince = null;
        run.recoveredSeq = null;
        run.signedOff = null;
        run.relapses++;
      }
      break;
    case 'fault.signed_off':
      // Only a recovered fault can be signed off; the first sign-off of a recovery stands.
      if (run && run.state === 'recovered' && !run.signedOff) run.signedOff = { notice: e.data.notice, seq: e.seq, at: e.gameTime };
      break;
    case 'fault.resolved':
      if (run && run.state === 'recovered') {
        run.resolvedBy = e.data.by;
        end(run, 'resolved', e);
      }
      break;
    case 'fault.timed_out':
      if (run && isOpen(run.state)) {
        run.pendingRevert = run.hasHandle;
        run.recoveredAt = null;
        run.greenSince = null;
        run.recoveredSeq = null;
        end(run, 'timed_out', e);
      }
      break;
    case 'fault.reverted':
      if (run && isOpen(run.state)) {
        run.pendingRevert = run.hasHandle;
        end(run, 'reverted', e);
      }
      break;
    case 'fault.skipped':
    case 'fault.voided':
      // Skipped and voided faults count for nothing either way, even one that had ended.
      if (run && run.state !== 'skipped' && run.state !== 'voided') {
        if (e.type === 'fault.skipped') run.pendingRevert = run.hasHandle && (isOpen(run.state) || run.pendingRevert);
        run.reason = e.data.reason;
        end(run, e.type === 'fault.skipped' ? 'skipped' : 'voided', e);
      }
      break;
    case 'fault.deadline_extended':
      if (run) {
        run.deadlineAt = e.data.deadlineAt;
        run.deadlineSeqs.push(e.seq);
      }
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
        // Taken: a recovery probe turned red after the change landed (a transition, not a red left over).
        if (cur && (cur.state === 'injecting' || cur.state === 'injected') && recoveryProbes(scenario, cur.id).includes(e.data.probe)) cur.taken = true;
      }
      break;
    }
    case 'incident.triggered': {
      const cur = currentFault(t);
      const inFault = cur && isOpen(cur.state) ? cur : undefined;
      const floor = inFault?.injectingAt ?? 0;
      t.incidents[e.data.incident] ??= {
        id: e.data.incident,
        fault: inFault?.id ?? null,
        via: e.data.via,
        state: 'triggered',
        triggeredAt: factTime(e, e.data.occurredAtWall, s.speed, floor),
        acknowledgedAt: null,
        resolvedAt: null,
        lastChangeAtWall: e.data.occurredAtWall,
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
      const fact = incidentFactOf(e.type);
      if (!inc || !fact) break;
      const atWall = e.data.occurredAtWall;
      if (fact === 'acknowledged') inc.acknowledgedAt ??= factTime(e, atWall, s.speed, inc.triggeredAt);
      const next = nextIncidentState(inc.state, fact, atWall, inc.lastChangeAtWall);
      if (!next) break;
      inc.state = next;
      inc.lastChangeAtWall = atWall;
      if (fact === 'resolved') {
        inc.resolves++;
        inc.resolvedAt = factTime(e, atWall, s.speed, inc.triggeredAt);
        // Premature when the fault it belongs to is open and a recovery probe is red right now.
        const f = inc.fault ? t.faults.find((x) => x.id === inc.fault) : undefined;
        inc.resolvedWhileRed = !!f && isOpen(f.state) && f.state !== 'recovered' && !allGreen(scenario, t, f.id);
      } else if (fact === 'reopened') inc.resolvedWhileRed = false;
      break;
    }
    default:
  }
  return s;
}
