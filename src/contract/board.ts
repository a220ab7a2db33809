import Type, { type Static } from 'typebox';
import { Closed, Detection, FaultState, Masked, PublicCurrentFault, Shown } from './faults.js';
import { BoardGameBlock } from './game.js';
import { TrafficMinute } from './traffic.js';

/** Category sums, milli-points (src/scoring/types.ts TeamBreakdown.categories). */
export const Categories = Type.Object(
  {
    recovery: Type.Number(),
    detection: Type.Number(),
    communication: Type.Number(),
    review: Type.Number(),
    availability: Type.Number(),
    hints: Type.Number(),
    adjustments: Type.Number(),
  },
  Closed,
);
export type Categories = Static<typeof Categories>;

const FaultLine = { state: FaultState, detection: Detection, points: Type.Number(), max: Type.Number() };
/** A fault's line of a board row: a masked one has no id (src/contract/faults.ts). */
export const BoardFault = Type.Union([Type.Object({ ...Shown, id: Type.String(), ...FaultLine }, Closed), Type.Object({ ...Masked, ...FaultLine }, Closed)]);
export type BoardFault = Static<typeof BoardFault>;

/** One row of the board (milli-points). */
export const BoardRow = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    rank: Type.Integer({ minimum: 1 }),
    /** milli-points */
    score: Type.Number(),
    breakdown: Type.Object({ categories: Categories, faults: Type.Array(BoardFault) }, Closed),
    currentFault: PublicCurrentFault,
    /** What the team's users met in the last complete game minute (issue 16); null before any traffic. */
    traffic: Type.Union([TrafficMinute, Type.Null()]),
  },
  Closed,
);
export type BoardRow = Static<typeof BoardRow>;

/** GET /api/leaderboard (and the organizers' GET /api/admin/leaderboard): `seq` is the audience's board version. */
export const Board = Type.Object({ game: BoardGameBlock, teams: Type.Array(BoardRow), seq: Type.Integer({ minimum: 0 }) }, Closed);
export type Board = Static<typeof Board>;

// The /ws/leaderboard frames (a snapshot, then compact deltas): src/contract/frames.ts.
