import type { StoredEvent } from '../events/types.js';
import type { TeamBreakdown } from '../scoring/types.js';

export type FrozenBreakdown = { rank: number; score: number; breakdown: TeamBreakdown };

/**
 * The organizers' freeze of the public board: where it stopped (an event seq) and each team's
 * public breakdown at that moment. The public board, timelines and series stop there.
 */
export class Freeze {
  at: number | null = null;
  private breakdowns = new Map<string, FrozenBreakdown>();

  /** Returns true when the freeze changed; `snapshot` is asked for the breakdowns at a new freeze. */
  apply(e: StoredEvent, snapshot: () => Map<string, FrozenBreakdown>): boolean {
    if (e.type === 'game.board_frozen') {
      if (this.at !== null) return false;
      this.at = e.seq;
      this.breakdowns = snapshot();
      return true;
    }
    if (e.type === 'game.board_unfrozen') {
      if (this.at === null) return false;
      this.at = null;
      return true;
    }
    return false;
  }

  get frozen(): boolean {
    return this.at !== null;
  }
  breakdown(team: string): FrozenBreakdown | undefined {
    return this.breakdowns.get(team);
  }
}
