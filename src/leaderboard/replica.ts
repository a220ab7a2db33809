import type { Board as FrameBoard } from '../contract/board.js';
import type { DeltaFrame, SnapshotFrame } from '../contract/frames.js';
import { applyDelta, copyDelta, deltaFrame, mergeInto, parseDelta, type Delta } from './delta.js';

/**
 * A copy of the public board kept from the frames alone (a fan-out worker's): it starts from a
 * snapshot frame and applies every delta frame it is handed, so it can greet a new spectator with
 * a snapshot and bring a resuming one up to date, without asking the main process.
 */
export class Replica {
  private board: FrameBoard;
  private snap: string | null;
  private readonly ring: Delta[] = [];
  constructor(
    snapshotFrame: string,
    private readonly ringSize = 256,
  ) {
    this.board = (JSON.parse(snapshotFrame) as SnapshotFrame).board;
    this.snap = snapshotFrame;
  }

  get seq(): number {
    return this.board.seq;
  }

  /** Apply a delta frame; false when it does not apply (it starts above our version: re-init from a snapshot). */
  apply(frame: string): boolean {
    const f = JSON.parse(frame) as DeltaFrame;
    const next = applyDelta(this.board, f);
    if (!next) return false;
    if (next === this.board) return true;
    this.board = next;
    this.snap = null;
    this.ring.push(parseDelta(f));
    if (this.ring.length > this.ringSize) this.ring.shift();
    return true;
  }

  snapshot(): string {
    return (this.snap ??= JSON.stringify({ type: 'snapshot', seq: this.board.seq, board: this.board }));
  }

  /** What a client at `seq` missed, as one delta frame; null when the ring does not reach back (send a snapshot). */
  since(seq: number): string[] | null {
    if (seq === this.board.seq) return [];
    if (seq > this.board.seq) return null;
    const i = this.ring.findIndex((d) => d.seq > seq);
    if (i < 0 || this.ring[i]!.from > seq) return null;
    const merged = copyDelta(this.ring[i]!);
    for (let j = i + 1; j < this.ring.length; j++) mergeInto(merged, this.ring[j]!);
    return [deltaFrame(merged)];
  }
}
