/** The shapes of the show (issue 16), read from server JSON by the contract's types (GET /api/results, GET /api/game). */
import type { GameResponse } from '../../../src/contract/game.js';
import type { Results as ResultsJson } from '../../../src/contract/results.js';
import type { BoardTeam, LocText } from './model.js';

export interface FaultResult {
  fault: string;
  title: LocText;
  cause?: LocText;
  state: string;
  injectedAt: number | null;
  detectMs: number | null;
  acknowledgeMs: number | null;
  recoverMs: number | null;
  points: number; // milli
  max: number; // milli
  categories: Record<string, number>; // milli
}

export interface TeamResult {
  rank: number;
  team: string;
  name: string;
  total: number; // milli
  categories: Record<string, number>; // milli
  faults: FaultResult[];
  /** Awards and penalties: whole points, with the organizer's reason. */
  adjustments: Array<{ points: number; reason: string; seq?: number }>;
}

export interface Results {
  title?: LocText;
  finished: boolean;
  teams: TeamResult[];
  /** True when built from the board only (no GET /api/results yet): no fault details. */
  partial: boolean;
}

/** GET /api/results (src/contract/results.ts). */
export function normResults(x: unknown): Results {
  const r = x as ResultsJson;
  const teams: TeamResult[] = [...r.teams].sort((a, b) => a.rank - b.rank);
  return { title: r.title, finished: r.finished, teams, partial: false };
}

/** The final table from the board alone (when the results endpoint is not there). */
export function resultsFromBoard(teams: BoardTeam[]): Results {
  return {
    finished: true,
    partial: true,
    teams: teams.map((t) => ({
      rank: t.rank,
      team: t.id,
      name: t.name,
      total: t.points,
      categories: Object.fromEntries(t.breakdown.filter((l) => l.group === undefined).map((l) => [l.label, l.points])),
      faults: [],
      adjustments: [],
    })),
  };
}

/** The scenario's description for the pre-game war room (GET /api/game). */
export const descriptionOf = (x: GameResponse): LocText | undefined => x.scenario?.description;
