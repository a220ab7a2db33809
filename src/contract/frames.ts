import Type, { type Static } from 'typebox';
import { Board, BoardFault, BoardRow, Categories } from './board.js';
import { Closed } from './faults.js';
import { BoardGameBlock } from './game.js';

/**
 * /ws/leaderboard frames (issue 18): a snapshot (the whole board) on connect and whenever a resume
 * reaches back further than the server remembers, then compact deltas.
 *
 * A delta brings a board from version `from` to version `seq`: for each row that changed in
 * between, only its changed fields (always with `id`; a rank move is just `{ id, rank }`), and the
 * game block when the phase, clock, freeze or reveal changed. Every field is "set to this value",
 * so a delta also applies to any board at a version in [from, seq) — a client that holds a newer
 * snapshot than `from` applies it as is. A client whose version is below `from` has missed
 * something: it reconnects with `?since=<its seq>`.
 */

/**
 * What changed of a row's breakdown: the categories that changed, and `faults` as the whole list
 * with `null` where a fault's line is unchanged (a score change sends one number, not the breakdown).
 */
export const BreakdownPatch = Type.Object({ categories: Type.Optional(Type.Partial(Categories)), faults: Type.Optional(Type.Array(Type.Union([BoardFault, Type.Null()]))) }, Closed);
export type BreakdownPatch = Static<typeof BreakdownPatch>;

/** A row's changed fields: `id` and any subset of the others, the breakdown as a BreakdownPatch (new rows come whole). */
const { breakdown: _whole, ...rowFields } = BoardRow.properties;
export const RowPatch = Type.Object({ ...Type.Partial(Type.Object(rowFields)).properties, id: Type.String(), breakdown: Type.Optional(BreakdownPatch) }, Closed);
export type RowPatch = Static<typeof RowPatch>;

export const SnapshotFrame = Type.Object({ type: Type.Literal('snapshot'), seq: Type.Integer({ minimum: 0 }), board: Board }, { additionalProperties: false });
export type SnapshotFrame = Static<typeof SnapshotFrame>;

export const DeltaFrame = Type.Object(
  {
    type: Type.Literal('delta'),
    /** The board version this delta starts from (applies to any version in [from, seq)). */
    from: Type.Integer({ minimum: 0 }),
    seq: Type.Integer({ minimum: 1 }),
    rows: Type.Optional(Type.Array(RowPatch)),
    game: Type.Optional(BoardGameBlock),
  },
  { additionalProperties: false },
);
export type DeltaFrame = Static<typeof DeltaFrame>;

export const LeaderboardFrame = Type.Union([SnapshotFrame, DeltaFrame]);
export type LeaderboardFrame = Static<typeof LeaderboardFrame>;
