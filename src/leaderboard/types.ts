import type { Board } from '../contract/board.js';
import type { Timer } from './coalesce.js';
import type { Scenario } from '../scenario/types.js';

/** The shapes the leaderboard serves (REST and WebSocket frames): the public contract's (src/contract/). */
export type { BoardGameBlock as GameBlock } from '../contract/game.js';
export type { BoardRow as BoardTeam, Board } from '../contract/board.js';

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

export type { SeriesPoint, TeamFrame, TimelineItem } from '../contract/teams.js';

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
