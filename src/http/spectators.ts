import type { WebSocket } from 'ws';

/** A client with more than this many bytes still queued is skipped until it drains. */
export const SLOW_CLIENT_BYTES = 256 * 1024;

/** Where a spectator's first frames come from: the current snapshot, or what a resuming client missed. */
export interface FrameSource {
  snapshot(): string;
  /** Frames after board version `seq`, or null (too old: send a snapshot). */
  since(seq: number): string[] | null;
}

/** Frames are text (JSON) even when handed to ws as bytes: a browser gets a string, not a Blob. */
const TEXT = { binary: false } as const;

interface Client {
  socket: WebSocket;
  /** Frames handed to ws with a write callback and not yet written out (only sent to a backed-up socket). */
  pending: number;
  /** Skipped an update while slow: owes a fresh snapshot once drained. */
  stale: boolean;
}

/**
 * The spectators of one process (the main one, or a fan-out worker): each frame is serialized once
 * by the caller, encoded to UTF-8 once here, and the same bytes go to every client. A slow client
 * (its buffer full) is skipped and later catches up with one snapshot instead of a queue.
 *
 * Per socket per frame this is the hot loop of the fan-out (5,000 sockets per update), so a client
 * whose socket took everything so far (`bufferedAmount` 0, nearly all of them) is sent the frame
 * with no write callback: a callback per write costs a closure and a deferred call each. Only a
 * client that is already backed up gets callbacks, and while anything of ours is queued every later
 * frame is sent with one too — so when the last of them fires, the queue is drained.
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
    // One UTF-8 encoding for every socket (ws would encode a string once per send), sent as text.
    const bytes = Buffer.from(frame);
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
      if (c.pending === 0 && c.socket.bufferedAmount === 0) c.socket.send(bytes, TEXT);
      else this.send(c, bytes);
    }
  }

  closeAll(code = 1001, reason = 'server shutting down'): void {
    for (const c of this.clients) c.socket.close(code, reason);
  }

  private send(c: Client, frame: string | Buffer): void {
    c.pending++;
    c.socket.send(frame, TEXT, () => {
      c.pending--;
      // Drained after being skipped: catch up with one fresh snapshot instead of a queue.
      if (c.stale && c.pending === 0 && c.socket.readyState === c.socket.OPEN) {
        c.stale = false;
        this.send(c, this.source.snapshot());
      }
    });
  }
}
