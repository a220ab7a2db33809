import type { Timer } from './coalesce.js';
import type { GamePhase } from '../lifecycle/index.js';
import type { Scenario, Text } from '../scenario/types.js';
import type { CurrentFault, Detection, FaultState, Standing, TeamBreakdown } from '../scoring/types.js';

/** The shapes the leaderboard serves (REST and WebSocket frames). */

export interface GameBlock {
  scenario: string;
  title: Text;
  phase: GamePhase;
  /** Game ms when this block was built; with `phase` and `speed`, clients extrapolate. */
  gameTime: number;
  speed: number;
  /** The scenario's game duration, and the game time at which the game finishes by itself (null before the start). */
  durationMs: number;
  endsAt: number | null;
  frozen: boolean;
  /** Faults' real titles are public (the game finished, or the organizers revealed them); until then titles are symptoms. */
  revealed: boolean;
}

/** One row of the board as the clients see it (milli-points). */
export interface BoardTeam {
  id: string;
  name: string;
  rank: number;
  score: number;
  breakdown: { categories: TeamBreakdown['categories']; faults: Array<{ id: string; state: FaultState; detection: Detection; points: number; max: number }> };
  currentFault: CurrentFault | null;
}

export interface Board {
  game: GameBlock;
  teams: BoardTeam[];
  seq: number;
}

/** A precomputed, serialized board of one audience. */
export interface Prepared {
  seq: number;
  board: Board;
  /** JSON of `board`, serialized once per change. */
  json: string;
  etag: string;
  /** The snapshot frame `{ type: 'snapshot', seq, board }`, serialized once per change. */
  snapshotFrame: string;
}

/** Public, team-safe moments of a team's log: never internal messages, tokens or organizer notes. */
export type TimelineItem = { seq: number; gameTime: number } & (
  | { kind: 'fault'; fault: string; title: Text | null; moment: string }
  | { kind: 'probe'; probe: string; state: 'failed' | 'recovered'; status?: number; latencyMs?: number }
  | { kind: 'incident'; incident: string; state: string; title?: string }
  | { kind: 'status'; text: string; impact?: string; currentAction?: string; nextUpdateAt?: number; resolved: boolean }
  | { kind: 'score'; total: number; delta: number; cause: string; reason?: string }
);

export interface SeriesPoint {
  seq: number;
  gameTime: number;
  total: number;
}

/** `/ws/team` frames: the snapshot carries the game block; updates carry it when the game phase or clock changed. */
export interface TeamFrame {
  type: 'snapshot' | 'update' | 'event';
  seq: number;
  team?: Standing;
  items?: TimelineItem[];
  game?: GameBlock;
}

export interface LeaderboardOptions {
  scenario: Scenario;
  /** Game ms now (the game clock's fold); read when a board is rebuilt, never per request. */
  gameTime?: () => number;
  /** How many public updates are kept for `?since=` resumes. */
  ring?: number;
  /** Most timeline items kept per team. */
  timelineCap?: number;
  /** Clock and timer of the frame coalescing (tests inject one); frames per audience at most one per `frameIntervalMs` (250). */
  timer?: Timer;
  frameIntervalMs?: number;
}
