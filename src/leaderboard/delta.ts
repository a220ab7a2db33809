import type { Board as FrameBoard, BoardRow as FrameRow } from '../contract/board.js';
import type { DeltaFrame, RowPatch } from '../contract/frames.js';
import type { GameBlock } from './types.js';

/**
 * Compact board deltas (src/contract/frames.ts): pure functions shared by the audience boards (which
 * make them), the fan-out replicas (which apply and merge them) and the tests.
 */
export interface Delta {
  from: number;
  seq: number;
  /** Changed fields by row id. */
  rows: Map<string, RowPatch>;
  game?: GameBlock;
}

/**
 * One delta covering `a` then `b` (b's values win): still a set of "field = value", so it applies
 * from a.from. `a` must be owned (made by copyDelta): its patches are updated in place.
 */
export function mergeInto(a: Delta, b: Delta): Delta {
  for (const [id, p] of b.rows) {
    const q = a.rows.get(id);
    if (q) Object.assign(q, p);
    else a.rows.set(id, { ...p });
  }
  a.seq = b.seq;
  if (b.game) a.game = b.game;
  return a;
}

export const emptyDelta = (from: number): Delta => ({ from, seq: from, rows: new Map() });
/** A copy whose patches are its own (mergeInto may update them). */
export const copyDelta = (d: Delta): Delta => ({ ...d, rows: new Map([...d.rows].map(([id, p]) => [id, { ...p }])) });

export function deltaFrame(d: Delta): string {
  let rows = '';
  for (const p of d.rows.values()) rows += (rows ? ',' : '') + JSON.stringify(p);
  return `{"type":"delta","seq":${d.seq},"from":${d.from}${rows ? `,"rows":[${rows}]` : ''}${d.game ? `,"game":${JSON.stringify(d.game)}` : ''}}`;
}

/** Parse a delta frame back (the fan-out replicas keep the ring of what they were sent). */
export function parseDelta(f: DeltaFrame): Delta {
  return { from: f.from, seq: f.seq, rows: new Map((f.rows ?? []).map((r) => [r.id, r])), ...(f.game ? { game: f.game as GameBlock } : {}) };
}

const byRank = (a: FrameRow, b: FrameRow) => a.rank - b.rank || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Apply a delta to a board at a version in [from, seq); null when the board is older than `from` (resync). */
export function applyDelta(board: FrameBoard, f: DeltaFrame): FrameBoard | null {
  if (board.seq < f.from) return null;
  if (board.seq >= f.seq) return board;
  const rows = new Map(board.teams.map((t) => [t.id, t]));
  for (const p of f.rows ?? []) {
    const old = rows.get(p.id);
    rows.set(p.id, (old ? { ...old, ...p } : p) as FrameRow);
  }
  return { game: f.game ?? board.game, teams: [...rows.values()].sort(byRank), seq: f.seq };
}
