/** A clock and timer, injected so tests decide when time passes (no wall time in `npm test`). */
export interface Timer {
  now(): number;
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export const realTimer: Timer = {
  now: () => performance.now(),
  set: (fn, ms) => {
    const t = setTimeout(fn, ms);
    // A pending frame never keeps the process alive.
    t.unref?.();
    return t;
  },
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

/** At most 4 frames a second per audience (issue 18). */
export const FRAME_INTERVAL_MS = 250;

/**
 * At most one flush per interval, the latest state wins: the first change after a quiet interval
 * is flushed at once (no added latency), later ones wait for the interval's end and go out
 * together. What the flush sends is the caller's (it merges what accumulated).
 */
export class Coalescer {
  private last = -Infinity;
  private handle: unknown;
  constructor(
    private readonly flush: () => void,
    private readonly timer: Timer = realTimer,
    private readonly intervalMs = FRAME_INTERVAL_MS,
  ) {}

  /** Something changed: flush now, or at the end of the current interval. */
  poke(): void {
    if (this.handle !== undefined) return;
    const wait = this.last + this.intervalMs - this.timer.now();
    if (wait <= 0) this.fire();
    else this.handle = this.timer.set(() => this.fire(), wait);
  }

  /** Flush what waits now (e.g. before a freeze or at shutdown). */
  now(): void {
    if (this.handle === undefined) return;
    this.timer.clear(this.handle);
    this.fire();
  }

  get pending(): boolean {
    return this.handle !== undefined;
  }

  private fire(): void {
    this.handle = undefined;
    this.last = this.timer.now();
    this.flush();
  }

  close(): void {
    if (this.handle !== undefined) this.timer.clear(this.handle);
    this.handle = undefined;
  }
}
