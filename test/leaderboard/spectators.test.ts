import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { Spectators } from '../../src/http/spectators.js';

/**
 * The spectators' fan-out (src/http/spectators.ts: the main process's and every fan-out worker's)
 * encodes each frame to UTF-8 once and hands the same bytes to every socket: over a real socket on
 * 127.0.0.1 they must still arrive as text frames (a browser's `event.data` is a string, not a
 * Blob) carrying exactly the frame's text, non-ASCII team names included.
 */

const servers: WebSocketServer[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const w of servers.splice(0)) await new Promise((r) => w.close(r));
});

async function client(url: string) {
  const ws = new WebSocket(url);
  sockets.push(ws);
  const frames: Array<{ text: string; isBinary: boolean }> = [];
  let waiter: (() => void) | undefined;
  ws.on('message', (raw: Buffer, isBinary: boolean) => {
    frames.push({ text: raw.toString('utf8'), isBinary });
    waiter?.();
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  const until = (n: number) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`only ${frames.length} of ${n} frames`)), 10_000);
      waiter = () => {
        if (frames.length < n) return;
        clearTimeout(timer);
        resolve();
      };
      waiter();
    });
  return { frames, until };
}

describe('spectators fan-out', () => {
  it('sends every frame as a text frame with the exact text, to every client', async () => {
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    servers.push(wss);
    const snapshot = JSON.stringify({ type: 'snapshot', seq: 1, board: { teams: [{ id: 'zoe', name: 'Zoë’s 🚒 Brigade', rank: 1 }] } });
    const spectators = new Spectators({ snapshot: () => snapshot, since: () => null });
    wss.on('connection', (ws) => spectators.add(ws, undefined));
    const url = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/`;
    const a = await client(url);
    const b = await client(url);
    await a.until(1);
    await b.until(1);

    const sent = [
      JSON.stringify({ type: 'delta', from: 1, seq: 2, rows: [{ id: 'zoe', name: 'Zoë — «Ünïcødé» 火事 🚒' }] }),
      JSON.stringify({ type: 'delta', from: 2, seq: 3, rows: [{ id: 'zoe', rank: 2 }] }),
    ];
    for (const f of sent) spectators.broadcast(f);
    await a.until(3);
    await b.until(3);
    for (const c of [a, b]) expect(c.frames).toEqual([snapshot, ...sent].map((text) => ({ text, isBinary: false })));
  });
});
