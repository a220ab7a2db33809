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
  /**
   * Start again from an empty store (a seek backwards: the log is append-only, so the boards are
   * rebuilt by playing the events up to the target again). Without it, seeking backwards is refused.
   */
  reset?: () => Promise<void>;
  /** Wall-time wait; injected so tests run without real time. */
  sleep?: (ms: number) => Promise<void>;
  /** The longest wall wait between two events (a long quiet stretch is not worth watching). */
  maxGapMs?: number;
}

import type { ReplayPosition } from '../contract/replay.js';
export type { ReplayPosition };

export class Replayer {
  private index = 0;
  private paused = false;
  private stopped = false;
  /** Game time reached by a seek between two events (the next event is later). */
  private seekedTo: number | null = null;
  /** Wakes a waiting run loop: a resume, a seek, a stop. */
  private wake: (() => void) | null = null;
  /** Bumped by every seek: an append decided before it is dropped. */
  private generation = 0;
  /** Appends and seeks one at a time, in order. */
  private busy: Promise<void> = Promise.resolve();
  private running: Promise<void> | null = null;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(
    private readonly events: readonly StoredEvent[],
    private opts: ReplayOptions,
  ) {
    if (!(opts.speed > 0)) throw new Error('replay speed must be > 0');
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
  }

  /** Where the replay is: events played, of how many, and the game time reached. */
  position(): ReplayPosition {
    const last = this.events[this.index - 1]?.gameTime ?? 0;
    return {
      played: this.index,
      total: this.events.length,
      gameTime: Math.max(last, this.seekedTo ?? 0),
      endsAt: this.events[this.events.length - 1]?.gameTime ?? 0,
      speed: this.opts.speed,
      paused: this.paused,
      done: this.index >= this.events.length,
    };
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
    this.poke();
    // After a seek back from the end, the loop has to be started again.
    if (!this.running && !this.stopped && this.index < this.events.length) void this.run();
  }

  stop(): void {
    this.stopped = true;
    this.poke();
  }

  private poke(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private locked(fn: () => Promise<void>): Promise<void> {
    const p = this.busy.then(fn);
    this.busy = p.catch(() => {});
    return p;
  }

  /** A wait that a resume, seek or stop cuts short. */
  private async waitUpTo(ms: number): Promise<void> {
    await Promise.race([this.sleep(ms), new Promise<void>((r) => (this.wake = r))]);
    this.wake = null;
  }

  /**
   * Jump to game time `gameTime`: afterwards exactly the events at or before it are in the store
   * (backwards: from an empty store again, through `reset`). Keeps the paused state; a running
   * replay goes on from there.
   */
  seek(gameTime: number): Promise<void> {
    if (!Number.isFinite(gameTime) || gameTime < 0) return Promise.reject(new Error('seek: game time must be a number >= 0'));
    this.generation++;
    this.poke();
    return this.locked(async () => {
      const reached = this.position().gameTime;
      if (gameTime < reached) {
        if (!this.opts.reset) throw new Error('this replay cannot seek backwards');
        await this.opts.reset();
        this.index = 0;
      }
      while (this.index < this.events.length && this.events[this.index]!.gameTime <= gameTime) {
        await this.opts.append(this.events[this.index]!);
        this.index++;
      }
      this.seekedTo = gameTime;
      if (!this.running && !this.paused && !this.stopped && this.index < this.events.length) void this.run();
    });
  }

  /** Play to the end (or until stopped). Resolves when the last event is in. */
  run(): Promise<void> {
    this.running ??= this.loop().finally(() => (this.running = null));
    return this.running;
  }

  private async loop(): Promise<void> {
    const maxGap = this.opts.maxGapMs ?? 5_000;
    while (this.index < this.events.length && !this.stopped) {
      if (this.paused) {
        await new Promise<void>((r) => (this.wake = r));
        this.wake = null;
        continue;
      }
      // A seek in flight first: the next wait is measured from where it lands.
      await this.busy;
      if (this.index >= this.events.length || this.stopped) break;
      const gen = this.generation;
      const e = this.events[this.index]!;
      const from = Math.max(this.events[this.index - 1]?.gameTime ?? e.gameTime, this.seekedTo ?? 0);
      const gap = Math.max(0, e.gameTime - from) / this.opts.speed;
      if (gap > 0) await this.waitUpTo(Math.min(gap, maxGap));
      if (this.stopped) break;
      if (this.paused || gen !== this.generation) continue;
      await this.locked(async () => {
        // A seek in between has moved the replay on: decide again.
        if (gen !== this.generation || this.events[this.index] !== e) return;
        await this.opts.append(e);
        this.index++;
      });
    }
  }
}
