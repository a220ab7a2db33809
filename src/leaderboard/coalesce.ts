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

/** A timer whose time passes only when told (`tick`): tests and benchmarks decide when frames go out. */
export function manualTimer(): { timer: Timer; tick(ms: number): void } {
  let t = 0;
  let timers: Array<{ at: number; fn: () => void }> = [];
  const timer: Timer = {
    now: () => t,
    set: (fn, ms) => {
      const h = { at: t + ms, fn };
      timers.push(h);
      return h;
    },
    clear: (h) => (timers = timers.filter((x) => x !== h)),
  };
  const tick = (ms: number) => {
    t += ms;
    const due = timers.filter((x) => x.at <= t);
    timers = timers.filter((x) => x.at > t);
    for (const d of due) d.fn();
  };
  return { timer, tick };
}

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
