import type { TrafficMinute } from '../contract/traffic.js';
import type { StoredEvent } from '../events/types.js';

type Counts = { requests: number; failed: number; slow: number };
const rate = (m: Counts) => (m.requests ? Math.round((1000 * m.failed) / m.requests) / 1000 : 0);

/**
 * Each team's service as its users met it: the last complete game minute and the whole game, a
 * fold of `traffic.minute` events (so a replayed game answers the same). The last report of a
 * minute wins, as in scoring.
 */
export class UserTraffic {
  private readonly last = new Map<string, Counts & { minute: number }>();
  private readonly game = new Map<string, Counts>();

  /** Fold one event; true when it changed a team's figures. */
  apply(e: StoredEvent): boolean {
    if (e.type !== 'traffic.minute' || !e.team) return false;
    const prev = this.last.get(e.team);
    const g = this.game.get(e.team) ?? { requests: 0, failed: 0, slow: 0 };
    // A second report of the same minute replaces the first: take the earlier one back out.
    if (prev && prev.minute === e.data.minute) for (const k of ['requests', 'failed', 'slow'] as const) g[k] -= prev[k];
    for (const k of ['requests', 'failed', 'slow'] as const) g[k] += e.data[k];
    this.game.set(e.team, g);
    if (!prev || e.data.minute >= prev.minute) this.last.set(e.team, { minute: e.data.minute, requests: e.data.requests, failed: e.data.failed, slow: e.data.slow });
    return true;
  }

  /** The last complete game minute, or null before any traffic. */
  lastMinute(team: string): TrafficMinute | null {
    const m = this.last.get(team);
    return m ? { ...m, errorRate: rate(m) } : null;
  }

  /** The whole game so far. */
  total(team: string): Counts & { errorRate: number } {
    const g = this.game.get(team) ?? { requests: 0, failed: 0, slow: 0 };
    return { ...g, errorRate: rate(g) };
  }
}
