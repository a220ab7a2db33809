import { createHash } from 'node:crypto';
import type { Board, BoardTeam, GameBlock, Prepared } from './types.js';

export type Listener = (frame: string, seq: number) => void;

const etagOf = (json: string) => `"${createHash('sha1').update(json).digest('base64url')}"`;

/** One audience's board: its rows, its version, its ring of recent update frames. */
export class AudienceBoard {
  rows = new Map<string, { row: BoardTeam; json: string }>();
  version = 0;
  prepared!: Prepared;
  ring: Array<{ seq: number; frame: string }> = [];
  listeners = new Set<Listener>();
  constructor(private readonly ringSize: number) {}

  /** Replace rows, emit one update frame with the changed ones (and the game block if it changed). */
  commit(rows: BoardTeam[], game: GameBlock, gameChanged: boolean, live: boolean): void {
    const changed: BoardTeam[] = [];
    const next = new Map<string, { row: BoardTeam; json: string }>();
    for (const row of rows) {
      const json = JSON.stringify(row);
      if (this.rows.get(row.id)?.json !== json) changed.push(row);
      next.set(row.id, { row, json });
    }
    if (!changed.length && !gameChanged && this.prepared) return;
    this.rows = next;
    this.version++;
    this.prepare(game);
    if (!live) return;
    const frame = JSON.stringify({ type: 'update', seq: this.version, teams: changed, ...(gameChanged ? { game } : {}) });
    this.ring.push({ seq: this.version, frame });
    if (this.ring.length > this.ringSize) this.ring.shift();
    for (const l of this.listeners) l(frame, this.version);
  }

  prepare(game: GameBlock): void {
    const teams = [...this.rows.values()].map((r) => r.row).sort((a, b) => a.rank - b.rank);
    const board: Board = { game, teams, seq: this.version };
    const json = JSON.stringify(board);
    this.prepared = { seq: this.version, board, json, etag: etagOf(json), snapshotFrame: `{"type":"snapshot","seq":${this.version},"board":${json}}` };
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
