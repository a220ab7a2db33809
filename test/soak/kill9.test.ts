import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { score } from '../../src/scoring/index.js';
import { ChildServer } from '../game/child-server.js';

/**
 * `kill -9` at random points of a sped-up game (npm run test:soak; CI runs it). Each run: two teams
 * play the default scenario at speed 60 while one team writes messages; the server is killed at a
 * random moment, restarted on the same data dir, and compared with what it had acknowledged.
 * The kill points come from a seed printed with every run, so a failure can be replayed
 * (SOAK_SEED=… npm run test:soak).
 */
const RUNS = Number(process.env.SOAK_RUNS ?? 5);
const seed = Number(process.env.SOAK_SEED ?? Date.now() % 1_000_000);
const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));

/** A small deterministic PRNG (mulberry32) so kill points replay from the seed. */
function rng(s: number) {
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const strip = (e: StoredEvent) => ({ seq: e.seq, type: e.type, team: e.team, key: e.key, gameTime: e.gameTime, data: e.data });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Live processes that belong to this data dir: the platform's children get their config (which
 * names files under the data dir) in their environment, so a child left behind by a dead server shows here.
 */
function processesOf(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    if (Number(pid) === process.pid) continue;
    try {
      const env = readFileSync(`/proc/${pid}/environ`, 'utf8');
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (env.includes(dir) || cmd.includes(dir)) found.push(`${pid} ${cmd.replaceAll('\0', ' ')}`);
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

async function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

/** Board totals and the log they were folded from, read when nothing moved in between. */
async function stableBoard(server: ChildServer): Promise<{ events: StoredEvent[]; totals: Record<string, number> }> {
  for (let i = 0; i < 40; i++) {
    const before = await server.events();
    const board = await server.api<{ teams: Array<{ id: string; score: number }> }>('GET', '/api/admin/leaderboard');
    const after = await server.events();
    if (before.length === after.length) return { events: before, totals: Object.fromEntries(board.teams.map((t) => [t.id, t.score])) };
    await sleep(100);
  }
  throw new Error('the log never stood still long enough to compare the board with a replay');
}

let server: ChildServer | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await server?.stop();
  server = undefined;
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe(`kill -9 at random points (seed ${seed}, ${RUNS} runs)`, () => {
  const next = rng(seed);
  for (let run = 1; run <= RUNS; run++) {
    const killAfterMs = 1_000 + Math.floor(next() * 11_000);
    it(`run ${run}: killed ${killAfterMs} ms into the game, nothing acknowledged is lost`, async () => {
      const dir = mkdtempSync(join(tmpdir(), 'fd-soak-'));
      dirs.push(dir);
      const args = ['--data-dir', dir, '--speed', '60', '--team-port-base', '0'];
      server = await ChildServer.start(args);
      const red = await server.api<{ token: string }>('POST', '/api/admin/teams', { id: 'red', name: 'Red' });
      await server.api('POST', '/api/admin/teams', { id: 'blue', name: 'Blue' });
      await server.api('POST', '/api/admin/game/start');

      // A team writing while the crash comes: every 201 it got must survive.
      const acked: string[] = [];
      let writing = true;
      const url = server.url;
      const writer = (async () => {
        for (let n = 0; writing; n++) {
          const clientId = `soak-${run}-${n}`;
          try {
            const res = await fetch(`${url}/api/team/messages`, {
              method: 'POST',
              headers: { authorization: `Bearer ${red.token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ channel: 'incident', text: `working on it (${n})`, clientId }),
            });
            if (res.status === 201) acked.push(clientId);
          } catch {
            // the server is gone: stop writing
            return;
          }
          await sleep(20);
        }
      })();

      await sleep(killAfterMs);
      const beforeCrash = await server.events();
      await server.crash();
      writing = false;
      await writer;

      server = await ChildServer.start(args);
      // The dead server's children go (IPC disconnect, or the stale-pid sweep): one server and
      // four processes per team remain.
      for (let i = 0; i < 100 && processesOf(dir).length > 1 + 2 * 4; i++) await sleep(100);
      expect(processesOf(dir).length).toBeLessThanOrEqual(1 + 2 * 4);
      const after = await server.events();
      // Every event seen before the crash is still there, unchanged and in order.
      expect(after.slice(0, beforeCrash.length).map(strip)).toEqual(beforeCrash.map(strip));
      // Every message the server acknowledged is in the log, once.
      const keys = after.filter((e) => e.type === 'message.posted').map((e) => e.key);
      for (const id of acked) expect(keys.filter((k) => k === `msg:red:${id}`), id).toHaveLength(1);
      // Idempotency keys stay unique across the crash (no decision was taken twice).
      const allKeys = after.map((e) => e.key).filter((k): k is string => typeof k === 'string');
      expect(new Set(allKeys).size).toBe(allKeys.length);

      // The restarted game goes on; then its board equals a replay of its log from zero.
      await sleep(1_500);
      await server.api('POST', '/api/admin/game/pause');
      const { events, totals } = await stableBoard(server);
      const replay = score(scenario, events);
      expect(Object.fromEntries(replay.teams.map((t) => [t.team, t.total]))).toEqual(totals);

      // No orphans and no stale ports once the server is stopped.
      const teams = await server.api<{ teams: Array<{ id: string; publicUrl: string | null }> }>('GET', '/api/admin/teams');
      const ports = teams.teams.map((t) => (t.publicUrl ? Number(new URL(t.publicUrl).port) : 0)).filter((p) => p > 0);
      expect(ports.length).toBe(2);
      await server.stop();
      server = undefined;
      for (let i = 0; i < 50 && processesOf(dir).length; i++) await sleep(100);
      expect(processesOf(dir)).toEqual([]);
      for (const p of ports) expect(await portFree(p), `port ${p}`).toBe(true);
    });
  }
});
