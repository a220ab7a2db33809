import { createHash } from 'node:crypto';
import { Coalescer, type Timer } from './coalesce.js';
import type { RowPatch } from '../contract/frames.js';
import type { Categories } from '../contract/board.js';
import { deltaFrame, emptyDelta, mergeInto, type Delta } from './delta.js';
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
  /** Each field's JSON but id, rank and breakdown: what changed is found by comparing strings. */
  fields: Map<string, string>;
  /** Each fault line's JSON (the breakdown's categories are numbers, compared as they are). */
  faults: string[];
}

/** Equal values, or objects with the same keys and equal values one level down (a fault line, the current fault, traffic). */
function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) if ((a as Record<string, unknown>)[k] !== (b as Record<string, unknown>)[k]) return false;
  return true;
}

/**
 * Serialize a row once; `rank` is spliced in, so it can change without serializing again. A part
 * equal to the same part of `prev` (the team's row before) keeps its JSON: a score change
 * serializes a few numbers, not the titles and fault lines again.
 */
export function rowOf(row: BoardTeam, prev?: Row): Row {
  const fields = new Map<string, string>();
  const was = prev?.row.breakdown.faults;
  const faults = row.breakdown.faults.map((f, i) => (was && i < was.length && same(was[i], f) ? prev!.faults[i]! : JSON.stringify(f)));
  let tail = '';
  for (const [k, v] of Object.entries(row)) {
    if (k === 'id' || k === 'rank' || v === undefined) continue;
    let json: string;
    if (k === 'breakdown') json = `{"categories":${JSON.stringify(row.breakdown.categories)},"faults":[${faults.join(',')}]}`;
    else {
      const old = prev?.fields.get(k);
      json = old !== undefined && same((prev!.row as unknown as Record<string, unknown>)[k], v) ? old : JSON.stringify(v);
      fields.set(k, json);
    }
    if (k !== 'name') tail += `,${JSON.stringify(k)}:${json}`;
  }
  return { row, head: `{"id":${JSON.stringify(row.id)},"name":${fields.get('name')},"rank":`, tail: `${tail}}`, fields, faults };
}

/** What changed from `old` to `next`: changed fields (id always; rank is the caller's), of the breakdown only what changed. */
function changedFields(old: Row, next: Row): RowPatch {
  const patch: Record<string, unknown> = { id: next.row.id };
  for (const [k, json] of next.fields) if (old.fields.get(k) !== json) patch[k] = (next.row as unknown as Record<string, unknown>)[k];
  const was = old.row.breakdown;
  const now = next.row.breakdown;
  let categories: Partial<Categories> | undefined;
  for (const k of Object.keys(now.categories) as Array<keyof Categories>) if (now.categories[k] !== was.categories[k]) (categories ??= {})[k] = now.categories[k];
  const faultsChanged = next.faults.length !== old.faults.length || next.faults.some((json, i) => json !== old.faults[i]);
  if (categories || faultsChanged)
    patch.breakdown = { ...(categories ? { categories } : {}), ...(faultsChanged ? { faults: now.faults.map((f, i) => (next.faults[i] === old.faults[i] ? null : f)) } : {}) };
  return patch as RowPatch;
}

/** Where an audience reads the live board from when it brings itself up to date. */
export interface BoardSource {
  /** Team ids by rank now. */
  order(): readonly string[];
  /** A team's row now (built at most once per team version, shared by the audiences). */
  row(id: string): Row;
  game(): GameBlock;
}

/**
 * One audience's board: its rows (by team id), its order, its version, its ring of recent changes
 * (for resumes), and what changed since the last frame sent. A change only marks what it touched
 * (the team, the part of the order that may have moved): rows are built, compared and turned into
 * patches when the board is next read — a frame (at most one per interval, the latest state wins),
 * a REST read or a resume — so a burst of changes costs one row per team it touched, once. Each
 * frame is serialized once for every listener; the full board (JSON, ETag, snapshot frame) is
 * assembled from the cached row strings when first read after a change.
 */
export class AudienceBoard {
  /** Each team's row as last read; its rank is its place in `order` (a move touches no row). */
  rows = new Map<string, Row>();
  /** Team ids by rank as of the last read. */
  private order: string[] = [];
  version = 0;
  /** Each version's change (a delta from the version before; a rank move is `{ id, rank }`), for resumes. */
  ring: Delta[] = [];
  private readonly listeners = new Set<Listener>();
  private game: GameBlock | undefined;
  private cached: Prepared | null = null;
  /** Touched since the last read: rows that may have changed, the positions [lo, hi] that may have moved, the game block. */
  private readonly dirty = new Set<string>();
  private lo = Infinity;
  private hi = -1;
  private gameChanged = false;
  /** What changed since the last frame sent (null: nothing), as its own copies. */
  private pending: Delta | null = null;
  private readonly coalescer: Coalescer;
  constructor(
    private readonly ringSize: number,
    private readonly source: BoardSource,
    timer?: Timer,
    intervalMs?: number,
  ) {
    this.coalescer = new Coalescer(() => this.flush(), timer, intervalMs);
  }

  /**
   * Something changed: `ids`' rows may differ, the order may have moved in [lo, hi], the game block
   * may have changed. Live, a frame follows (now, or at the interval's end); not live (the boot
   * fold), the board is brought up to date at once and no frame or ring entry is made.
   */
  touch(ids: Iterable<string>, lo: number, hi: number, gameChanged: boolean, live: boolean): void {
    for (const id of ids) this.dirty.add(id);
    if (lo < this.lo) this.lo = lo;
    if (hi > this.hi) this.hi = hi;
    if (gameChanged) this.gameChanged = true;
    if (live) this.coalescer.poke();
    else this.catchUp(false);
  }

  /** Add a listener of frames. The first takes in what changed while nobody listened, so its first frame carries only later changes. */
  listen(l: Listener): () => void {
    if (!this.listeners.size) this.catchUp(true);
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /** Take in what was touched now, from the state now (before a freeze: later rows must not leak into the frozen board). */
  settle(): void {
    this.catchUp(true);
  }
  close(): void {
    this.coalescer.close();
  }

  /**
   * Bring rows, order and version up to what was touched: one version for everything since the
   * last read (clients only ever learn versions that were read), recorded in the ring and the
   * pending frame when live.
   */
  private catchUp(live: boolean): void {
    if (!this.dirty.size && this.hi < 0 && !this.gameChanged) return;
    const patches = new Map<string, RowPatch>();
    for (const id of this.dirty) {
      const next = this.source.row(id);
      const old = this.rows.get(id);
      if (old === next || (old && old.head === next.head && old.tail === next.tail)) continue;
      this.rows.set(id, next);
      patches.set(id, old ? changedFields(old, next) : { ...next.row });
    }
    this.dirty.clear();
    const ids = this.source.order();
    if (this.hi >= 0) {
      const resized = ids.length !== this.order.length;
      const hi = resized ? ids.length - 1 : Math.min(this.hi, ids.length - 1);
      // Outside [lo, hi] nothing moved: compare and copy only the range (O(moved), not O(teams)).
      for (let i = this.lo; i <= hi; i++) {
        const id = ids[i]!;
        if (id === this.order[i]) continue;
        const q = patches.get(id);
        if (q) q.rank = i + 1;
        else patches.set(id, { id, rank: i + 1 });
        if (!resized) this.order[i] = id;
      }
      if (resized) this.order = ids.slice();
      this.lo = Infinity;
      this.hi = -1;
    }
    const gameChanged = this.gameChanged;
    this.gameChanged = false;
    this.game = this.source.game();
    if (!patches.size && !gameChanged && this.version > 0) return;
    this.version++;
    this.cached = null;
    if (!live) return;
    const c: Delta = { from: this.version - 1, seq: this.version, rows: patches, ...(gameChanged ? { game: this.game } : {}) };
    this.ring.push(c);
    if (this.ring.length > this.ringSize) this.ring.shift();
    // The next frame carries it only to those listening now (a later one starts from a snapshot or a resume).
    if (this.listeners.size) mergeInto((this.pending ??= emptyDelta(c.from)), c);
  }

  private flush(): void {
    // Nobody listens: the next read takes everything in at once.
    if (!this.listeners.size && !this.pending) return;
    this.catchUp(true);
    const p = this.pending;
    if (!p) return;
    this.pending = null;
    const frame = deltaFrame(p);
    for (const l of this.listeners) l(frame, this.version);
  }

  /** The board as served (brought up to date first). */
  get prepared(): Prepared {
    this.catchUp(true);
    if (this.cached) return this.cached;
    this.game ??= this.source.game();
    const rows = this.order.map((id) => this.rows.get(id)).filter((r): r is Row => r !== undefined);
    const board: Board = { game: this.game, teams: rows.map((r, i) => (r.row.rank === i + 1 ? r.row : { ...r.row, rank: i + 1 })), seq: this.version };
    const json = `{"game":${JSON.stringify(this.game)},"teams":[${rows.map((r, i) => r.head + (i + 1) + r.tail).join(',')}],"seq":${this.version}}`;
    return (this.cached = { seq: this.version, board, json, etag: etagOf(json), snapshotFrame: `{"type":"snapshot","seq":${this.version},"board":${json}}` });
  }

  /**
   * What a client at version `seq` missed, as one delta frame (empty when current), or null when
   * the ring no longer reaches back that far or the delta would be no smaller than a snapshot.
   */
  since(seq: number): string[] | null {
    this.catchUp(true);
    if (seq === this.version) return [];
    if (seq > this.version) return null;
    const i = this.ring.findIndex((d) => d.seq > seq);
    if (i < 0 || this.ring[i]!.from > seq) return null;
    const p = emptyDelta(this.ring[i]!.from);
    for (let j = i; j < this.ring.length; j++) mergeInto(p, this.ring[j]!);
    const frame = deltaFrame(p);
    return frame.length < this.prepared.snapshotFrame.length ? [frame] : null;
  }
}
