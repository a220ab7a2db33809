/**
 * WebSocket fan-out benchmark: firedrill's real `/ws/leaderboard` against a raw `ws` broadcast.
 *
 *   npm run bench -- --clients 2000 --updates 200
 *
 * Five processes, so no side steals the other's event loop:
 *   - this one (the orchestrator) only paces the run and computes the figures;
 *   - a firedrill server child (createRuntime on a temp-file database with the default scenario,
 *     20 teams each with a fault in progress; buildApp + listen on 127.0.0.1:0; the platform
 *     processes, probes and game loop are NOT started), plus its fan-out workers;
 *   - a raw server child: a bare `ws` WebSocketServer;
 *   - a clients child per server: N `ws` clients on loopback each.
 * Both sides run at once, interleaved update by update (so load drift on this shared machine hits
 * both alike): two server children (firedrill, and a bare `ws` WebSocketServer greeting with the
 * same snapshot), each with its own clients child of N clients. Update i: firedrill appends one
 * `score.adjusted` (seeded random team and points) and the orchestrator waits until every firedrill
 * client has the frame, pauses `--gap` ms, then the raw server broadcasts the very same frame bytes
 * to its N clients, waits for all of them, pauses `--gap` ms, next. The idle side's sockets are
 * quiet meanwhile. Each side's p50/p99 are over the same updates; the per-update ratio
 * (firedrill / raw of the same frame, measured a second apart) is reported as well.
 * Latency of an update = last client's receipt − the moment before `store.append` (or before the
 * raw broadcast loop), both read from process.hrtime (CLOCK_MONOTONIC, shared by processes on one
 * machine). It includes the clients' own work: one process reads all N sockets in turn.
 * RSS is the server child's, after a forced GC, before and after the clients connect; the peak is
 * sampled (without GC) after every update.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { WebSocket, WebSocketServer } from 'ws';
import { figure, record } from './figures.js';

type Msg = { type: string } & Record<string, unknown>;

const { values: args } = parseArgs({
  options: {
    role: { type: 'string', default: 'main' },
    mode: { type: 'string', default: 'firedrill' },
    url: { type: 'string', default: '' },
    clients: { type: 'string', default: '2000' },
    updates: { type: 'string', default: '200' },
    warmup: { type: 'string', default: '10' },
    gap: { type: 'string', default: '20' },
    teams: { type: 'string', default: '20' },
    batch: { type: 'string', default: '100' },
    out: { type: 'string', default: '' },
    /**
     * Fan-out worker processes owning the spectator sockets (0: the main process writes to them).
     * 1 on this 2-core machine: a second worker only competes for the cores with the clients
     * process and the main process (docs/performance.md, "Fan-out delivery").
     */
    workers: { type: 'string', default: '1' },
    /** interleaved: firedrill and raw ws take turns update by update; sequential: all of one, then the other. */
    order: { type: 'string', default: 'interleaved' },
  },
  allowPositionals: false,
});
const int = (s: string | undefined, name: string) => {
  const n = Number(s);
  if (!Number.isInteger(n) || n < 0) throw new Error(`--${name} must be a non-negative integer`);
  return n;
};

const now = () => process.hrtime.bigint();
/** TCP segments retransmitted in this network namespace so far (a loopback drop shows up here as a ≥200 ms outlier). */
function retransSegs(): number {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Tcp:'));
    const [head, vals] = lines.map((l) => l.trim().split(/\s+/));
    return Number(vals![head!.indexOf('RetransSegs')]);
  } catch {
    return NaN;
  }
}
const ms = (ns: bigint) => Number(ns) / 1e6;
/** Resident set of another process (a fan-out worker), MB. */
function rssOfPid(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}
/** CPU time of another process (a fan-out worker) so far, ms (from clock ticks, 10 ms each). */
function cpuOfPid(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat(5) (utime, stime): 12th and 13th after the command name.
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100;
  } catch {
    return 0;
  }
}
const send = (m: Msg) => process.send!(m);
const rssMB = () => process.memoryUsage().rss / 2 ** 20;
/** After a forced GC: RSS, and the JS heap + buffers outside it (less noisy per connection than RSS). */
const gcMem = () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss / 2 ** 20, heap: (m.heapUsed + m.external) / 2 ** 20 };
};

/** A small seeded PRNG, so every run makes the same updates. */
function mulberry32(seed: number) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The `seq` of a frame, read from its head (`{"type":"update","seq":12,…`) without parsing it all. */
function seqOf(data: Buffer): number {
  const m = /"seq":(\d+)/.exec(data.toString('latin1', 0, 48));
  return m ? Number(m[1]) : -1;
}

// ------------------------------------------------------------------------------------------------
// server child: firedrill

async function firedrillServer(): Promise<void> {
  const { loadConfig } = await import('../src/config.js');
  const { createRuntime } = await import('../src/server.js');
  const { buildApp } = await import('../src/app.js');
  const { hashToken } = await import('../src/tokens.js');

  const dataDir = mkdtempSync(join(tmpdir(), 'firedrill-bench-'));
  const config = loadConfig({ env: {}, flags: { adminToken: 'bench-organizer-token-0123456789', logLevel: 'silent', teamPortBase: 0, fanoutWorkers: int(args.workers, 'workers') } });
  const rt = await createRuntime(config, { dataDir });
  const { store, scenario } = rt.services;
  const lb = rt.services.leaderboard!;
  const by = { kind: 'organizer' as const, name: 'bench' };
  const teams = Array.from({ length: int(args.teams, 'teams') }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
  const names = ['Pager Pandas', 'Rollback Raccoons', 'The On-Callers', 'Blameless Badgers', 'Five Nines', 'Latency Llamas', 'Kernel Panic', 'Chaos Monkeys'];
  await store.appendMany(
    teams.map((id, i) => ({
      type: 'team.created' as const,
      source: 'organizer' as const,
      data: { id, name: `${names[i % names.length]} ${Math.floor(i / names.length) + 1}`, members: [{ name: 'Alex' }, { name: 'Sam' }, { name: 'Kim' }], tokenHash: hashToken(`bench-${id}-token-0123456789`), portBase: null, seed: i + 1, by },
    })),
  );
  // A game in progress: every team has its first fault injected (a current fault on every row).
  const fault = scenario.faults[0]!.id;
  for (const team of teams) await store.append({ type: 'fault.injected', team, source: 'game', data: { fault, attempt: 1, deadlineAt: 1_680_000 } });

  const app = await buildApp(rt.services, { logger: false });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { fanoutOf } = await import('../src/http/leaderboard.js');
  /** The server's processes: this one and its fan-out workers (their RSS is counted with ours). */
  const workerCpu = () => (fanoutOf(app.server)?.pids ?? []).reduce((sum, pid) => sum + cpuOfPid(pid), 0);
  let workerCpu0 = 0;
  const workerRss = () => (fanoutOf(app.server)?.pids ?? []).reduce((sum, pid) => sum + rssOfPid(pid), 0);
  const { port } = app.server.address() as AddressInfo;

  // Record every public frame sent, for the raw server to broadcast the same bytes.
  const snapshot = lb.publicView().snapshotFrame;
  let lastFrame = '';
  lb.onPublic((frame) => (lastFrame = frame));

  const random = mulberry32(42);
  const scores = new Map(teams.map((t) => [t, 0]));
  let peak = 0;
  let cpu0 = process.cpuUsage();
  send({ type: 'ready', url: `ws://127.0.0.1:${port}/ws/leaderboard`, snapshotBytes: Buffer.byteLength(snapshot), snapshot });

  process.on('message', async (m: Msg) => {
    switch (m.type) {
      case 'rss': {
        const m = gcMem();
        send({ type: 'rss', ...m, rss: m.rss + workerRss(), mainRss: m.rss });
        return;
      }
      case 'cpu-start':
        cpu0 = process.cpuUsage();
        workerCpu0 = workerCpu();
        peak = 0;
        send({ type: 'cpu-start' });
        return;
      case 'update': {
        // Mostly small moves with an occasional big one, so ranks change now and then.
        const team = teams[Math.floor(random() * teams.length)]!;
        const points = (random() < 0.2 ? Math.round(random() * 400) - 100 : Math.round(random() * 40)) || 1;
        scores.set(team, scores.get(team)! + points);
        const t0 = now();
        await store.append({ type: 'score.adjusted', team, source: 'organizer', data: { points, reason: 'bench: judge awarded points for the postmortem', by } });
        const t1 = now();
        peak = Math.max(peak, rssMB() + workerRss());
        const frame = lastFrame;
        send({ type: 'updated', i: m.i, seq: lb.publicView().seq, t0: String(t0), t1: String(t1), bytes: Buffer.byteLength(frame), frame });
        return;
      }
      case 'finish': {
        const cpu = process.cpuUsage(cpu0);
        const end = gcMem();
        send({ type: 'finished', cpuMs: (cpu.user + cpu.system) / 1000, workerCpuMs: workerCpu() - workerCpu0, end: { ...end, rss: end.rss + workerRss() }, peak });
        return;
      }
      case 'stop':
        await app.close();
        await rt.close();
        rmSync(dataDir, { recursive: true, force: true });
        process.exit(0);
    }
  });
}

// ------------------------------------------------------------------------------------------------
// server child: raw ws, the same bytes

async function rawServer(): Promise<void> {
  let snapshot = '';
  const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  wss.on('connection', (ws) => {
    ws.send(snapshot);
    ws.on('message', () => {});
  });
  const { port } = wss.address() as AddressInfo;
  let peak = 0;
  let cpu0 = process.cpuUsage();
  process.on('message', (m: Msg) => {
    switch (m.type) {
      case 'snapshot':
        snapshot = m.snapshot as string;
        send({ type: 'ready', url: `ws://127.0.0.1:${port}/`, snapshotBytes: Buffer.byteLength(snapshot) });
        return;
      case 'rss':
        send({ type: 'rss', ...gcMem() });
        return;
      case 'cpu-start':
        cpu0 = process.cpuUsage();
        peak = 0;
        send({ type: 'cpu-start' });
        return;
      case 'update': {
        const frame = m.frame as string;
        const t0 = now();
        // The usual broadcast: one string, sent to every open client.
        for (const c of wss.clients) if (c.readyState === WebSocket.OPEN) c.send(frame);
        const t1 = now();
        peak = Math.max(peak, rssMB());
        send({ type: 'updated', i: m.i, seq: seqOf(Buffer.from(frame.slice(0, 48))), t0: String(t0), t1: String(t1), bytes: Buffer.byteLength(frame) });
        return;
      }
      case 'finish': {
        const cpu = process.cpuUsage(cpu0);
        send({ type: 'finished', cpuMs: (cpu.user + cpu.system) / 1000, end: gcMem(), peak });
        return;
      }
      case 'stop':
        for (const c of wss.clients) c.terminate();
        wss.close(() => process.exit(0));
    }
  });
  send({ type: 'listening' });
}

// ------------------------------------------------------------------------------------------------
// clients child

async function clientsChild(): Promise<void> {
  const n = int(args.clients, 'clients');
  const batch = Math.max(1, int(args.batch, 'batch'));
  const url = args.url!;
  /** Per board version: how many clients have it, first and last receipt. */
  const got = new Map<number, { count: number; first: bigint; last: bigint }>();
  const sockets: WebSocket[] = [];
  let errors = 0;
  const onFrame = (data: Buffer) => {
    const t = now();
    const seq = seqOf(data);
    let g = got.get(seq);
    if (!g) got.set(seq, (g = { count: 0, first: t, last: t }));
    g.count++;
    g.last = t;
    if (g.count === n) {
      got.delete(seq);
      send({ type: 'received', seq, first: String(g.first), last: String(g.last) });
    }
  };
  const t0 = now();
  for (let i = 0; i < n; i += batch) {
    await Promise.all(
      Array.from({ length: Math.min(batch, n - i) }, () =>
        new Promise<void>((resolve) => {
          const ws = new WebSocket(url, { perMessageDeflate: false });
          // The first frame is the snapshot: connected once it is in.
          ws.once('message', () => {
            ws.on('message', onFrame);
            resolve();
          });
          ws.on('error', () => {
            errors++;
            resolve();
          });
          sockets.push(ws);
        }),
      ),
    );
  }
  send({ type: 'connected', ms: ms(now() - t0), errors, open: sockets.filter((s) => s.readyState === WebSocket.OPEN).length });
  process.on('message', (m: Msg) => {
    if (m.type === 'status') {
      const g = got.get(m.seq as number);
      send({ type: 'status', seq: m.seq, count: g?.count ?? 0 });
    } else if (m.type === 'stop') {
      for (const s of sockets) s.terminate();
      setTimeout(() => process.exit(0), 50);
    }
  });
}

// ------------------------------------------------------------------------------------------------
// orchestrator

/** A child's messages as awaitable replies by type. */
function channel(child: ChildProcess) {
  const queue: Msg[] = [];
  const waiters: Array<{ type: string; resolve: (m: Msg) => void }> = [];
  child.on('message', (m: Msg) => {
    const i = waiters.findIndex((w) => w.type === m.type);
    if (i >= 0) waiters.splice(i, 1)[0]!.resolve(m);
    else queue.push(m);
  });
  const next = (type: string, timeoutMs = 120_000): Promise<Msg> => {
    const i = queue.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(queue.splice(i, 1)[0]!);
    return new Promise((resolve, reject) => {
      const w = {
        type,
        resolve: (m: Msg) => {
          clearTimeout(timer);
          resolve(m);
        },
      };
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(w), 1);
        reject(new Error(`timed out waiting for "${type}"`));
      }, timeoutMs);
      waiters.push(w);
    });
  };
  return {
    next,
    ask: (m: Msg, type = m.type, timeoutMs?: number) => {
      child.send(m);
      return next(type, timeoutMs);
    },
    send: (m: Msg) => child.send(m),
  };
}

const self = fileURLToPath(import.meta.url);
const spawn = (role: string, extra: string[], execArgv: string[] = []) => {
  const child = fork(self, ['--role', role, ...extra], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  child.on('exit', (code) => {
    if (code && code !== 0) console.error(`${role} child exited with code ${code}`);
  });
  return child;
};

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)]! : NaN;
};
const summary = (xs: number[]) => ({ p50: pct(xs, 50), p95: pct(xs, 95), p99: pct(xs, 99), max: Math.max(...xs) });
const r1 = (x: number) => Math.round(x * 10) / 10;
const r2 = (x: number) => Math.round(x * 100) / 100;

interface PhaseResult {
  connectMs: number;
  connectErrors: number;
  snapshotBytes: number;
  frameBytes: { p50: number; max: number };
  /** ms from before the append/broadcast to the last client's receipt */
  latencyLastMs: ReturnType<typeof summary>;
  /** ms to the first client's receipt */
  latencyFirstMs: ReturnType<typeof summary>;
  /** ms the server's event loop was held by one append (or broadcast loop), fan-out included */
  serverSyncMs: ReturnType<typeof summary>;
  serverCpuMsPerUpdate: number;
  /** the fan-out workers' CPU per update (firedrill only; from /proc, 10 ms ticks over the run) */
  workerCpuMsPerUpdate: number;
  incomplete: number;
  /** TCP segments retransmitted during the update phase (whole network namespace) */
  tcpRetransmits: number;
  rssMB: { idle: number; connected: number; peak: number; perClientKB: number; heapPerClientKB: number; afterRunGc: number };
  /** JS heap used + external, after GC */
  heapMB: { idle: number; connected: number; afterRunGc: number };
  /** Every measured update, in order: ms to the last client, to the first client, server loop held. */
  samples: { last: number[]; first: number[]; sync: number[] };
}

type Mode = 'firedrill' | 'raw';

/** One side of the comparison: its server child, its clients child, and what it measured. */
interface Side {
  mode: Mode;
  sc: ReturnType<typeof channel>;
  cc: ReturnType<typeof channel>;
  server: ChildProcess;
  clients: ChildProcess;
  ready: Msg;
  idleMem: Msg;
  connected: Msg;
  connectedMem: Msg;
  last: number[];
  first: number[];
  sync: number[];
  bytes: number[];
  incomplete: number;
}

async function startServer(mode: Mode, snapshot?: string): Promise<Pick<Side, 'mode' | 'server' | 'sc' | 'ready' | 'idleMem'>> {
  const server = spawn('server', ['--mode', mode, '--teams', args.teams!, '--workers', args.workers!], ['--expose-gc']);
  const sc = channel(server);
  let ready: Msg;
  if (mode === 'raw') {
    await sc.next('listening');
    ready = await sc.ask({ type: 'snapshot', snapshot: snapshot! }, 'ready');
  } else ready = await sc.next('ready');
  const idleMem = await sc.ask({ type: 'rss' });
  return { mode, server, sc, ready, idleMem };
}

async function connectClients(s: Pick<Side, 'mode' | 'server' | 'sc' | 'ready' | 'idleMem'>, n: number): Promise<Side> {
  const clients = spawn('clients', ['--url', s.ready.url as string, '--clients', String(n), '--batch', args.batch!]);
  const cc = channel(clients);
  const connected = await cc.next('connected', 300_000);
  if ((connected.open as number) !== n) throw new Error(`${s.mode}: only ${String(connected.open)} of ${n} clients connected (${String(connected.errors)} errors)`);
  const connectedMem = await s.sc.ask({ type: 'rss' });
  return { ...s, clients, cc, connected, connectedMem, last: [], first: [], sync: [], bytes: [], incomplete: 0 };
}

/** One update on one side: the server sends it (firedrill: appends; raw: broadcasts `frame`), then every client has it. */
async function step(s: Side, i: number, n: number, measured: boolean, frame?: string): Promise<Msg> {
  const received = s.cc.next('received', 30_000); // armed before the update, so none is missed
  const u = await s.sc.ask({ type: 'update', i, ...(frame !== undefined ? { frame } : {}) }, 'updated');
  let r: Msg;
  try {
    r = await received;
    while ((r.seq as number) !== (u.seq as number)) r = await s.cc.next('received', 30_000);
  } catch {
    const status = await s.cc.ask({ type: 'status', seq: u.seq });
    console.error(`${s.mode}: update ${i} (seq ${String(u.seq)}) reached only ${String(status.count)} of ${n} clients in 30 s`);
    s.incomplete++;
    return u;
  }
  if (measured) {
    const t0 = BigInt(u.t0 as string);
    s.last.push(ms(BigInt(r.last as string) - t0));
    s.first.push(ms(BigInt(r.first as string) - t0));
    s.sync.push(ms(BigInt(u.t1 as string) - t0));
    s.bytes.push(u.bytes as number);
  }
  return u;
}

async function finish(s: Side, n: number, total: number, retransmits: number): Promise<PhaseResult> {
  const fin = await s.sc.ask({ type: 'finish' }, 'finished');
  const end = fin.end as { rss: number; heap: number };
  s.cc.send({ type: 'stop' });
  s.sc.send({ type: 'stop' });
  await Promise.all([new Promise((r) => s.clients.once('exit', r)), new Promise((r) => s.server.once('exit', r))]);
  const idle = s.idleMem.rss as number;
  const connectedRss = s.connectedMem.rss as number;
  return {
    connectMs: Math.round(s.connected.ms as number),
    connectErrors: s.connected.errors as number,
    snapshotBytes: s.ready.snapshotBytes as number,
    frameBytes: { p50: pct(s.bytes, 50), max: Math.max(...s.bytes) },
    latencyLastMs: mapValues(summary(s.last), r1),
    latencyFirstMs: mapValues(summary(s.first), r2),
    serverSyncMs: mapValues(summary(s.sync), r2),
    serverCpuMsPerUpdate: r2((fin.cpuMs as number) / total),
    workerCpuMsPerUpdate: r2(((fin.workerCpuMs as number | undefined) ?? 0) / total),
    incomplete: s.incomplete,
    tcpRetransmits: retransmits,
    rssMB: {
      idle: r1(idle),
      connected: r1(connectedRss),
      peak: r1(Math.max(fin.peak as number, connectedRss)),
      perClientKB: r1(((connectedRss - idle) * 1024) / n),
      heapPerClientKB: r1((((s.connectedMem.heap as number) - (s.idleMem.heap as number)) * 1024) / n),
      afterRunGc: r1(end.rss),
    },
    heapMB: { idle: r1(s.idleMem.heap as number), connected: r1(s.connectedMem.heap as number), afterRunGc: r1(end.heap) },
    samples: { last: s.last.map(r1), first: s.first.map(r1), sync: s.sync.map(r1) },
  };
}

/**
 * Both sides, connected at once. `interleaved` (the default): update i on firedrill, then the same
 * frame on raw ws, then update i+1 — both sides see the same minute of this shared machine.
 * `sequential` (the old way, kept to show the difference): every firedrill update, then every raw one.
 */
async function runBoth(n: number, updates: number, warmup: number, gap: number, order: string) {
  const fdServer = await startServer('firedrill');
  const rawServer = await startServer('raw', fdServer.ready.snapshot as string);
  const fd = await connectClients(fdServer, n);
  const raw = await connectClients(rawServer, n);
  await fd.sc.ask({ type: 'cpu-start' });
  await raw.sc.ask({ type: 'cpu-start' });
  const retrans0 = retransSegs();
  const pause = () => (gap ? new Promise((res) => setTimeout(res, gap)) : Promise.resolve());
  const total = warmup + updates;
  const pairs: number[] = [];
  if (order === 'sequential') {
    const frames: string[] = [];
    for (let i = 0; i < total; i++) {
      frames.push((await step(fd, i, n, i >= warmup)).frame as string);
      await pause();
    }
    for (let i = 0; i < total; i++) {
      await step(raw, i, n, i >= warmup, frames[i]);
      await pause();
    }
  } else {
    for (let i = 0; i < total; i++) {
      const u = await step(fd, i, n, i >= warmup);
      await pause();
      await step(raw, i, n, i >= warmup, u.frame as string);
      await pause();
    }
  }
  if (fd.last.length === raw.last.length) for (let j = 0; j < fd.last.length; j++) pairs.push(fd.last[j]! / raw.last[j]!);
  const retransmits = retransSegs() - retrans0;
  const f = await finish(fd, n, total, retransmits);
  const r = await finish(raw, n, total, retransmits);
  return { f, r, pairs };
}

function mapValues<T extends Record<string, number>>(o: T, f: (x: number) => number): T {
  return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v)])) as T;
}

async function main(): Promise<void> {
  const n = int(args.clients, 'clients');
  const updates = int(args.updates, 'updates');
  const warmup = int(args.warmup, 'warmup');
  const gap = int(args.gap, 'gap');
  if (n < 1 || updates < 1) throw new Error('--clients and --updates must be at least 1');
  const load = loadavg().map(r2);
  console.log(`ws-fanout: ${n} clients, ${updates} updates (+${warmup} warm-up), ${gap} ms apart, ${args.teams} teams; load average ${load.join(' ')}`);

  const order = args.order!;
  if (order !== 'interleaved' && order !== 'sequential') throw new Error('--order must be interleaved or sequential');
  const { f, r, pairs } = await runBoth(n, updates, warmup, gap, order);
  const pairRatio = pairs.length ? { p50: r2(pct(pairs, 50)), p90: r2(pct(pairs, 90)) } : null;
  console.log(`  done (${order}; load average now ${loadavg().map(r2).join(' ')})\n`);

  const row = (label: string, a: string | number, b: string | number) => console.log(`${label.padEnd(48)}${String(a).padStart(32)}${String(b).padStart(32)}`);
  const four = (s: ReturnType<typeof summary>) => `${s.p50} / ${s.p95} / ${s.p99} / ${s.max}`;
  row(`N = ${n}`, 'firedrill /ws', 'raw ws');
  row('frame bytes p50 / max (same bytes)', `${f.frameBytes.p50} / ${f.frameBytes.max}`, `${r.frameBytes.p50} / ${r.frameBytes.max}`);
  row('snapshot bytes (sent on connect)', f.snapshotBytes, r.snapshotBytes);
  row('connect all clients (ms)', f.connectMs, r.connectMs);
  row('append→last client p50/p95/p99/max (ms)', four(f.latencyLastMs), four(r.latencyLastMs));
  row('append→first client p50 / p99 (ms)', `${f.latencyFirstMs.p50} / ${f.latencyFirstMs.p99}`, `${r.latencyFirstMs.p50} / ${r.latencyFirstMs.p99}`);
  row('server loop held per update p50 / p99 (ms)', `${f.serverSyncMs.p50} / ${f.serverSyncMs.p99}`, `${r.serverSyncMs.p50} / ${r.serverSyncMs.p99}`);
  row('server CPU per update (ms)', f.serverCpuMsPerUpdate, r.serverCpuMsPerUpdate);
  row('fan-out workers CPU per update, all (ms)', f.workerCpuMsPerUpdate, '—');
  row('server RSS idle / connected / peak / end (MB)', `${f.rssMB.idle} / ${f.rssMB.connected} / ${f.rssMB.peak} / ${f.rssMB.afterRunGc}`, `${r.rssMB.idle} / ${r.rssMB.connected} / ${r.rssMB.peak} / ${r.rssMB.afterRunGc}`);
  row('server RSS per client (KB)', f.rssMB.perClientKB, r.rssMB.perClientKB);
  row('server heap+external per client (KB)', f.rssMB.heapPerClientKB, r.rssMB.heapPerClientKB);
  row('server heap+ext. idle / connected / end (MB)', `${f.heapMB.idle} / ${f.heapMB.connected} / ${f.heapMB.afterRunGc}`, `${r.heapMB.idle} / ${r.heapMB.connected} / ${r.heapMB.afterRunGc}`);
  row('updates not delivered to all (of ' + updates + ')', f.incomplete, r.incomplete);
  row('TCP retransmits during updates (both sides)', f.tcpRetransmits, r.tcpRetransmits);
  if (pairRatio) row('per-update ratio firedrill/raw p50 / p90', `${pairRatio.p50} / ${pairRatio.p90}`, '');

  // One small JSON per day, one entry per client count (a later run with the same N replaces it).
  const date = new Date().toISOString().slice(0, 10);
  const root = join(dirname(self), '..', '..');
  const out = args.out || join(root, 'bench', 'results', `ws-fanout-${date}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const previous = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as { runs?: Array<{ clients: number }> }) : {};
  const run = {
    clients: n,
    updates,
    warmup,
    gapMs: gap,
    teams: int(args.teams, 'teams'),
    at: new Date().toISOString(),
    loadAverageAtStart: load,
    loadAverageAtEnd: loadavg().map(r2),
    order,
    perUpdateRatio: pairRatio,
    firedrill: f,
    raw: r,
  };
  const doc = {
    bench: 'ws-fanout',
    how: 'bench/ws-fanout.ts: server and clients in separate processes on loopback, both sides connected at once and (order interleaved) taking turns update by update; latency = last client receipt - before append (firedrill) or before the broadcast loop (raw ws, same frame bytes); RSS of the server process after GC',
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, platform: process.platform },
    date,
    runs: [...(previous.runs ?? []).filter((x) => x.clients !== n), run].sort((a, b) => a.clients - b.clients),
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`\nwrote ${out}`);
  const teams = int(args.teams, 'teams');
  record([
    figure({ name: `ws_fanout.delivery_p99.${n}_clients_${teams}_teams`, unit: 'ms append→last client p99', firedrill: f.latencyLastMs.p99, baseline: r.latencyLastMs.p99, baselineName: 'raw ws, same bytes', target: '≤ 1.1×', ok: f.latencyLastMs.p99 <= 1.1 * r.latencyLastMs.p99, note: `${args.workers} fan-out worker(s); ${order}${pairRatio ? `; per-update ratio p50 ${pairRatio.p50}, p90 ${pairRatio.p90}` : ''}; ${updates} updates (p99 of fewer than 100 is their max)` }),
    figure({ name: `ws_fanout.loop_held_p99.${n}_clients_${teams}_teams`, unit: 'ms main loop held per update p99', firedrill: f.serverSyncMs.p99, baseline: r.serverSyncMs.p99, baselineName: 'raw ws broadcast loop', target: '≤ 30 ms', ok: f.serverSyncMs.p99 <= 30 }),
    figure({ name: `ws_fanout.frame_bytes_p50.${teams}_teams`, unit: 'bytes', firedrill: f.frameBytes.p50, baseline: f.snapshotBytes, baselineName: 'the full snapshot', target: teams >= 100 ? '≤ 2 KB' : undefined, ok: teams >= 100 ? f.frameBytes.p50 <= 2048 : undefined }),
    figure({ name: `memory.rss_connected.${n}_clients_${teams}_teams`, unit: `MB server RSS with clients connected (main + ${args.workers} fan-out workers)`, firedrill: f.rssMB.connected, baseline: r.rssMB.connected, baselineName: 'raw ws server', target: '≤ 400 MB', ok: f.rssMB.connected <= 400 }),
  ]);
}

const run = args.role === 'server' ? (args.mode === 'raw' ? rawServer : firedrillServer) : args.role === 'clients' ? clientsChild : main;
run().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
