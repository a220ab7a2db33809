import type { WebSocket } from 'ws';

/** A client with more than this many bytes still queued is skipped until it drains. */
export const SLOW_CLIENT_BYTES = 256 * 1024;

/** Where a spectator's first frames come from: the current snapshot, or what a resuming client missed. */
export interface FrameSource {
  snapshot(): string;
  /** Frames after board version `seq`, or null (too old: send a snapshot). */
  since(seq: number): string[] | null;
}

interface Client {
  socket: WebSocket;
  /** Frames handed to ws and not yet written out. */
  pending: number;
  /** Skipped an update while slow: owes a fresh snapshot once drained. */
  stale: boolean;
}

/**
 * The spectators of one process (the main one, or a fan-out worker): each frame is serialized once
 * by the caller and the same string goes to every client. A slow client (its buffer full) is
 * skipped and later catches up with one snapshot instead of a queue.
 */
export class Spectators {
  private readonly clients = new Set<Client>();
  constructor(private readonly source: FrameSource) {}

  get size(): number {
    return this.clients.size;
  }

  add(socket: WebSocket, since: number | undefined): void {
    const c: Client = { socket, pending: 0, stale: false };
    const missed = since === undefined ? null : this.source.since(since);
    if (missed) for (const f of missed) this.send(c, f);
    else this.send(c, this.source.snapshot());
    this.clients.add(c);
    socket.on('close', () => this.clients.delete(c));
    socket.on('error', () => this.clients.delete(c));
    // Spectators only listen; anything they send is ignored.
    socket.on('message', () => {});
  }

  broadcast(frame: string): void {
    for (const c of this.clients) {
      if (c.socket.readyState !== c.socket.OPEN) continue;
      // Stale with none of our frames queued (its buffer held something else): catch up now.
      if (c.stale && c.pending === 0 && c.socket.bufferedAmount <= SLOW_CLIENT_BYTES) {
        c.stale = false;
        this.send(c, this.source.snapshot());
        continue;
      }
      if (c.stale || c.socket.bufferedAmount > SLOW_CLIENT_BYTES) {
        c.stale = true;
        continue;
      }
      this.send(c, frame);
    }
  }

  closeAll(code = 1001, reason = 'server shutting down'): void {
    for (const c of this.clients) c.socket.close(code, reason);
  }

  private send(c: Client, frame: string): void {
    c.pending++;
    c.socket.send(frame, () => {
      c.pending--;
      // Drained after being skipped: catch up with one fresh snapshot instead of a queue.
      if (c.stale && c.pending === 0 && c.socket.readyState === c.socket.OPEN) {
        c.stale = false;
        this.send(c, this.source.snapshot());
      }
    });
  }
}
