import type { Clock } from '../clock.js';
import type { StoredEvent } from '../events/types.js';
import { createPhase, reducePhase, type GamePhase } from '../lifecycle/phase.js';

/**
 * Game time as a fold of the log: it starts at game.started, stops while paused, and runs
 * `speed` times faster than wall time. Delays, deadlines, grace and holdFor are game time.
 */
export class GameClock {
  private anchorWall = 0;
  private anchorGame = 0;
  private speedNow = 1;
  private runningNow = false;
  /** The game phase: the lifecycle's phase fold (the one place it is folded). */
  private readonly phaseState = createPhase();

  constructor(private readonly wall: Clock) {}

  apply(e: StoredEvent): void {
    reducePhase(this.phaseState, e);
    switch (e.type) {
      case 'game.started':
        this.runningNow = true;
        this.anchorWall = e.at;
        this.anchorGame = 0;
        break;
      case 'game.paused':
      case 'game.finished':
        this.anchorGame = e.gameTime;
        this.anchorWall = e.at;
        this.runningNow = false;
        break;
      case 'game.resumed':
        this.anchorGame = e.gameTime;
        this.anchorWall = e.at;
        this.runningNow = this.phaseState.phase === 'running';
        break;
      case 'game.speed_set':
        this.anchorGame = e.gameTime;
        this.anchorWall = e.at;
        this.speedNow = e.data.speed;
        break;
      default:
    }
  }

  /** Game ms now. */
  now(): number {
    if (!this.runningNow) return this.anchorGame;
    return Math.floor(this.anchorGame + (this.wall.now() - this.anchorWall) * this.speedNow);
  }

  /** Wall ms until game time `gameAt` is reached (Infinity while paused). */
  wallDelayUntil(gameAt: number): number {
    const d = gameAt - this.now();
    if (d <= 0) return 0;
    return this.runningNow ? Math.ceil(d / this.speedNow) : Infinity;
  }

  /** The game time at a wall instant (for incidents reported with their own timestamps). */
  gameTimeAtWall(wallMs: number): number {
    if (!this.runningNow) return this.anchorGame;
    return Math.max(0, Math.floor(this.anchorGame + (wallMs - this.anchorWall) * this.speedNow));
  }

  get speed(): number {
    return this.speedNow;
  }
  get running(): boolean {
    return this.runningNow;
  }
  get phase(): GamePhase {
    return this.phaseState.phase;
  }
  /** Game time of game.started, null before. */
  get startedAt(): number | null {
    return this.phaseState.startedAt;
  }
  get started(): boolean {
    return this.phaseState.phase !== 'not_started';
  }
  get finished(): boolean {
    return this.phaseState.phase === 'finished';
  }
}
