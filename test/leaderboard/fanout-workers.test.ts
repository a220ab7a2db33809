import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import type { Board as FrameBoard } from '../../src/contract/board.js';
import type { DeltaFrame, SnapshotFrame } from '../../src/contract/frames.js';
import { fanoutOf } from '../../src/http/leaderboard.js';
import { applyDelta } from '../../src/leaderboard/delta.js';
import { hashToken } from '../../src/tokens.js';
import { everyFrame, testApp } from '../helpers.js';

/**
 * Fan-out workers (`fanoutWorkers: 2`, src/http/fanout-pool.ts) over real sockets on 127.0.0.1:
 * the main process accepts /ws/leaderboard, hands the socket to a worker process that completes
 * the handshake and writes every frame; resumes are answered by the worker's replica; a killed
 * worker is restarted and its clients reconnect and resume to the served board; /ws/team stays in
 * the main process, its token and Origin checks unchanged.
 */
type T = Awaited<ReturnType<typeof testApp>>;
const open: T[] = [];
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.terminate();
  for (const t of open.splice(0)) await t.close();
});
const by = { kind: 'organizer' as const, name: 'o' };
const TOKEN = 'alpha-token-0123456789abcdef';

async function setup() {
  const t = await testApp({ fanoutWorkers: 2 }, { frameTimer: everyFrame });
  open.push(t);
  await t.services.store.appendMany(
    ['alpha', 'bravo', 'charlie'].map((id) => ({ type: 'team.created' as const, source: 'organizer' as const, data: { id, name: id, members: [], tokenHash: hashToken(id === 'alpha' ? TOKEN : `${id}-token-0123456789abcdef`), portBase: null, seed: 1, by } })),
  );
  await t.app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = t.app.server.address() as AddressInfo;
  return { ...t, base: `ws://127.0.0.1:${port}`, pool: fanoutOf(t.app.server)! };
}

function client(url: string, headers: Record<string, string> = {}) {
  const ws = new WebSocket(url, { headers });
  ws.on('error', () => {});
  sockets.push(ws);
  const frames: Array<SnapshotFrame | DeltaFrame> = [];
  let waiter: (() => void) | undefined;
  ws.on('message', (raw: Buffer) => {
    frames.push(JSON.parse(raw.toString()));
    waiter?.();
  });
  const until = (pred: () => boolean, what: string) =>
    new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`never: ${what}; frames ${JSON.stringify(frames.map((f) => [f.type, f.seq]))}`)), 20_000);
      const check = () => {
        if (!pred()) return;
        clearTimeout(timer);
        waiter = undefined;
        resolve();
      };
      waiter = check;
      check();
    });
  /** The board this client holds: its snapshot and every delta after it. */
  const board = (): FrameBoard | null =>
    frames.reduce<FrameBoard | null>((b, f) => (f.type === 'snapshot' ? f.board : b && applyDelta(b, f)), null);
  const closed = new Promise<number>((r) => ws.once('close', (code) => r(code)));
  return { ws, frames, until, board, closed };
}

const served = async (t: T) => (await t.app.inject('/api/leaderboard')).json() as FrameBoard;
const adjust = (t: T, team: string, points: number) => t.services.store.append({ type: 'score.adjusted', team, source: 'organizer', data: { points, reason: 'fan-out test', by } });

describe('fan-out workers', () => {
  it('spectators are served by worker processes: snapshot, deltas, resume; /ws/team stays here', async () => {
    const t = await setup();
    expect(t.pool.pids).toHaveLength(2);
    expect(t.pool.pids).not.toContain(process.pid);
    const a = client(`${t.base}/ws/leaderboard`);
    const b = client(`${t.base}/ws/leaderboard`);
    await a.until(() => a.frames.length === 1, 'snapshot a');
    await b.until(() => b.frames.length === 1, 'snapshot b');
    expect(a.frames[0]!.type).toBe('snapshot');
    // The main process holds none of the spectator sockets.
    expect(t.app.websocketServer.clients.size).toBe(0);

    await adjust(t, 'charlie', 30);
    await adjust(t, 'bravo', 10);
    const now = await served(t);
    await a.until(() => a.board()?.seq === now.seq, 'a at the served version');
    await b.until(() => b.board()?.seq === now.seq, 'b at the served version');
    expect(a.board()).toEqual(now);
    expect(b.board()).toEqual(now);
    expect(a.frames.slice(1).every((f) => f.type === 'delta')).toBe(true);

    // Resume from the first snapshot: one delta from the worker's replica.
    const r = client(`${t.base}/ws/leaderboard?since=${a.frames[0]!.seq}`);
    await r.until(() => r.frames.length === 1, 'resume');
    expect(r.frames[0]).toMatchObject({ type: 'delta', from: a.frames[0]!.seq, seq: now.seq });
    expect(applyDelta((a.frames[0] as SnapshotFrame).board, r.frames[0] as DeltaFrame)).toEqual(now);

    // The team's own stream is still the main process's, with its token and Origin checks.
    const team = client(`${t.base}/ws/team`, { authorization: `Bearer ${TOKEN}` });
    await team.until(() => team.frames.length === 1, 'team snapshot');
    expect(team.frames[0]).toMatchObject({ type: 'snapshot', team: { team: 'alpha' } });
    const wrong = client(`${t.base}/ws/team`, { authorization: 'Bearer not-a-token-0123456789' });
    expect(await wrong.closed).toBe(4001);
    const evil = new WebSocket(`${t.base}/ws/leaderboard`, { headers: { origin: 'https://evil.example' } });
    evil.on('error', () => {});
    sockets.push(evil);
    await expect(new Promise((resolve, reject) => (evil.once('unexpected-response', (_q, res) => resolve(res.statusCode)), evil.once('open', () => reject(new Error('opened')))))).resolves.toBe(403);
  });

  it('a killed worker is restarted; its spectators reconnect, resume, and reach the served board', async () => {
    const t = await setup();
    const clients = Array.from({ length: 6 }, () => client(`${t.base}/ws/leaderboard`));
    for (const c of clients) await c.until(() => c.frames.length === 1, 'snapshot');
    const [victim] = t.pool.pids;
    process.kill(victim!, 'SIGKILL');
    // Changes while a worker is down reach the other worker's clients...
    await adjust(t, 'alpha', 5);
    // The victim's clients lose their connection (the worker took their sockets with it).
    await Promise.race(clients.map((c) => c.closed));
    // ...and a dropped client reconnects with ?since= (as web/src/lib/live.ts does) to a worker that is up.
    const dropped = clients.filter((c) => c.ws.readyState !== WebSocket.OPEN);
    expect(dropped.length).toBeGreaterThan(0);
    await new Promise<void>((resolve, reject) => {
      const started = Date.now();
      const poll = () => (t.pool.pids.length === 2 && !t.pool.pids.includes(victim!) ? resolve() : Date.now() - started > 20_000 ? reject(new Error('worker not restarted')) : setTimeout(poll, 50));
      poll();
    });
    await adjust(t, 'bravo', 7);
    const now = await served(t);
    for (const c of dropped) {
      const seq = c.board()!.seq;
      const again = client(`${t.base}/ws/leaderboard?since=${seq}`);
      await again.until(() => again.frames.length >= 1, 'resumed');
      const first = again.frames[0]!;
      const board = first.type === 'snapshot' ? first.board : applyDelta(c.board()!, first);
      expect(board).toEqual(now);
    }
    for (const c of clients.filter((x) => x.ws.readyState === WebSocket.OPEN)) {
      await c.until(() => c.board()?.seq === now.seq, 'survivor current');
      expect(c.board()).toEqual(now);
    }
  });
});
