import { createHash } from 'node:crypto';
import { Coalescer, type Timer } from './coalesce.js';
import { copyDelta, deltaFrame, diffRow, mergeInto, type Delta } from './delta.js';
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
 * One audience's board: its rows (by team id), its version, its ring of recent per-version deltas
 * (for resumes), and the delta accumulated since the last frame sent. A change costs O(changed
 * rows); frames are coalesced (at most one per interval, the latest state wins) and each is
 * serialized once for every listener. The full board (JSON, ETag, snapshot frame) is assembled from
 * the cached row strings when first read after a change, and kept until the next one.
 */
export class AudienceBoard {
  rows = new Map<string, Row>();
  version = 0;
  ring: Delta[] = [];
  listeners = new Set<Listener>();
  private game!: GameBlock;
  private cached: Prepared | null = null;
  /** What changed since the last frame sent (null: nothing). */
  private pending: Delta | null = null;
  private readonly coalescer: Coalescer;
  constructor(
    private readonly ringSize: number,
    timer?: Timer,
    intervalMs?: number,
  ) {
    this.coalescer = new Coalescer(() => this.flush(), timer, intervalMs);
  }

  /**
   * Take changed rows (each carries its rank) and the new order; record one delta with the changed
   * fields of the rows whose content or rank changed (and the game block if it changed). Rows
   * whose rank moved are given by `order`: their cached strings are reused with the new rank.
   */
  commit(rows: Row[], order: Order | null, game: GameBlock, gameChanged: boolean, live: boolean): void {
    const changed = new Map<string, { old: Row | undefined; next: Row }>();
    for (const next of rows) {
      const row = next.row;
      const old = this.rows.get(row.id);
      if (old && old.head === next.head && old.tail === next.tail && old.row.rank === row.rank) continue;
      this.rows.set(row.id, next);
      changed.set(row.id, { old: changed.get(row.id)?.old ?? old, next });
    }
    if (order) {
      for (let i = order.lo; i <= order.hi && i < order.ids.length; i++) {
        const id = order.ids[i]!;
        const r = this.rows.get(id);
        if (!r || r.row.rank === i + 1) continue;
        const moved = { ...r, row: { ...r.row, rank: i + 1 } };
        this.rows.set(id, moved);
        changed.set(id, { old: changed.get(id)?.old ?? r, next: moved });
      }
    }
    if (!changed.size && !gameChanged && this.version > 0) return;
    this.game = game;
    this.version++;
    this.cached = null;
    if (!live) return;
    const d: Delta = { from: this.version - 1, seq: this.version, rows: new Map(), ...(gameChanged ? { game } : {}) };
    for (const [id, { old, next }] of changed) {
      // Same strings: only the rank moved.
      const p = old && old.head === next.head && old.tail === next.tail ? { id, rank: next.row.rank } : diffRow(old?.row, next.row);
      if (p) d.rows.set(id, p);
    }
    this.ring.push(d);
    if (this.ring.length > this.ringSize) this.ring.shift();
    this.pending = this.pending ? mergeInto(this.pending, d) : copyDelta(d);
    this.coalescer.poke();
  }

  /** Send what waits now (a freeze must not leak later rows; shutdown). */
  flushNow(): void {
    this.coalescer.now();
  }
  close(): void {
    this.coalescer.close();
  }

  private flush(): void {
    const d = this.pending;
    if (!d) return;
    this.pending = null;
    const frame = deltaFrame(d);
    for (const l of this.listeners) l(frame, d.seq);
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

  /**
   * What a client at version `seq` missed, as one delta frame (empty when current), or null when
   * the ring no longer reaches back that far or the delta would be no smaller than a snapshot.
   */
  since(seq: number): string[] | null {
    if (seq === this.version) return [];
    if (seq > this.version) return null;
    const i = this.ring.findIndex((d) => d.seq > seq);
    if (i < 0 || this.ring[i]!.from > seq) return null;
    const merged = copyDelta(this.ring[i]!);
    for (let j = i + 1; j < this.ring.length; j++) mergeInto(merged, this.ring[j]!);
    const frame = deltaFrame(merged);
    return frame.length < this.prepared.snapshotFrame.length ? [frame] : null;
  }
}
