import type { IncidentsLogger } from './ports.js';

/**
 * Background work of the PagerDuty side. Work on PagerDuty facts (webhook deliveries, polls) runs
 * one job at a time, in order, so fold checks and appends never interleave; every job is tracked
 * so `idle()` and `close()` can wait for it.
 */
export class Jobs {
  private chain: Promise<void> = Promise.resolve();
  private readonly background = new Set<Promise<unknown>>();

  constructor(private readonly log?: IncidentsLogger) {}

  /** Run `work` after every job queued before it. */
  enqueue(work: () => Promise<void>): Promise<void> {
    const p = this.chain.then(work);
    this.chain = p.catch((err: unknown) => this.log?.warn({ err: (err as Error).message }, 'PagerDuty processing failed'));
    this.track(p.catch(() => {}));
    return p;
  }

  /** Keep a promise in view until it settles. */
  track(p: Promise<unknown>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  running(): Promise<unknown>[] {
    return [...this.background];
  }
}
