import type { StoredEvent } from '../events/types.js';

/**
 * Plays a recorded log onto a fresh store at `speed` times its own game-time pace: the gap between
 * two events is their game-time gap divided by speed (pauses of the original game took no game
 * time, so they take none here). Appending each event with its recorded wall and game time makes
 * every fold (boards, timelines, results) see exactly what the original server saw.
 */
export interface ReplayOptions {
  speed: number;
  /** Append one recorded event (keeping its `at`, `gameTime`, `key` and payload). */
  append: (e: StoredEvent) => Promise<void>;
  /** Wall-time wait; injected so tests run without real time. */
  sleep?: (ms: number) => Promise<void>;
  /** The longest wall wait between two events (a long quiet stretch is not worth watching). */
  maxGapMs?: number;
}

export class Replayer {
  private index = 0;
  private paused = false;
  private wake: (() => void) | null = null;
  private stopped = false;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly events: readonly StoredEvent[],
    private opts: ReplayOptions,
  ) {
    if (!(opts.speed > 0)) throw new Error('replay speed must be > 0');
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Where the replay is: events played, of how many, and the game time reached. */
  position(): { played: number; total: number; gameTime: number; paused: boolean; done: boolean } {
    return { played: this.index, total: this.events.length, gameTime: this.events[this.index - 1]?.gameTime ?? 0, paused: this.paused, done: this.index >= this.events.length };
  }

  setSpeed(speed: number): void {
    if (!(speed > 0)) throw new Error('replay speed must be > 0');
    this.opts = { ...this.opts, speed };
  }

  pause(): void {
    this.paused = true;
  }

  resume(): void {
    this.paused = false;
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.wake?.();
  }

  /** Play to the end (or until stopped). Resolves when the last event is in. */
  async run(): Promise<void> {
    const maxGap = this.opts.maxGapMs ?? 5_000;
    while (this.index < this.events.length && !this.stopped) {
      if (this.paused) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        continue;
      }
      const e = this.events[this.index]!;
      const prev = this.events[this.index - 1];
      const gap = prev ? Math.max(0, e.gameTime - prev.gameTime) / this.opts.speed : 0;
      if (gap > 0) await this.sleep(Math.min(gap, maxGap));
      if (this.stopped) break;
      if (this.paused) continue;
      await this.opts.append(e);
      this.index++;
    }
  }
}
