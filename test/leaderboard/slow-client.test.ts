import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { SLOW_CLIENT_BYTES, Spectators } from '../../src/http/spectators.js';

/**
 * The slow-client path of the spectators' fan-out (src/http/spectators.ts, behind `/ws/leaderboard`
 * in the main process and in every fan-out worker) over a real socket on 127.0.0.1: a spectator that
 * stops reading is skipped once the server holds more than SLOW_CLIENT_BYTES for it (the queue
 * stays bounded), and gets one fresh snapshot when its queue drains; a reading client meanwhile
 * receives every update.
 */

const servers: WebSocketServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const w of servers.splice(0)) await new Promise((r) => w.close(r));
});

interface Frame {
  type: 'snapshot' | 'update';
  seq: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  board?: any;
  teams?: Array<{ id: string; rank: number; score: number }>;
}

/** A real `ws` client that records every frame and lets a test await a condition on them. */
async function client(url: string) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: Array<Frame & { bytes: number }> = [];
  let waiter: (() => void) | undefined;
  ws.on('message', (raw: Buffer) => {
    frames.push({ ...(JSON.parse(raw.toString()) as Frame), bytes: raw.length });
    waiter?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  /** Resolves once `pred` holds for the frames received; a hang fails after 15 s instead of at the test timeout. */
  const until = (pred: () => boolean, what = 'the expected frames') =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter = undefined;
        reject(new Error(`never received ${what}; last frames: ${JSON.stringify(frames.slice(-3).map((f) => [f.type, f.seq]))}`));
      }, 15_000);
      const check = () => {
        if (!pred()) return;
        waiter = undefined;
        clearTimeout(timer);
        resolve();
      };
      waiter = check;
      check();
    });
  const lastSeq = () => frames.at(-1)?.seq ?? -1;
  return { ws, frames, until, lastSeq };
}

describe('/ws/leaderboard slow clients', () => {
  it('skips a client that stops reading, keeps its queue bounded, and sends it one fresh snapshot once drained', async () => {
    // The spectators' fan-out (the same class serves the main process and each fan-out worker) on a
    // real ws server: frames as big as a 20-team board's so the buffers fill in a few hundred updates.
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    servers.push(wss);
    let v = 1;
    const pad = 'x'.repeat(14_000);
    const boardAt = (seq: number) => ({ teams: [], seq, pad });
    const spectators = new Spectators({ snapshot: () => JSON.stringify({ type: 'snapshot', seq: v, board: boardAt(v) }), since: () => null });
    wss.on('connection', (ws) => spectators.add(ws, undefined));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const version = () => v;
    const leapfrog = async () => {
      v++;
      spectators.broadcast(JSON.stringify({ type: 'update', seq: v, pad }));
    };

    const fast = await client(url);
    const slow = await client(url);
    await fast.until(() => fast.frames.length === 1);
    await slow.until(() => slow.frames.length === 1);
    expect(fast.frames[0]!.type).toBe('snapshot');
    expect(slow.frames[0]!.type).toBe('snapshot');
    const start = slow.frames[0]!.seq;

    // The server's side of the slow client (its remote port is our local port).
    const slowPort = (slow.ws as unknown as { _socket: { localPort: number } })._socket.localPort;
    const serverSide = () => {
      for (const s of wss.clients) if ((s as unknown as { _socket: { remotePort: number } })._socket.remotePort === slowPort) return s;
      throw new Error('server side of the slow client not found');
    };

    // The slow client stops reading: the kernel buffers fill, then the server's own queue grows.
    slow.ws.pause();
    let updates = 0;
    while (serverSide().bufferedAmount <= SLOW_CLIENT_BYTES) {
      if (++updates > 5000) throw new Error(`the server never queued more than ${SLOW_CLIENT_BYTES} bytes for a paused client`);
      await leapfrog();
      const v = version();
      // The reading client gets each update before the next one is made.
      await fast.until(() => fast.lastSeq() === v);
    }
    const staleAt = version();
    const frameBytes = Math.max(...fast.frames.map((f) => f.bytes));

    // More updates while it is over the limit: none is queued for it, the reading client gets them all.
    for (let i = 0; i < 30; i++) {
      await leapfrog();
      const v = version();
      await fast.until(() => fast.lastSeq() === v);
    }
    const last = version();
    const boardAtLast = boardAt(last);
    // Bounded: at most the limit plus the one frame (and its header) sent just before it crossed.
    expect(serverSide().bufferedAmount).toBeLessThanOrEqual(SLOW_CLIENT_BYTES + frameBytes + 16);

    // It reads again: what was queued arrives, then one snapshot of the current board.
    slow.ws.resume();
    await slow.until(() => slow.lastSeq() >= last, `board version ${last} after resuming`);
    // Next update: it is a normal client again.
    await leapfrog();
    const after = version();
    await fast.until(() => fast.lastSeq() === after);
    await slow.until(() => slow.lastSeq() === after);

    // The reading client: one snapshot, then every update in order.
    expect(fast.frames.filter((f) => f.type === 'snapshot')).toHaveLength(1);
    expect(fast.frames.slice(1).map((f) => f.seq)).toEqual(Array.from({ length: after - start }, (_, i) => start + 1 + i));

    // The slow client: snapshot, the updates queued before it fell behind (in order), one fresh
    // snapshot of the current board, then the next update.
    const kinds = slow.frames.map((f) => f.type);
    expect(kinds.filter((k) => k === 'snapshot')).toHaveLength(2);
    const catchUp = kinds.lastIndexOf('snapshot');
    const queued = slow.frames.slice(1, catchUp).map((f) => f.seq);
    expect(queued).toEqual(Array.from({ length: queued.length }, (_, i) => start + 1 + i));
    const lastQueued = queued.at(-1) ?? start;
    expect(lastQueued).toBeGreaterThanOrEqual(staleAt);
    expect(lastQueued).toBeLessThan(last); // some updates were skipped, not queued
    const snap = slow.frames[catchUp]!;
    expect(snap.seq).toBe(last);
    expect(snap.board).toEqual(boardAtLast);
    expect(slow.frames.slice(catchUp + 1).map((f) => [f.type, f.seq])).toEqual([['update', after]]);
  });
});
