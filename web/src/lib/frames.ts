/**
 * /ws/leaderboard frames (src/contract/frames.ts): a snapshot replaces the board; a delta sets the
 * changed fields of the rows it names (a rank move is `{ id, rank }`; of a breakdown only what
 * changed) and the game block when it changed. A delta applies to any board at a version in [from, seq); live.ts reconnects with
 * `?since=` when one arrives for an older board.
 */
import type { BoardRow } from '../../../src/contract/board.js';
import type { LeaderboardFrame } from '../../../src/contract/frames.js';
import { normBoard, normGameBlock, normTeam, sortBoard, type Board } from './model.js';

/** The server's rows behind each board built from frames (a delta changes fields of these). */
const raws = new WeakMap<Board, Map<string, BoardRow>>();

type RowPatch = NonNullable<Extract<LeaderboardFrame, { type: 'delta' }>['rows']>[number];

/** A known row gets the changed fields (of its breakdown: the changed categories, and fault lines where not null); a new row comes whole. */
function patchRow(old: BoardRow | undefined, p: RowPatch): BoardRow {
  if (!old) return p as BoardRow;
  const { breakdown, ...fields } = p;
  const row: BoardRow = { ...old, ...fields };
  if (breakdown) {
    const faults = breakdown.faults?.map((f, i) => f ?? old.breakdown.faults[i]!) ?? old.breakdown.faults;
    row.breakdown = { categories: { ...old.breakdown.categories, ...breakdown.categories }, faults };
  }
  return row;
}

export function applyFrame(prev: Board | undefined, frame: LeaderboardFrame): Board {
  if (frame.type === 'snapshot') {
    const board = normBoard(frame.board);
    raws.set(board, new Map(frame.board.teams.map((t) => [t.id, t])));
    return board;
  }
  const rows = prev && raws.get(prev);
  // Nothing to apply it to (or already past it): keep what we have.
  if (!prev || !rows || prev.seq >= frame.seq || prev.seq < frame.from) return prev ?? normBoard({});
  const next = new Map(rows);
  const byId = new Map(prev.teams.map((t) => [t.id, t]));
  for (const p of frame.rows ?? []) {
    const raw = patchRow(next.get(p.id), p);
    next.set(p.id, raw);
    byId.set(p.id, normTeam(raw));
  }
  const game = frame.game ? normGameBlock(frame.game) : prev.game;
  const board: Board = {
    ...prev,
    seq: frame.seq,
    frozen: frame.game ? Boolean(frame.game.frozen) : prev.frozen,
    ...(game ? { game } : {}),
    teams: sortBoard([...byId.values()]),
  };
  raws.set(board, next);
  return board;
}
