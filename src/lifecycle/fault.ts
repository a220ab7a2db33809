import type { Fault } from '../scenario/types.js';

/**
 * One fault's lifecycle for one team (docs/architecture.md, "The one lifecycle"). `state` is the
 * recovery track; `detection` is the independent detection track (design.md: a team may recover
 * before anyone opens an incident, and may open one after).
 */
export type FaultState =
  | 'pending'
  | 'armed'
  | 'injecting'
  | 'injected'
  | 'recovered'
  | 'resolved'
  | 'timed_out'
  | 'skipped'
  | 'reverted'
  | 'voided';

export type Detection = 'none' | 'detected' | 'acknowledged';

export const TERMINAL_STATES: readonly FaultState[] = ['resolved', 'timed_out', 'skipped', 'reverted', 'voided'];
const TERMINAL: ReadonlySet<FaultState> = new Set(TERMINAL_STATES);
export const isTerminal = (s: FaultState): boolean => TERMINAL.has(s);
/** The change is (or may be) live: the states in which incidents, probes and the deadline matter. */
export const isOpen = (s: FaultState): boolean => s === 'injecting' || s === 'injected' || s === 'recovered';

export interface Fact {
  incident: string;
  /** Game time of the fact (dated by the source's own timestamp). */
  at: number;
  /** seq of the fault.detected / fault.acknowledged event. */
  seq: number;
}

export interface FaultRun {
  id: string;
  index: number;
  state: FaultState;
  detection: Detection;
  /** Number of the latest injection attempt (0 before the first). */
  attempt: number;
  dueAt: number | null;
  /** The current attempt's revert handle, once fault.injecting recorded it. */
  handle: unknown;
  hasHandle: boolean;
  injectingAt: number | null;
  /**
   * Game time the change of the attempt that took landed; null until then. This is THE spoiler
   * boundary: a fault whose `injectedAt` is null is shown to teams and spectators as "fault N".
   */
  injectedAt: number | null;
  injectedSeq: number | null;
  deadlineAt: number | null;
  /** seqs of fault.injected and every fault.deadline_extended of the attempt (evidence). */
  deadlineSeqs: number[];
  /**
   * A recovery probe turned red after this attempt's change landed: the injection took. A probe
   * already red when the change lands does not count (it may be red for another reason, e.g. a
   * crashed backend); it counts once it has been seen green and red again, or red afresh.
   */
  taken: boolean;
  detected: Fact | null;
  acknowledged: Fact | null;
  /** `incident#n` of premature resolves already recorded, and their seqs. */
  premature: string[];
  prematureSeqs: number[];
  recoveredAt: number | null;
  greenSince: number | null;
  recoveredSeq: number | null;
  recoveries: number;
  relapses: number;
  resolvedBy: 'incident' | 'grace' | 'sign_off' | null;
  /**
   * The business side confirmed the fix (fault.signed_off) while the fault was recovered: the
   * resolution notice it confirmed and the event's seq. A relapse undoes it (users are hit again).
   */
  signedOff: { notice: number; seq: number; at: number } | null;
  endedAt: number | null;
  /** seq of the event that ended the fault (resolved, timed_out, skipped, reverted, voided). */
  endedSeq: number | null;
  /** seqs of every event that moved `state` (evidence). */
  stateSeqs: number[];
  /** The handle still has to be reverted (timed out, reverted, skipped, or a failed attempt). */
  pendingRevert: boolean;
  lastRevert: { ok: boolean; detail: string } | null;
  /** The adapter's answer to "is the change still in place?" for an attempt (fault.presence_checked). */
  presence: { attempt: number; inPlace: boolean } | null;
  /** Why the fault was voided or skipped, for people. */
  reason: string | null;
}

export function newRun(f: Pick<Fault, 'id' | 'index'>): FaultRun {
  return {
    id: f.id,
    index: f.index,
    state: 'pending',
    detection: 'none',
    attempt: 0,
    dueAt: null,
    handle: undefined,
    hasHandle: false,
    injectingAt: null,
    injectedAt: null,
    injectedSeq: null,
    deadlineAt: null,
    deadlineSeqs: [],
    taken: false,
    detected: null,
    acknowledged: null,
    premature: [],
    prematureSeqs: [],
    recoveredAt: null,
    greenSince: null,
    recoveredSeq: null,
    recoveries: 0,
    relapses: 0,
    resolvedBy: null,
    signedOff: null,
    endedAt: null,
    endedSeq: null,
    stateSeqs: [],
    pendingRevert: false,
    lastRevert: null,
    presence: null,
    reason: null,
  };
}

/** Has the change of this fault landed for this team? The one spoiler rule: mask when false. */
export const wasInjected = (f: { injectedAt: number | null }): boolean => f.injectedAt !== null;
