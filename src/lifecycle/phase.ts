import type { StoredEvent } from '../events/types.js';

/**
 * The game phase, folded once from `game.*` events. Every audience's game block (GET /api/game,
 * /api/team, /ws/leaderboard, /ws/team, the organizer console) reads this fold.
 */
export type GamePhase = 'not_started' | 'running' | 'paused' | 'finished';

export interface PhaseState {
  phase: GamePhase;
  /** Game time of game.started (0 on the game clock), null before. */
  startedAt: number | null;
  speed: number;
  /** How game.finished came: an organizer, or the system when the scenario's duration was reached. */
  finishedBy: 'organizer' | 'duration' | null;
  /** Faults' real titles and causes are public: once the game finished, or when the organizers revealed them. Until then the public sees each fault's symptom. */
  revealed: boolean;
}

export function createPhase(): PhaseState {
  return { phase: 'not_started', startedAt: null, speed: 1, finishedBy: null, revealed: false };
}

/** Apply one event; returns true when the phase, speed or start changed. Mutates `p`. */
export function reducePhase(p: PhaseState, e: StoredEvent): boolean {
  switch (e.type) {
    case 'game.started':
      if (p.phase !== 'not_started') return false;
      p.phase = 'running';
      p.startedAt = e.gameTime;
      return true;
    case 'game.paused':
      if (p.phase !== 'running') return false;
      p.phase = 'paused';
      return true;
    case 'game.resumed':
      if (p.phase !== 'paused') return false;
      p.phase = 'running';
      return true;
    case 'game.finished':
      if (p.phase === 'finished') return false;
      p.phase = 'finished';
      p.finishedBy = e.data.by.kind === 'system' ? 'duration' : 'organizer';
      p.revealed = true;
      return true;
    case 'game.revealed':
      if (p.revealed) return false;
      p.revealed = true;
      return true;
    case 'game.speed_set':
      if (p.speed === e.data.speed) return false;
      p.speed = e.data.speed;
      return true;
    default:
      return false;
  }
}

/** When the game ends by itself (game time), or null before the start. */
export function endsAt(p: Pick<PhaseState, 'startedAt'>, durationMs: number): number | null {
  return p.startedAt === null ? null : p.startedAt + durationMs;
}
