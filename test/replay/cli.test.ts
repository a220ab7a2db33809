import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEventsJsonl } from '../../src/export/pack.js';
import { results } from '../../src/export/results.js';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { score } from '../../src/scoring/index.js';

const CLI = fromRoot('dist/src/cli.js');
const FIXTURE = fromRoot('test/fixtures/demo-game.jsonl');
const recorded = parseEventsJsonl(readFileSync(FIXTURE, 'utf8'));
const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function replay(args: string[]) {
  const child = spawn(process.execPath, [CLI, 'replay', ...args], { env: { ...process.env, FIREDRILL_ADMIN_TOKEN: '', LOG_LEVEL: 'warn' }, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /spectators:\s+(http:\/\/[^\s/]+)\//.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`replay exited with ${code}:\n${out}`)));
  });
  return { child, ready, exited, output: () => out };
}

describe('firedrill replay (built CLI) on a recorded demo game', () => {
  it('plays the game to its end; the final board and results equal the scoring fold of the same file', async () => {
    const r = replay([FIXTURE, '--speed', '100000', '--port', '0']);
    const url = await r.ready;
    expect(r.output()).toMatch(/replaying .*demo-game\.jsonl \(555 events/);
    await expect.poll(() => r.output(), { timeout: 30_000 }).toContain('replay finished');
    const pos = (await (await fetch(`${url}/api/replay`)).json()) as { played: number; done: boolean };
    expect(pos).toMatchObject({ played: recorded.length, done: true });

    const board = (await (await fetch(`${url}/api/leaderboard`)).json()) as { game: { phase: string }; teams: Array<{ id: string; name: string; rank: number; score: number; breakdown: { categories: unknown; faults: unknown[] } }> };
    const original = score(scenario, recorded);
    expect(board.game.phase).toBe('finished');
    expect(board.teams.map((t) => ({ id: t.id, name: t.name, rank: t.rank, score: t.score, categories: t.breakdown.categories, faults: t.breakdown.faults }))).toEqual(
      original.teams.map((s) => ({
        id: s.team,
        name: s.name,
        rank: s.rank,
        score: s.total,
        categories: s.breakdown.categories,
        faults: s.breakdown.faults.map((f, index) => ({ masked: f.injectedAt === null, index, ...(f.injectedAt !== null ? { id: f.fault } : {}), state: f.state, detection: f.detection.state, points: f.points, max: f.max })),
      })),
    );
    const res = await fetch(`${url}/api/results`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(results(scenario, recorded))));
    // The spectator page is served as in a live game.
    const page = await fetch(`${url}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);

    r.child.kill('SIGTERM');
    expect(await r.exited).toBe(0);
  });

  it('refuses a missing file, a bad speed and a file that is not an event log', async () => {
    for (const [args, code, says] of [
      [[], 2, /replay needs a file/],
      [[FIXTURE, '--speed', '0'], 2, /--speed must be a number > 0/],
      [[fromRoot('package.json')], 1, /cannot read .*package\.json: line 1/],
    ] as const) {
      const r = replay([...args]);
      r.ready.catch(() => {});
      expect(await r.exited, r.output()).toBe(code);
      expect(r.output()).toMatch(says);
    }
  });
});
