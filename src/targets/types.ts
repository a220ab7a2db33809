import type { FaultActions } from '../scenario/types.js';

/**
 * A target adapter breaks and restores one team's service. It knows nothing of the game: the
 * sequencer calls plan → appends fault.injecting{handle} → inject, and on the way back revert(handle).
 * All three are idempotent: inject twice = inject once; revert of a reverted handle does nothing.
 */
export interface FaultRequest {
  team: string;
  fault: string;
  actions: FaultActions;
}

export interface Plan {
  /** What would change, for people (organizer console, dry runs). */
  summary: string;
  /**
   * Everything revert needs, as plain JSON: persisted in the event log *before* the change is
   * made, so a crash between the two can still be undone. Revert is a compare-and-swap: each field
   * is restored only if it still holds the fault's value, so it never undoes a team's own fix.
   */
  handle: unknown;
}

export interface RevertResult {
  /** False when nothing needed restoring or a team's own change was kept. */
  changed: boolean;
  detail: string;
}

export interface TargetAdapter {
  readonly kind: string;
  plan(req: FaultRequest): Promise<Plan>;
  inject(req: FaultRequest, handle: unknown): Promise<void>;
  revert(team: string, handle: unknown): Promise<RevertResult>;
  /**
   * Is the change still in place (every field the handle set still holds the fault's value)? Asked
   * before an injection is called "not taken", so a team that fixed the fault before any probe
   * turned red is not injected again. Read-only.
   */
  inPlace(team: string, handle: unknown): Promise<boolean>;
  /** The team's public base URL, which probes and spectators use (e.g. http://127.0.0.1:9100). */
  publicUrl(team: string): string | undefined;
}
