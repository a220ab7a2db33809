import type { Scenario, Text } from '../scenario/types.js';
import type { Standing, TeamBreakdown } from '../scoring/types.js';
import type { BoardTeam } from './types.js';

/**
 * Spectators and teams must not learn what is coming, nor what is behind what they see:
 * - a fault whose change has not landed for this team (`injectedAt` null: pending, armed, injecting,
 *   or skipped/voided before it landed) is "fault N" with no id or title, and no team's current
 *   fault until it lands (no "armed" chip);
 * - a fault that landed is shown by its symptom (`symptom` in the scenario), never its title, until
 *   the faults are revealed (the game finished, or the organizers revealed them: `game.revealed`),
 *   since another team may still face it.
 * Organizers see everything.
 */
export const maskedId = (index: number) => `fault-${index + 1}`;
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

export function spoilerFree(b: TeamBreakdown, mask: Mask): TeamBreakdown {
  return { ...b, faults: b.faults.map((f) => (hidden(f) ? { ...f, fault: maskedId(f.index), title: null } : { ...f, title: publicTitle(mask, f.fault, f.title) })) };
}

export function spoilerFreeStanding(s: Standing, mask: Mask): Standing {
  const cur = s.currentFault;
  return {
    ...s,
    breakdown: spoilerFree(s.breakdown, mask),
    currentFault: !cur || hidden(cur) ? null : { ...cur, title: publicTitle(mask, cur.id, cur.title) },
  };
}

/** A board row (every audience's board is spoiler-free: the organizer console reads the game state). */
export function boardTeam(s: Standing, mask: Mask): BoardTeam {
  const safe = spoilerFreeStanding(s, mask);
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
