import type { NewEvent } from '../events/types.js';

/**
 * Spectators are users: every request they make through /t/<team>/ is counted per team per game
 * minute (requests, failed, slow) and written as one `traffic.minute` event when the minute is
 * over (key `traffic:<team>:<minute>`, so a repeat stores nothing), beside the probes' sli.minute.
 * Game time comes in as a function; nothing here reads a clock. A partial minute at a crash is lost
 * (as for sli.minute).
 */
export interface MinuteCount {
  minute: number;
  requests: number;
  failed: number;
  slow: number;
}

export class UserTraffic {
  private readonly open = new Map<string, MinuteCount>();

  constructor(
    private readonly opts: {
      /** Game ms now, or null while the game is not running (nothing is counted then). */
      gameTime: () => number | null;
      slowMs: () => number;
      append: (events: NewEvent[]) => Promise<unknown>;
    },
  ) {}

  /** One answered (or failed) request. */
  record(team: string, r: { status: number; ms: number; error?: boolean }): void {
    const now = this.opts.gameTime();
    if (now === null) return;
    const minute = Math.floor(now / 60_000);
    let c = this.open.get(team);
    if (c && c.minute !== minute) {
      void this.flushTeam(team, minute);
      c = undefined;
    }
    if (!c) this.open.set(team, (c = { minute, requests: 0, failed: 0, slow: 0 }));
    c.requests++;
    const failed = r.error === true || r.status >= 500;
    if (failed) c.failed++;
    else if (r.ms > this.opts.slowMs()) c.slow++;
  }

  /** Append every minute that is over (all of them when `all`, e.g. at shutdown). */
  async flush(all = false): Promise<void> {
    const now = this.opts.gameTime();
    const minute = now === null ? Infinity : Math.floor(now / 60_000);
    for (const team of [...this.open.keys()]) await this.flushTeam(team, all ? Infinity : minute);
  }

  private async flushTeam(team: string, currentMinute: number): Promise<void> {
    const c = this.open.get(team);
    if (!c || c.minute >= currentMinute) return;
    this.open.delete(team);
    await this.opts.append([{ type: 'traffic.minute', team, source: 'proxy', key: `traffic:${team}:${c.minute}`, data: { ...c } }]).catch(() => {});
  }
}
