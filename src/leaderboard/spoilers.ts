import type { PublicCurrentFault } from '../contract/faults.js';
import type { PublicBreakdown, PublicFaultScore, PublicStanding } from '../contract/teams.js';
import type { TrafficMinute } from '../contract/traffic.js';
import type { Scenario, Text } from '../scenario/types.js';
import type { BoardStanding } from '../scoring/fold.js';
import type { FaultScore, Standing, TeamBreakdown } from '../scoring/types.js';
import type { BoardTeam } from './types.js';

/**
 * Spectators and teams must not learn what is coming, nor what is behind what they see:
 * - a fault whose change has not landed for this team (`injectedAt` null: pending, armed, injecting,
 *   or skipped/voided before it landed) is `masked` ("fault N") with no id or title at all, and no
 *   team's current fault until it lands (no "armed" chip);
 * - a fault that landed is shown by its symptom (`symptom` in the scenario), never its title, until
 *   the faults are revealed (the game finished, or the organizers revealed them: `game.revealed`),
 *   since another team may still face it.
 * The public shapes (src/contract/faults.ts) have no place for a masked fault's id. Organizers see everything.
 */
const hidden = (f: { injectedAt: number | null }) => f.injectedAt === null;

/** What the public may read of faults right now. */
export interface Mask {
  revealed: boolean;
  scenario: Pick<Scenario, 'faults'>;
}

/** The title the public reads for a landed fault: its symptom until revealed. */
export function publicTitle(mask: Mask, fault: string, real: Text | null): Text | null {
  if (mask.revealed) return real;
  return mask.scenario.faults.find((f) => f.id === fault)?.symptom ?? null;
}

function publicFault(f: FaultScore, mask: Mask): PublicFaultScore {
  const { fault, title, index, ...lines } = f;
  return hidden(f) ? { masked: true, index, ...lines } : { masked: false, index, fault, title: publicTitle(mask, fault, title), ...lines };
}

export function spoilerFree(b: TeamBreakdown, mask: Mask): PublicBreakdown {
  return { ...b, faults: b.faults.map((f) => publicFault(f, mask)) };
}

function publicCurrent(s: Pick<Standing, 'currentFault'>, mask: Mask): PublicCurrentFault {
  const cur = s.currentFault;
  if (!cur || cur.injectedAt === null) return null;
  return { id: cur.id, index: cur.index, title: publicTitle(mask, cur.id, cur.title), state: cur.state, detection: cur.detection, injectedAt: cur.injectedAt };
}

export function spoilerFreeStanding(s: Standing, mask: Mask): PublicStanding {
  return { team: s.team, name: s.name, rank: s.rank, total: s.total, reachedSeq: s.reachedSeq, breakdown: spoilerFree(s.breakdown, mask), currentFault: publicCurrent(s, mask) };
}

/** A board row (every audience's board is spoiler-free: the organizer console reads the game state). */
export function boardTeam(s: BoardStanding, mask: Mask, traffic: TrafficMinute | null): BoardTeam {
  return {
    id: s.team,
    name: s.name,
    rank: s.rank,
    score: s.total,
    breakdown: {
      categories: s.breakdown.categories,
      faults: s.breakdown.faults.map((f) => {
        const line = { index: f.index, state: f.state, detection: f.detection.state, points: f.points, max: f.max };
        return hidden(f) ? { masked: true as const, ...line } : { masked: false as const, id: f.fault, ...line };
      }),
    },
    currentFault: publicCurrent(s, mask),
    traffic,
  };
}
