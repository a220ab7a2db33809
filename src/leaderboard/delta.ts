import type { Board as FrameBoard, BoardRow as FrameRow } from '../contract/board.js';
import type { BreakdownPatch, DeltaFrame, RowPatch } from '../contract/frames.js';
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
    if (q) mergePatch(q, p);
    else a.rows.set(id, { ...p });
  }
  a.seq = b.seq;
  if (b.game) a.game = b.game;
  return a;
}

/** A fault list after a patch's (`null`: the line as it was). */
const patchFaults = <T>(old: readonly T[] | undefined, p: ReadonlyArray<T | null>): Array<T | null> => p.map((f, i) => f ?? old?.[i] ?? null);

/** `q` then `p` as one patch (p's values win), in place: `q` must be owned. */
export function mergePatch(q: RowPatch, p: RowPatch): void {
  const qb = q.breakdown;
  Object.assign(q, p);
  if (qb && p.breakdown) q.breakdown = mergeBreakdown(qb, p.breakdown);
}
function mergeBreakdown(a: BreakdownPatch, b: BreakdownPatch): BreakdownPatch {
  const categories = a.categories && b.categories ? { ...a.categories, ...b.categories } : (b.categories ?? a.categories);
  const faults = a.faults && b.faults ? patchFaults(a.faults, b.faults) : (b.faults ?? a.faults);
  return { ...(categories ? { categories } : {}), ...(faults ? { faults } : {}) };
}

/** A row after a patch (a new row's patch is the whole row). */
export function applyRow(old: FrameRow | undefined, p: RowPatch): FrameRow {
  if (!old) return p as FrameRow;
  const { breakdown, ...fields } = p;
  const row = { ...old, ...fields };
  if (breakdown)
    row.breakdown = {
      categories: { ...old.breakdown.categories, ...breakdown.categories },
      faults: breakdown.faults ? (patchFaults(old.breakdown.faults, breakdown.faults) as FrameRow['breakdown']['faults']) : old.breakdown.faults,
    };
  return row;
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
  for (const p of f.rows ?? []) rows.set(p.id, applyRow(rows.get(p.id), p));
  return { game: f.game ?? board.game, teams: [...rows.values()].sort(byRank), seq: f.seq };
}
