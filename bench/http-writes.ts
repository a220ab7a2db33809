/**
 * HTTP writes (issue 18): `POST /api/team/messages` on the built server (a real event-log file,
 * 127.0.0.1) under autocannon -c10, beside a bare Fastify POST route measured in the same minutes;
 * and the server's event-loop delay during the run (perf_hooks.monitorEventLoopDelay in the server's
 * own process, 10 ms resolution), target: no stall over 50 ms.
 *
 *   node dist-bench/bench/http-writes.js [--rounds 7] [--seconds 3] [--connections 10] [--profile DIR]
 *
 * Both servers run side by side, each in its own child process (this file with --serve), so the
 * load generator never shares a server's event loop; the load goes to one at a time. The machine is
 * shared and its spare CPU moves by the second, so the two are measured in interleaved windows
 * (bare, firedrill, firedrill, bare, bare, firedrill, …: neither always goes first) and the ratio
 * is the median of the rounds' ratios, each from two adjacent windows (short ones, so the two see
 * much the same machine; many of them, so the median is steady). Each window also reports the
 * server's own CPU time per request (process.cpuUsage in the child), which other load moves less
 * than req/s.
 *
 * --profile writes each server's CPU profile of its measured windows only (DIR/<kind>.cpuprofile,
 * for Chrome DevTools or a script), by the inspector in the server's own process.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { figure, record } from './figures.js';

const { values: args } = parseArgs({
  options: {
    serve: { type: 'string', default: '' },
    rounds: { type: 'string', default: '7' },
    seconds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    quick: { type: 'boolean', default: false },
    profile: { type: 'string', default: '' },
  },
});
const ADMIN = 'organizer-token-for-the-http-bench-0123456789';

interface Ready {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}
/** What a server saw during one measured window. */
interface Window {
  loopMaxMs: number;
  loopP99Ms: number;
  cpuMs: number;
  /** The longest GC pause in the window (a stall that is the server's own, not the machine's). */
  gcMaxMs: number;
  /** The event log's WAL file at the window's end, MB (firedrill only). */
  walMB: number | null;
}
type Kind = 'bare' | 'firedrill';

/** The child: a server, a loop-delay monitor, and a report per window ('start' … 'stop'); 'exit' closes it. */
async function serve(kind: string): Promise<void> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  let close: () => Promise<void>;
  let ready: Ready;
  let wal: string | null = null;
  if (kind === 'bare') {
    const { default: Fastify } = await import('fastify');
    const app = Fastify();
    let n = 0;
    app.post('/messages', async (req, reply) => reply.status(201).send({ seq: ++n, body: req.body }));
    await app.listen({ host: '127.0.0.1', port: 0 });
    close = () => app.close();
    ready = { port: (app.server.address() as { port: number }).port, path: '/messages', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ channel: 'incident', text: 'looking into it now', clientId: 'c-[<id>]' }) };
  } else {
    const { loadConfig } = await import('../src/config.js');
    const { createRuntime } = await import('../src/server.js');
    const { buildApp } = await import('../src/app.js');
    const dir = mkdtempSync(join(tmpdir(), 'fd-bench-http-'));
    wal = join(dir, 'firedrill.db-wal');
    const config = loadConfig({ env: {}, flags: { adminToken: ADMIN, logLevel: 'silent', teamPortBase: 0 } });
    const rt = await createRuntime(config, { dataDir: dir });
    const app = await buildApp(rt.services);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const res = await app.inject({ method: 'POST', url: '/api/admin/teams', headers: { authorization: `Bearer ${ADMIN}` }, payload: { id: 'alpha', name: 'Alpha' } });
    const token = (JSON.parse(res.body) as { token: string }).token;
    close = async () => {
      await app.close();
      await rt.close();
      rmSync(dir, { recursive: true, force: true });
    };
    ready = {
      port: (app.server.address() as { port: number }).port,
      path: '/api/team/messages',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ channel: 'incident', text: 'looking into it now', clientId: 'c-[<id>]' }),
    };
  }
  const profiler = args.profile ? await startableProfiler() : undefined;
  let cpu0 = process.cpuUsage();
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcMaxMs = Math.max(gcMaxMs, e.duration);
  }).observe({ entryTypes: ['gc'] });
  process.on('message', (m: string) => {
    if (m === 'start') {
      // The profiler is started before the window opens: starting it holds the loop for a while.
      void (profiler?.start() ?? Promise.resolve()).then(() => {
        h.reset();
        h.enable();
        cpu0 = process.cpuUsage();
        gcMaxMs = 0;
        process.send!({ started: true });
      });
    }
    if (m === 'stop') {
      const cpu = process.cpuUsage(cpu0);
      h.disable();
      const w: Window = { loopMaxMs: h.max / 1e6, loopP99Ms: h.percentile(99) / 1e6, cpuMs: (cpu.user + cpu.system) / 1000, gcMaxMs, walMB: wal ? statSync(wal).size / 1e6 : null };
      void (profiler?.pause() ?? Promise.resolve()).then(() => process.send!({ window: w }));
    }
    if (m === 'exit') {
      void (profiler?.save(join(args.profile, `${kind}.cpuprofile`)) ?? Promise.resolve())
        .then(() => close())
        .then(() => process.send!({ closed: true }, () => process.exit(0)));
    }
  });
  process.send!({ ready });
}

/**
 * The V8 profiler of this process, running only inside the measured windows. V8 keeps one profile
 * per start/stop: each window's profile is kept and they are merged into one file (samples only
 * concatenated; node ids are per profile, so each window's nodes are renumbered).
 */
async function startableProfiler() {
  const { Session } = await import('node:inspector');
  const session = new Session();
  session.connect();
  const post = (method: string, params?: object) =>
    new Promise<unknown>((resolve, reject) => session.post(method, params, (err, res) => (err ? reject(err) : resolve(res))));
  await post('Profiler.enable');
  await post('Profiler.setSamplingInterval', { interval: 200 });
  interface Profile {
    nodes: Array<{ id: number; children?: number[] }>;
    startTime: number;
    endTime: number;
    samples: number[];
    timeDeltas: number[];
  }
  const parts: Profile[] = [];
  return {
    start: async () => void (await post('Profiler.start')),
    pause: async () => void parts.push(((await post('Profiler.stop')) as { profile: Profile }).profile),
    async save(file: string) {
      let offset = 0;
      const merged: Profile = { nodes: [], startTime: parts[0]?.startTime ?? 0, endTime: parts.at(-1)?.endTime ?? 0, samples: [], timeDeltas: [] };
      for (const p of parts) {
        const shift = (id: number) => id + offset;
        // Each part's root becomes a child of the first part's root, so the tree stays one tree.
        for (const n of p.nodes) merged.nodes.push({ ...n, id: shift(n.id), ...(n.children ? { children: n.children.map(shift) } : {}) });
        merged.samples.push(...p.samples.map(shift));
        merged.timeDeltas.push(...p.timeDeltas.map((d, i) => (i === 0 ? 0 : d)));
        if (offset > 0) merged.nodes[0]!.children = [...(merged.nodes[0]!.children ?? []), shift(p.nodes[0]!.id)];
        offset = merged.nodes.reduce((m, n) => Math.max(m, n.id), 0);
      }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify(merged));
    },
  };
}

interface Server {
  kind: Kind;
  proc: ChildProcess;
  ready: Ready;
  /** The next message from the child that has this field. */
  next<T>(field: string): Promise<T>;
}

function child(kind: Kind): Promise<Server> {
  const proc = fork(fileURLToPath(import.meta.url), ['--serve', kind, ...(args.profile ? ['--profile', args.profile] : [])], { stdio: 'inherit' });
  const next = <T>(field: string) =>
    new Promise<T>((resolve) => {
      const on = (m: Record<string, unknown>) => {
        if (!(field in m)) return;
        proc.off('message', on);
        resolve(m[field] as T);
      };
      proc.on('message', on);
    });
  return new Promise((resolve, reject) => {
    proc.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
    void next<Ready>('ready').then((ready) => resolve({ kind, proc, ready, next }));
  });
}

/** autocannon's requests: every message its own clientId (a repeated one is an idempotent retry, answered 200 without a write). */
function requestsFor(s: Server) {
  // (autocannon's idReplacement left every request unanswered here: each body is built instead.)
  let i = 0;
  return [{ method: 'POST', path: s.ready.path, headers: s.ready.headers, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: s.ready.body.replace('[<id>]', `${s.kind}-${++i}`) }) }];
}

interface Measured {
  rps: number;
  p99: number;
  non2xx: number;
  errors: number;
  total: number;
  window: Window;
  /** Server CPU per answered request, µs. */
  cpuUs: number;
}

async function measure(s: Server, requests: ReturnType<typeof requestsFor>, seconds: number, connections: number): Promise<Measured> {
  const url = `http://127.0.0.1:${s.ready.port}`;
  const started = s.next('started');
  s.proc.send('start');
  await started;
  const r = await autocannon({ url, requests, connections, duration: seconds });
  const window = s.next<Window>('window');
  s.proc.send('stop');
  const w = await window;
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total, window: w, cpuUs: (w.cpuMs * 1000) / Math.max(1, r.requests.total) };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

async function main(): Promise<void> {
  const rounds = Math.max(1, Number(args.rounds));
  const seconds = Number(args.seconds);
  const connections = Number(args.connections);
  const servers = { bare: await child('bare'), firedrill: await child('firedrill') };
  const requests = { bare: requestsFor(servers.bare), firedrill: requestsFor(servers.firedrill) };
  // A short warm-up of each (JIT, SQLite page cache), not measured.
  for (const k of ['bare', 'firedrill'] as const) await autocannon({ url: `http://127.0.0.1:${servers[k].ready.port}`, requests: requests[k], connections, duration: 2 });
  const runs: Array<{ bare: Measured; firedrill: Measured; ratio: number }> = [];
  for (let i = 0; i < rounds; i++) {
    // bare first in even rounds, firedrill first in odd ones: a drift in the machine's load favours neither.
    const order: Kind[] = i % 2 === 0 ? ['bare', 'firedrill'] : ['firedrill', 'bare'];
    const got = {} as Record<Kind, Measured>;
    for (const k of order) got[k] = await measure(servers[k], requests[k], seconds, connections);
    const ratio = got.firedrill.rps / got.bare.rps;
    runs.push({ ...got, ratio });
    const line = (m: Measured) => `${Math.round(m.rps)} req/s, ${Math.round(m.cpuUs)} µs CPU/request, loop max ${Math.round(m.window.loopMaxMs)} ms (GC max ${Math.round(m.window.gcMaxMs)} ms)${m.window.walMB !== null ? `, WAL ${Math.round(m.window.walMB)} MB` : ''}`;
    console.log(`round ${i + 1}/${rounds} (${order.join(' then ')}): firedrill ${line(got.firedrill)}; bare ${line(got.bare)}; ratio ${ratio.toFixed(2)}`);
  }
  for (const s of Object.values(servers)) {
    const closed = s.next('closed');
    s.proc.removeAllListeners('exit');
    s.proc.send('exit');
    await closed;
  }
  const fd = runs.map((r) => r.firedrill);
  const bare = runs.map((r) => r.bare);
  const ratio = median(runs.map((r) => r.ratio));
  const sum = (ms: Measured[], f: (m: Measured) => number) => ms.reduce((a, m) => a + f(m), 0);
  const fdNon2xx = sum(fd, (m) => m.non2xx);
  const fdErrors = sum(fd, (m) => m.errors);
  const loopMax = Math.max(...fd.map((m) => m.window.loopMaxMs));
  const note =
    `autocannon -c${connections}, ${rounds} interleaved rounds of ${seconds} s per server; ratio = median of the rounds' ratios (${runs.map((r) => r.ratio.toFixed(2)).join(', ')}); ` +
    `firedrill ${sum(fd, (m) => m.total)} requests (${fdNon2xx} non-2xx, ${fdErrors} errors), latency p99 ${Math.max(...fd.map((m) => m.p99))} ms, median ${Math.round(median(fd.map((m) => m.cpuUs)))} µs server CPU per request, WAL ${Math.round(fd.at(-1)!.window.walMB ?? 0)} MB at the end; ` +
    `bare ${sum(bare, (m) => m.total)} (${sum(bare, (m) => m.non2xx)} non-2xx), median ${Math.round(median(bare.map((m) => m.cpuUs)))} µs CPU per request`;
  record([
    figure({ name: 'http_writes.team_messages', unit: 'req/s (median of rounds)', firedrill: median(fd.map((m) => m.rps)), baseline: median(bare.map((m) => m.rps)), baselineName: 'bare Fastify POST, interleaved', ratio, target: '≥ 0.5×', ok: ratio >= 0.5 && fdNon2xx === 0 && fdErrors === 0, note }),
    figure({
      name: 'http_writes.loop_delay_max',
      unit: 'ms max event-loop delay during the run',
      firedrill: loopMax,
      baseline: Math.max(...bare.map((m) => m.window.loopMaxMs)),
      baselineName: 'bare Fastify, same run',
      target: '≤ 50 ms',
      ok: loopMax <= 50,
      note: `max of ${rounds} windows; per window p99 up to ${Math.round(Math.max(...fd.map((m) => m.window.loopP99Ms)))} ms vs bare ${Math.round(Math.max(...bare.map((m) => m.window.loopP99Ms)))} ms`,
    }),
  ]);
}

if (args.serve) await serve(args.serve);
else await main();
