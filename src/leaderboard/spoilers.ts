import type { Standing, TeamBreakdown } from '../scoring/types.js';
import type { BoardTeam } from './types.js';

/**
 * Spectators and teams must not learn what is coming. The one rule: a fault whose change has not
 * landed for this team (`injectedAt` null: pending, armed, injecting, or skipped/voided before it
 * landed) is shown as "fault N" with no id or title. Organizers see everything.
 */
export const maskedId = (index: number) => `fault-${index + 1}`;
const hidden = (f: { injectedAt: number | null }) => f.injectedAt === null;

export function spoilerFree(b: TeamBreakdown): TeamBreakdown {
  return { ...b, faults: b.faults.map((f) => (hidden(f) ? { ...f, fault: maskedId(f.index), title: null } : f)) };
}

export function spoilerFreeStanding(s: Standing): Standing {
  const cur = s.currentFault;
  return {
    ...s,
    breakdown: spoilerFree(s.breakdown),
    currentFault: cur && hidden(cur) ? { ...cur, id: maskedId(cur.index), title: null } : cur,
  };
}

/** A board row (every audience's board is spoiler-free: the organizer console reads the game state). */
export function boardTeam(s: Standing): BoardTeam {
  const safe = spoilerFreeStanding(s);
  return {
    id: s.team,
    name: s.name,
    rank: s.rank,
    score: s.total,
    breakdown: {
      categories: s.breakdown.categories,
      faults: safe.breakdown.faults.map((f) => ({ id: f.fault, state: f.state, detection: f.detection.state, points: f.points, max: f.max })),
    },
    currentFault: safe.currentFault,
  };
}
