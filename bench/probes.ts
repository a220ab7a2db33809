/**
 * Probes at event scale (issue 18): 500 teams × the scenario's 3 probes (page, api, canary) every
 * 1 s wall, by the real ProbeRunner (src/probes/runner.ts) into the real event log (a SQLite file
 * in a temp dir), with the real live board (src/leaderboard) subscribed to it as in the server.
 *
 *   node dist-bench/bench/probes.js [--teams 500] [--seconds 30] [--warmup 3] [--speed 60]
 *
 * Two processes, so the targets never share the runner's event loop:
 *   - a target child: one node:http server per team on 127.0.0.1 (as the embedded platform gives
 *     each team its own ingress port), answering the scenario's probes (the chat page, /api/health,
 *     and the canary's write-then-read of its room);
 *   - this process: the runs below, one after another, each on a fresh temp-file event log with
 *     the teams created, the game started at `--speed` (60: a game minute per wall second, so every
 *     team's `sli.minute` goes through the log and the board each second: 500 board changes a
 *     second) and every team's first fault injected.
 * Runs: `bare` (a timer loop doing the same HTTP requests on the same grid with a keep-alive agent,
 * nothing recorded), `runner` (ProbeRunner + event log + game clock, no board) and `board` (the same
 * with the Leaderboard folding every event and a public listener).
 *
 * Lateness of a check = the moment its first HTTP request is created (diagnostics_channel
 * `http.client.request.start`, in this process) − its scheduled time on the runner's grid
 * (`start + phase + n·interval`; `start` is the wall time of the runner's first poll). A scheduled
 * time in the measured window with no request started for it is a missed check (the runner skips
 * a slot whose previous check is still running or that it reaches more than an interval late).
 */
import { fork, type ChildProcess } from 'node:child_process';
import diagnostics from 'node:diagnostics_channel';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http, { type ClientRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { figure, quantile, record, type Figure } from './figures.js';

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    teams: { type: 'string', default: '500' },
    seconds: { type: 'string', default: '30' },
    warmup: { type: 'string', default: '3' },
    speed: { type: 'string', default: '60' },
    /** Share of page and api requests the targets answer 503 (seeded): availability moves, so scores and ranks do. */
    fail: { type: 'string', default: '0.05' },
    only: { type: 'string', default: '' },
    quick: { type: 'boolean', default: false },
  },
});
const num = (s: string | undefined, name: string) => {
  const n = Number(s);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number`);
  return n;
};
const INTERVAL = 1000;
const teamId = (i: number) => `team-${String(i + 1).padStart(4, '0')}`;

// ------------------------------------------------------------------------------------------------
// target child: one HTTP server per team

async function targets(n: number, fail: number): Promise<void> {
  const page = '<!doctype html><html><head><title>Chat</title></head><body><div id="app"></div></body></html>';
  const health = JSON.stringify({ status: 'ok' });
  const servers: http.Server[] = [];
  let requests = 0;
  const ports: number[] = [];
  for (let i = 0; i < n; i++) {
    // The canary's room, last 50 messages (as the chat service keeps them).
    const room: Array<{ id: number; room: string; name: string; text: string; clientId?: string }> = [];
    let ids = 0;
    let seed = i + 1;
    // mulberry32: the same failures in every run.
    const random = () => {
      seed = (seed + 0x6d2b79f5) | 0;
      let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const server = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
      requests++;
      const url = req.url ?? '/';
      if (req.method === 'POST' && url.startsWith('/api/messages')) {
        const chunks: Buffer[] = [];
        req.on('data', (c: Buffer) => chunks.push(c));
        req.on('end', () => {
          const m = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { room: string; name: string; text: string; clientId?: string };
          const message = { id: ++ids, ...m };
          room.push(message);
          if (room.length > 50) room.shift();
          res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ message }));
        });
        return;
      }
      if ((url === '/' || url === '/api/health') && random() < fail) return res.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      if (url.startsWith('/api/messages')) return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messages: room }));
      if (url === '/api/health') return res.writeHead(200, { 'content-type': 'application/json' }).end(health);
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    servers.push(server);
    ports.push((server.address() as AddressInfo).port);
  }
  // Its own event-loop delay, so a run where the targets (not the runner) were slow is told apart.
  const loop = monitorEventLoopDelay({ resolution: 10 });
  let cpu = process.cpuUsage();
  let wall = Date.now();
  process.on('message', (m: { type: string }) => {
    if (m.type === 'reset') {
      loop.reset();
      loop.enable();
      cpu = process.cpuUsage();
      wall = Date.now();
    } else if (m.type === 'stats') {
      loop.disable();
      const used = process.cpuUsage(cpu);
      process.send!({ type: 'stats', requests, loopMaxMs: loop.max / 1e6, cpuShare: (used.user + used.system) / 1000 / (Date.now() - wall) });
      requests = 0;
    }
  });
  process.send!({ type: 'ready', ports });
  process.on('disconnect', () => process.exit(0));
}

// ------------------------------------------------------------------------------------------------
// the runs (this process)

interface Started {
  team: string;
  probe: string;
  at: number;
}

/** Every check's first request, as it is created: `/` is page, `/api/health` api, POST `/api/messages` canary (its read is not a new check). */
function watchRequests(portToTeam: Map<number, string>): { started: Started[]; stop: () => void } {
  const started: Started[] = [];
  const onStart = (msg: unknown) => {
    const at = Date.now();
    const req = (msg as { request: ClientRequest }).request;
    const team = portToTeam.get(Number(String(req.getHeader('host') ?? '').split(':')[1]));
    if (!team) return;
    const probe = req.path === '/' ? 'page' : req.path === '/api/health' ? 'api' : req.method === 'POST' && req.path.startsWith('/api/messages') ? 'canary' : null;
    if (probe) started.push({ team, probe, at });
  };
  diagnostics.subscribe('http.client.request.start', onStart);
  return { started, stop: () => diagnostics.unsubscribe('http.client.request.start', onStart) };
}

interface TargetStats {
  requests: number;
  loopMaxMs: number;
  cpuShare: number;
}

interface RunResult {
  name: string;
  lateness: number[];
  missed: number;
  scheduled: number;
  completed: number;
  failed: number;
  seconds: number;
  loopMaxMs: number;
  loopP99Ms: number;
  runnerP99?: number;
  /** Appends in the window: p99, max, and how many took over 50 ms. */
  appendP99Ms?: number;
  appendMaxMs?: number;
  appendSlow?: number;
  /** CPU time of this process in the window / the window (1 = one core all the time). */
  cpuShare: number;
  gcMaxMs: number;
  gcTotalMs: number;
  /** Failed checks in the window by cause. */
  reasons: Record<string, number>;
  /** Share of the window some runnable task on the machine waited for a CPU (PSI, /proc/pressure/cpu): other work on the machine. */
  cpuPressure: number;
  target: TargetStats;
  events?: number;
  frames?: number;
  frameBytes?: number;
}

/** Microseconds runnable tasks have waited for a CPU since boot (Linux PSI), NaN where it is not available. */
function cpuWait(): number {
  try {
    return Number(/^some .*total=(\d+)/m.exec(readFileSync('/proc/pressure/cpu', 'utf8'))?.[1] ?? NaN);
  } catch {
    return NaN;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Lateness and missed checks of the requests started, against each slot's grid, in [from, to). */
function measure(started: Started[], grid: (team: string, probe: string) => number, slots: Array<{ team: string; probe: string }>, from: number, to: number) {
  const seen = new Map<string, Set<number>>();
  const lateness: number[] = [];
  for (const s of started) {
    const first = grid(s.team, s.probe);
    const n = Math.floor((s.at - first) / INTERVAL);
    const due = first + n * INTERVAL;
    if (due < from || due >= to) continue;
    const key = `${s.team}/${s.probe}`;
    let set = seen.get(key);
    if (!set) seen.set(key, (set = new Set()));
    if (set.has(n)) continue; // a second request in the same slot (not made by the runner; kept out)
    set.add(n);
    lateness.push(s.at - due);
  }
  let scheduled = 0;
  let missed = 0;
  for (const { team, probe } of slots) {
    const first = grid(team, probe);
    const set = seen.get(`${team}/${probe}`);
    for (let n = Math.max(0, Math.ceil((from - first) / INTERVAL)); first + n * INTERVAL < to; n++) {
      scheduled++;
      if (!set?.has(n)) missed++;
    }
  }
  return { lateness, scheduled, missed };
}

async function main(): Promise<void> {
  const teams = num(args.teams, 'teams');
  const seconds = num(args.seconds, 'seconds');
  const warmup = num(args.warmup, 'warmup');
  const speed = num(args.speed, 'speed');
  const { loadConfig } = await import('../src/config.js');
  const { loadScenario } = await import('../src/scenario/load.js');
  const { openDatabase, SqliteEventStore } = await import('../src/events/store.js');
  const { GameClock } = await import('../src/game/clock.js');
  const { Leaderboard } = await import('../src/leaderboard/service.js');
  const { ProbeRunner } = await import('../src/probes/runner.js');
  const { phaseFor } = await import('../src/probes/logic.js');
  const { hashToken } = await import('../src/tokens.js');

  const config = loadConfig({ env: {}, flags: { adminToken: 'bench-organizer-token-0123456789', logLevel: 'silent', teamPortBase: 0 } });
  const scenario = loadScenario(config.scenario);
  // The scenario's probes, every 1 s wall (the floor), phases spread over the whole second.
  const probes = scenario.probes.filter((p) => p.kind !== 'browser').map((p) => ({ ...p, intervalMs: INTERVAL * speed, jitterMs: INTERVAL }));
  if (probes.length !== 3) console.warn(`the scenario has ${probes.length} non-browser probes (the issue's figure is for 3)`);

  const child: ChildProcess = fork(fileURLToPath(import.meta.url), ['--role', 'target', '--teams', String(teams), '--fail', String(args.fail)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const ports = await new Promise<number[]>((resolve, reject) => {
    child.once('message', (m: { ports: number[] }) => resolve(m.ports));
    child.once('exit', (code) => reject(new Error(`target child exited (${code})`)));
  });
  const ids = Array.from({ length: teams }, (_, i) => teamId(i));
  const urlOf = new Map(ids.map((id, i) => [id, `http://127.0.0.1:${ports[i]}`]));
  const portToTeam = new Map(ids.map((id, i) => [ports[i]!, id]));
  const slots = ids.flatMap((team) => probes.map((p) => ({ team, probe: p.id })));
  const by = { kind: 'organizer' as const, name: 'bench' };

  /** One run: the requests of `[warmup, warmup + seconds)` measured; then a drain so the last checks finish. */
  async function run(name: 'bare' | 'runner' | 'board'): Promise<RunResult> {
    const dir = mkdtempSync(join(tmpdir(), 'firedrill-bench-probes-'));
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const watch = watchRequests(portToTeam);
    let start = 0;
    let completed = 0;
    let failed = 0;
    let from = 0;
    let to = 0;
    const runnerLate: number[] = [];
    const reasons = new Map<string, number>();
    const appendMs: number[] = [];
    // Garbage-collection pauses in the window (a stall that is neither the appends nor the checks).
    const gcMs: number[] = [];
    const gcObs = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (from && e.startTime + performance.timeOrigin >= from && e.startTime + performance.timeOrigin < to) gcMs.push(e.duration);
    });
    gcObs.observe({ entryTypes: ['gc'] });
    let events = 0;
    let frames = 0;
    let frameBytes = 0;
    let stop: () => Promise<void>;
    const window = () => {
      from = start + warmup * 1000;
      to = from + seconds * 1000;
    };
    if (name === 'bare') {
      // The floor: the same requests on the same grid and 50 ms resolution, no checks, no log.
      const agent = new http.Agent({ keepAlive: true, maxSockets: 8 });
      const bare = probes.map((p) => ({ id: p.id, path: p.kind === 'http' ? p.path : p.kind === 'canary' ? p.writePath : '/', method: p.kind === 'canary' ? 'POST' : 'GET' }));
      start = Date.now();
      const due = new Map(slots.map((s) => [`${s.team}/${s.probe}`, start + phaseFor(`${s.team}/${s.probe}`, INTERVAL, INTERVAL)]));
      const busy = new Set<string>();
      const tick = () => {
        const now = Date.now();
        for (const team of ids) {
          for (const p of bare) {
            const key = `${team}/${p.id}`;
            if (busy.has(key) || now < due.get(key)!) continue;
            due.set(key, due.get(key)! + (Math.floor((now - due.get(key)!) / INTERVAL) + 1) * INTERVAL);
            busy.add(key);
            const body = p.method === 'POST' ? JSON.stringify({ room: '__canary', name: 'bench', text: 'x' }) : undefined;
            const req = http.request(`${urlOf.get(team)}${p.path}`, { method: p.method, agent, headers: body ? { 'content-type': 'application/json', 'content-length': String(body.length) } : {} }, (res) => {
              res.resume();
              res.on('end', () => {
                busy.delete(key);
                completed++;
              });
            });
            req.on('error', () => {
              busy.delete(key);
              failed++;
            });
            req.end(body);
          }
        }
      };
      tick();
      const timer = setInterval(tick, 50);
      stop = async () => {
        clearInterval(timer);
        agent.destroy();
      };
    } else {
      const db = openDatabase(join(dir, 'firedrill.db'));
      const wall = { now: () => Date.now() };
      const gameClock = new GameClock(wall);
      const store = new SqliteEventStore(db, { clock: wall, gameTime: () => gameClock.now() });
      store.subscribe((e) => gameClock.apply(e));
      // Time every append (the SQLite commit and the synchronous subscribers: the board), as /metrics does.
      const appendMany = store.appendMany.bind(store);
      store.appendMany = async (batch) => {
        const t0 = performance.now();
        try {
          return await appendMany(batch);
        } finally {
          const ms = performance.now() - t0;
          if (from && Date.now() >= from && Date.now() < to) appendMs.push(ms);
        }
      };
      await store.appendMany(ids.map((id, i) => ({ type: 'team.created' as const, source: 'organizer' as const, data: { id, name: `Team ${i + 1}`, members: [{ name: 'Alex' }], tokenHash: hashToken(`bench-${id}-token-0123456789`), portBase: null, seed: i + 1, by } })));
      let lb: InstanceType<typeof Leaderboard> | undefined;
      if (name === 'board') {
        // As createRuntime does: rebuilt from the log, then following it; a public listener like the spectators'.
        lb = new Leaderboard({ scenario, gameTime: () => gameClock.now() });
        lb.rebuild(store.readSync());
        const board = lb;
        store.subscribe((e) => board.apply(e));
        lb.onPublic((f) => {
          frames++;
          frameBytes += f.length;
        });
      }
      await store.append({ type: 'game.speed_set', source: 'organizer', data: { speed, by } });
      await store.append({ type: 'game.started', source: 'organizer', data: { by } });
      const fault = scenario.faults[0]!.id;
      await store.appendMany(ids.map((team) => ({ type: 'fault.injected' as const, team, source: 'game' as const, data: { fault, attempt: 1, deadlineAt: 1_680_000 } })));
      store.subscribe(() => events++);
      const clock = {
        now: () => {
          const t = Date.now();
          if (!start) start = t;
          return t;
        },
      };
      const runner = new ProbeRunner({ store, clock, gameClock, probes, teams: () => ids, urlOf: (t) => urlOf.get(t) });
      runner.onCheck((o) => {
        completed++;
        if (!o.result.ok) {
          failed++;
          // A 503 is the targets' doing; a timeout would be the runner's (its loop too busy to read the answer).
          const why = /timed out/.test(o.result.evidence.error ?? '') ? 'timed out' : (o.result.evidence.error ?? 'failed');
          if (Date.now() >= from && Date.now() < to) reasons.set(why, (reasons.get(why) ?? 0) + 1);
        }
        if (o.lateMs !== undefined) runnerLate.push(o.lateMs);
      });
      runner.poll(); // the first poll creates every slot: `start` is its wall time
      runner.start();
      stop = async () => {
        await runner.close();
        await store.close();
      };
    }
    window();
    const grid = (team: string, probe: string) => start + phaseFor(`${team}/${probe}`, INTERVAL, INTERVAL);
    await sleep(from - Date.now());
    const c0 = completed;
    const f0 = failed;
    loop.enable();
    child.send({ type: 'reset' });
    const cpu0 = process.cpuUsage();
    const wait0 = cpuWait();
    await sleep(to - Date.now());
    loop.disable();
    const c1 = completed;
    const f1 = failed;
    const used = process.cpuUsage(cpu0);
    const target = await new Promise<TargetStats>((resolve) => {
      child.once('message', (m: TargetStats) => resolve(m));
      child.send({ type: 'stats' });
    });
    // The checks due just before the end start within the next poll; let them.
    await sleep(1000);
    await stop();
    watch.stop();
    rmSync(dir, { recursive: true, force: true });
    gcObs.disconnect();
    const m = measure(watch.started, grid, slots, from, to);
    return {
      name,
      ...m,
      completed: c1 - c0,
      failed: f1 - f0,
      seconds,
      loopMaxMs: loop.max / 1e6,
      loopP99Ms: loop.percentile(99) / 1e6,
      reasons: Object.fromEntries(reasons),
      cpuPressure: (cpuWait() - wait0) / (seconds * 1000 * 1000),
      gcMaxMs: gcMs.length ? Math.max(...gcMs) : 0,
      gcTotalMs: gcMs.reduce((a, b) => a + b, 0),
      cpuShare: (used.user + used.system) / 1000 / (seconds * 1000),
      target,
      ...(runnerLate.length ? { runnerP99: quantile(runnerLate, 0.99) } : {}),
      ...(appendMs.length ? { appendP99Ms: quantile(appendMs, 0.99), appendMaxMs: Math.max(...appendMs), appendSlow: appendMs.filter((x) => x > 50).length } : {}),
      ...(name !== 'bare' ? { events } : {}),
      ...(name === 'board' ? { frames, frameBytes } : {}),
    };
  }

  const wanted = args.only ? args.only.split(',') : ['bare', 'runner', 'board'];
  const results = new Map<string, RunResult>();
  const load = loadavg()[0]!;
  for (const name of ['bare', 'runner', 'board'] as const) {
    if (!wanted.includes(name)) continue;
    const r = await run(name);
    results.set(name, r);
    console.log(
      `${name}: lateness p50 ${quantile(r.lateness, 0.5)} ms, p99 ${quantile(r.lateness, 0.99)} ms, max ${Math.max(...r.lateness)} ms; missed ${r.missed} of ${r.scheduled}; ` +
        `${Math.round(r.completed / r.seconds)} checks/s completed (${r.failed} failed${r.failed ? `: ${JSON.stringify(r.reasons)}` : ''}); loop delay p99 ${r.loopP99Ms.toFixed(1)} ms, max ${r.loopMaxMs.toFixed(1)} ms; CPU ${r.cpuShare.toFixed(2)} core, GC ${r.gcTotalMs.toFixed(0)} ms (max pause ${r.gcMaxMs.toFixed(0)} ms); machine CPU pressure ${Math.round(r.cpuPressure * 100)} %; targets: CPU ${r.target.cpuShare.toFixed(2)} core, loop delay max ${r.target.loopMaxMs.toFixed(0)} ms` +
        `${r.runnerP99 !== undefined ? `; runner's own lateMs p99 ${r.runnerP99} ms` : ''}${r.events !== undefined ? `; ${r.events} events appended` : ''}${r.appendMaxMs !== undefined ? ` (append p99 ${r.appendP99Ms!.toFixed(1)} ms, max ${r.appendMaxMs.toFixed(0)} ms, ${r.appendSlow} over 50 ms)` : ''}${r.frames !== undefined ? `, ${r.frames} public frames` : ''}`,
    );
  }
  child.kill();

  const p99 = (r: RunResult | undefined) => (r ? quantile(r.lateness, 0.99) : NaN);
  const note = (r: RunResult) => `p50 ${quantile(r.lateness, 0.5)} ms, max ${Math.max(...r.lateness)} ms; missed ${r.missed} of ${r.scheduled}; ${Math.round(r.completed / r.seconds)} of ${Math.round(r.scheduled / r.seconds)} checks/s completed, ${r.failed} failed (the targets answer 503 to ${Number(args.fail) * 100} % of page and api requests); loop delay max ${Math.round(r.loopMaxMs)} ms; CPU ${r.cpuShare.toFixed(2)} core; machine CPU pressure ${Math.round(r.cpuPressure * 100)} %; speed ${speed}; load average ${load.toFixed(2)}`;
  const figs: Figure[] = [];
  const board = results.get('board');
  const runner = results.get('runner');
  const bare = results.get('bare');
  const tag = `${teams}_teams`;
  if (board) {
    figs.push(
      figure({ name: `probes.lateness_p99.${tag}`, unit: `ms p99 (${teams} teams × ${probes.length} probes at 1 s, board live)`, firedrill: p99(board), baseline: runner ? p99(runner) : null, baselineName: 'the same without the board', target: '≤ 100 ms, no missed check', ok: p99(board) <= 100 && board.missed === 0, note: note(board) }),
      figure({ name: `probes.missed.${tag}`, unit: `missed checks of ${board.scheduled} scheduled (board live)`, firedrill: board.missed, baseline: runner ? runner.missed : null, baselineName: 'the same without the board', ratio: null, target: '0', ok: board.missed === 0 }),
    );
  }
  if (runner) {
    figs.push(figure({ name: `probes.lateness_p99.${tag}.no_board`, unit: 'ms p99 (runner + event log, no board)', firedrill: p99(runner), baseline: bare ? p99(bare) : null, baselineName: 'a bare timer loop doing the same HTTP requests', note: note(runner) }));
  }
  record(figs);
}

if (args.role === 'target') await targets(num(args.teams, 'teams'), Number(args.fail));
else await main();
