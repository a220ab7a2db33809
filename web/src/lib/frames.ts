/**
 * /ws/leaderboard frames (src/contract/frames.ts): a snapshot replaces the board; a delta sets the
 * changed fields of the rows it names (a rank move is `{ id, rank }`) and the game block when it
 * changed. A delta applies to any board at a version in [from, seq); live.ts reconnects with
 * `?since=` when one arrives for an older board.
 */
import type { DeltaFrame, SnapshotFrame } from '../../../src/contract/frames.js';
import { normBoard, normGameBlock, normTeam, sortBoard, type Board } from './model.js';

type Raw = Record<string, unknown>;
/** The server's rows behind each board built from frames (a delta changes fields of these). */
const raws = new WeakMap<Board, Map<string, Raw>>();

const isDelta = (f: unknown): f is DeltaFrame => !!f && typeof f === 'object' && (f as { type?: unknown }).type === 'delta';

export function applyFrame(prev: Board | undefined, frame: unknown): Board {
  if (!isDelta(frame)) {
    const board = normBoard(frame);
    const inner = (frame as Partial<SnapshotFrame> | undefined)?.board ?? frame;
    const list = Array.isArray((inner as { teams?: unknown })?.teams) ? ((inner as { teams: Raw[] }).teams) : [];
    raws.set(board, new Map(list.filter((t) => t && typeof t.id === 'string').map((t) => [t.id as string, t])));
    return board;
  }
  const rows = prev && raws.get(prev);
  // Nothing to apply it to (or already past it): keep what we have.
  if (!prev || !rows || prev.seq >= frame.seq || prev.seq < frame.from) return prev ?? normBoard({});
  const next = new Map(rows);
  const byId = new Map(prev.teams.map((t) => [t.id, t]));
  for (const p of frame.rows ?? []) {
    const raw = { ...next.get(p.id), ...p };
    next.set(p.id, raw);
    byId.set(p.id, normTeam(raw, 0));
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
