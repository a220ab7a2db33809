import { createHash } from 'node:crypto';
import type { Board, BoardTeam, GameBlock, Prepared } from './types.js';

export type Listener = (frame: string, seq: number) => void;

const etagOf = (json: string) => `"${createHash('sha1').update(json).digest('base64url')}"`;

/**
 * A row with its JSON cached in two parts around the rank (`head` + rank + `tail`): a rank move
 * re-serializes nothing, and the board JSON is the cached strings joined.
 */
export interface Row {
  row: BoardTeam;
  head: string;
  tail: string;
}

/** Serialize a row once; `rank` is spliced in, so it can change without serializing again. */
export function rowOf(row: BoardTeam): Row {
  const { id, name, rank: _rank, ...rest } = row;
  return { row, head: `{"id":${JSON.stringify(id)},"name":${JSON.stringify(name)},"rank":`, tail: `,${JSON.stringify(rest).slice(1)}` };
}
const rowJson = (r: Row) => r.head + r.row.rank + r.tail;

/** Team ids by rank, and the positions [lo, hi] whose team may have moved since the last commit. */
export interface Order {
  ids: string[];
  lo: number;
  hi: number;
}

/**
 * One audience's board: its rows (by team id), its order, its version, its ring of recent update
 * frames. A change costs O(changed rows); the full board (JSON, ETag, snapshot frame) is assembled
 * from the cached row strings when first read after a change, and kept until the next one.
 */
export class AudienceBoard {
  rows = new Map<string, Row>();
  version = 0;
  ring: Array<{ seq: number; frame: string }> = [];
  listeners = new Set<Listener>();
  private game!: GameBlock;
  private cached: Prepared | null = null;
  constructor(private readonly ringSize: number) {}

  /**
   * Take changed rows (each carries its rank) and the new order; emit one update frame with the
   * rows whose content or rank changed (and the game block if it changed). Rows whose rank moved
   * are given by `order`: their cached strings are reused with the new rank.
   */
  commit(rows: Row[], order: Order | null, game: GameBlock, gameChanged: boolean, live: boolean): void {
    const changed: Row[] = [];
    const seen = new Set<string>();
    for (const next of rows) {
      const row = next.row;
      const old = this.rows.get(row.id);
      seen.add(row.id);
      if (old && old.head === next.head && old.tail === next.tail && old.row.rank === row.rank) continue;
      this.rows.set(row.id, next);
      changed.push(next);
    }
    if (order) {
      for (let i = order.lo; i <= order.hi && i < order.ids.length; i++) {
        const id = order.ids[i]!;
        const r = this.rows.get(id);
        if (!r || r.row.rank === i + 1) continue;
        const moved = { ...r, row: { ...r.row, rank: i + 1 } };
        this.rows.set(id, moved);
        if (!seen.has(id)) changed.push(moved);
        else changed[changed.findIndex((c) => c.row.id === id)] = moved;
      }
    }
    if (!changed.length && !gameChanged && this.version > 0) return;
    this.game = game;
    this.version++;
    this.cached = null;
    if (!live) return;
    const frame = `{"type":"update","seq":${this.version},"teams":[${changed.map(rowJson).join(',')}]${gameChanged ? `,"game":${JSON.stringify(game)}` : ''}}`;
    this.ring.push({ seq: this.version, frame });
    if (this.ring.length > this.ringSize) this.ring.shift();
    for (const l of this.listeners) l(frame, this.version);
  }

  /** Set the game block without a frame (before the first commit). */
  prepare(game: GameBlock): void {
    this.game = game;
    this.cached = null;
  }

  get prepared(): Prepared {
    if (this.cached) return this.cached;
    const rows = [...this.rows.values()].sort((a, b) => a.row.rank - b.row.rank);
    const board: Board = { game: this.game, teams: rows.map((r) => r.row), seq: this.version };
    const json = `{"game":${JSON.stringify(this.game)},"teams":[${rows.map(rowJson).join(',')}],"seq":${this.version}}`;
    return (this.cached = { seq: this.version, board, json, etag: etagOf(json), snapshotFrame: `{"type":"snapshot","seq":${this.version},"board":${json}}` });
  }

  /** Update frames after `seq`, or null when the ring no longer reaches back that far (send a snapshot). */
  since(seq: number): string[] | null {
    if (seq === this.version) return [];
    if (seq > this.version) return null;
    const first = this.ring[0];
    if (!first || first.seq > seq + 1) return null;
    return this.ring.filter((f) => f.seq > seq).map((f) => f.frame);
  }
}
