import { createHash } from 'node:crypto';
import { Coalescer, type Timer } from './coalesce.js';
import type { RowPatch } from '../contract/frames.js';
import { deltaFrame, type Delta } from './delta.js';
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
  /** Each field's JSON but id and rank: what changed is found by comparing strings. */
  fields: Map<string, string>;
}

/** Serialize a row once; `rank` is spliced in, so it can change without serializing again. */
export function rowOf(row: BoardTeam): Row {
  const fields = new Map<string, string>();
  let tail = '';
  for (const [k, v] of Object.entries(row)) {
    if (k === 'id' || k === 'rank' || v === undefined) continue;
    const json = JSON.stringify(v);
    fields.set(k, json);
    if (k !== 'name') tail += `,${JSON.stringify(k)}:${json}`;
  }
  return { row, head: `{"id":${JSON.stringify(row.id)},"name":${fields.get('name')},"rank":`, tail: `${tail}}`, fields };
}

/** The fields of `next` whose JSON differs from `old`'s (id always; rank is the caller's). */
function changedFields(old: Row, next: Row): RowPatch {
  const patch: Record<string, unknown> = { id: next.row.id };
  for (const [k, json] of next.fields) if (old.fields.get(k) !== json) patch[k] = (next.row as unknown as Record<string, unknown>)[k];
  return patch as RowPatch;
}

/** Team ids by rank, and the positions [lo, hi] whose team may have moved since the last commit. */
export interface Order {
  ids: string[];
  lo: number;
  hi: number;
}

/** One version's change: content patches (no ranks), the ids whose rank may have moved, the game block. */
interface Change {
  from: number;
  seq: number;
  rows: Map<string, RowPatch>;
  moved: readonly string[];
  game?: GameBlock;
}

/**
 * One audience's board: its rows (by team id), its order, its version, its ring of recent
 * per-version changes (for resumes), and what changed since the last frame sent. A change costs
 * O(1) for its row plus a copy of the ids whose rank may have moved; ranks become `{ id, rank }`
 * patches only when a frame is made. Frames are coalesced (at most one per interval, the latest
 * state wins) and each is serialized once for every listener. The full board (JSON, ETag,
 * snapshot frame) is assembled from the cached row strings when first read after a change.
 */
export class AudienceBoard {
  /** Each team's row as last serialized; its rank is its place in `order` (a move touches no row). */
  rows = new Map<string, Row>();
  /** Team ids by rank as of the last commit. */
  private order: string[] = [];
  private rankMap: Map<string, number> | null = null;
  version = 0;
  ring: Change[] = [];
  listeners = new Set<Listener>();
  private game!: GameBlock;
  private cached: Prepared | null = null;
  /** What changed since the last frame sent (null: nothing): content patches (its own copies) and moved ids. */
  private pending: { from: number; rows: Map<string, RowPatch>; moved: Set<string>; game?: GameBlock } | null = null;
  private readonly coalescer: Coalescer;
  constructor(
    private readonly ringSize: number,
    timer?: Timer,
    intervalMs?: number,
  ) {
    this.coalescer = new Coalescer(() => this.flush(), timer, intervalMs);
  }

  /** Current rank of each team (built once per change, when a frame or the board is made). */
  private ranks(): Map<string, number> {
    return (this.rankMap ??= new Map(this.order.map((id, i) => [id, i + 1])));
  }

  /**
   * Take changed rows and the new order; record one change with the changed fields of the rows
   * whose content changed, the ids in the part of the order that moved (and the game block if it
   * changed).
   */
  commit(rows: Row[], order: Order | null, game: GameBlock, gameChanged: boolean, live: boolean): void {
    const patches = new Map<string, RowPatch>();
    for (const next of rows) {
      const id = next.row.id;
      const old = this.rows.get(id);
      if (old && old.head === next.head && old.tail === next.tail) continue;
      this.rows.set(id, next);
      patches.set(id, old ? changedFields(old, next) : { ...next.row });
    }
    let moved: string[] = [];
    if (order) {
      const hi = Math.min(order.hi, order.ids.length - 1);
      let any = order.ids.length !== this.order.length;
      for (let i = order.lo; !any && i <= hi; i++) any = order.ids[i] !== this.order[i];
      if (any) {
        moved = order.ids.slice(order.lo, hi + 1);
        // Outside [lo, hi] nothing moved: copy only the range (O(moved), not O(teams)).
        if (order.ids.length !== this.order.length) this.order = order.ids.slice();
        else for (let i = order.lo; i <= hi; i++) this.order[i] = order.ids[i]!;
        this.rankMap = null;
      }
    }
    if (!patches.size && !moved.length && !gameChanged && this.version > 0) return;
    this.game = game;
    this.version++;
    this.cached = null;
    if (!live) return;
    const c: Change = { from: this.version - 1, seq: this.version, rows: patches, moved, ...(gameChanged ? { game } : {}) };
    this.ring.push(c);
    if (this.ring.length > this.ringSize) this.ring.shift();
    const p = (this.pending ??= { from: c.from, rows: new Map(), moved: new Set() });
    merge(p, c);
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
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const frame = deltaFrame(this.delta(p));
    for (const l of this.listeners) l(frame, this.version);
  }

  /** A wire delta from `p.from` to now: content as accumulated, each moved id's current rank. */
  private delta(p: { from: number; rows: Map<string, RowPatch>; moved: Set<string>; game?: GameBlock }): Delta {
    const ranks = this.ranks();
    for (const id of p.moved) {
      const rank = ranks.get(id);
      if (rank === undefined) continue;
      const q = p.rows.get(id);
      if (q) q.rank = rank;
      else p.rows.set(id, { id, rank });
    }
    return { from: p.from, seq: this.version, rows: p.rows, ...(p.game ? { game: p.game } : {}) };
  }

  /** Set the game block without a frame (before the first commit). */
  prepare(game: GameBlock): void {
    this.game = game;
    this.cached = null;
  }

  get prepared(): Prepared {
    if (this.cached) return this.cached;
    const ranks = this.ranks();
    const rows = this.order.map((id) => this.rows.get(id)).filter((r): r is Row => r !== undefined);
    const board: Board = { game: this.game, teams: rows.map((r) => (r.row.rank === ranks.get(r.row.id) ? r.row : { ...r.row, rank: ranks.get(r.row.id)! })), seq: this.version };
    const json = `{"game":${JSON.stringify(this.game)},"teams":[${rows.map((r) => r.head + ranks.get(r.row.id)! + r.tail).join(',')}],"seq":${this.version}}`;
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
    const p = { from: this.ring[i]!.from, rows: new Map<string, RowPatch>(), moved: new Set<string>() };
    for (let j = i; j < this.ring.length; j++) merge(p, this.ring[j]!);
    const frame = deltaFrame(this.delta(p));
    return frame.length < this.prepared.snapshotFrame.length ? [frame] : null;
  }
}

/** Fold one change into an accumulation (its patches are the accumulation's own copies). */
function merge(p: { rows: Map<string, RowPatch>; moved: Set<string>; game?: GameBlock }, c: Change): void {
  for (const [id, patch] of c.rows) {
    const q = p.rows.get(id);
    if (q) Object.assign(q, patch);
    else p.rows.set(id, { ...patch });
  }
  for (const id of c.moved) p.moved.add(id);
  if (c.game) p.game = c.game;
}
