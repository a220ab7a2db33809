/**
 * HTTP writes (issue 18): `POST /api/team/messages` on the built server (a real event-log file,
 * 127.0.0.1) under autocannon -c10, beside a bare Fastify POST route in the same run; and the
 * server's event-loop delay during the run (perf_hooks.monitorEventLoopDelay in the server's own
 * process, 10 ms resolution), target: no stall over 50 ms.
 *
 *   node dist-bench/bench/http-writes.js [--seconds 10] [--connections 10]
 *
 * Each server runs in its own child process (this file with --serve), so the load generator never
 * shares the server's event loop.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import autocannon from 'autocannon';
import { figure, record } from './figures.js';

const { values: args } = parseArgs({ options: { serve: { type: 'string', default: '' }, seconds: { type: 'string', default: '10' }, connections: { type: 'string', default: '10' }, quick: { type: 'boolean', default: false } } });
const ADMIN = 'organizer-token-for-the-http-bench-0123456789';

interface Ready {
  port: number;
  path: string;
  headers: Record<string, string>;
  body: string;
}
interface Loop {
  maxMs: number;
  p99Ms: number;
}

/** The child: a server, a loop-delay monitor, and a report on 'stop'. */
async function serve(kind: string): Promise<void> {
  const h = monitorEventLoopDelay({ resolution: 10 });
  let close: () => Promise<void>;
  let ready: Ready;
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
  process.on('message', (m: string) => {
    if (m === 'start') {
      h.reset();
      h.enable();
    }
    if (m === 'stop') {
      h.disable();
      const loop: Loop = { maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 };
      void close().then(() => process.send!({ loop }, () => process.exit(0)));
    }
  });
  process.send!({ ready });
}

function child(kind: string): Promise<{ proc: ChildProcess; ready: Ready }> {
  const proc = fork(fileURLToPath(import.meta.url), ['--serve', kind], { stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    proc.once('message', (m: { ready: Ready }) => resolve({ proc, ready: m.ready }));
    proc.once('exit', (code) => reject(new Error(`${kind} server exited (${code})`)));
  });
}

async function load(kind: string, seconds: number, connections: number) {
  const { proc, ready } = await child(kind);
  const url = `http://127.0.0.1:${ready.port}`;
  // Every message its own clientId (a repeated one is an idempotent retry, answered 200 without a write).
  // (autocannon's idReplacement left every request unanswered here: each body is built instead.)
  let i = 0;
  const requests = [{ method: 'POST', path: ready.path, headers: ready.headers, setupRequest: (req: Record<string, unknown>) => ({ ...req, body: ready.body.replace('[<id>]', `${kind}-${++i}`) }) }];
  // A short warm-up (JIT, SQLite page cache), not measured.
  await autocannon({ url, requests, connections, duration: 2 });
  proc.send('start');
  const r = await autocannon({ url, requests, connections, duration: seconds });
  const loop = await new Promise<Loop>((resolve) => {
    proc.on('message', (m: { loop?: Loop }) => m.loop && resolve(m.loop));
    proc.send('stop');
  });
  return { rps: r.requests.average, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors, total: r.requests.total, loop };
}

async function main(): Promise<void> {
  const seconds = Number(args.seconds);
  const connections = Number(args.connections);
  const bare = await load('bare', seconds, connections);
  const fd = await load('firedrill', seconds, connections);
  const ratio = fd.rps / bare.rps;
  const note = `autocannon -c${connections} ${seconds} s; firedrill ${fd.total} requests (${fd.non2xx} non-2xx, ${fd.errors} errors), latency p99 ${fd.p99} ms; bare ${bare.total} (${bare.non2xx} non-2xx)`;
  record([
    figure({ name: 'http_writes.team_messages', unit: 'req/s', firedrill: fd.rps, baseline: bare.rps, baselineName: 'bare Fastify POST, same run', ratio, target: '≥ 0.5×', ok: ratio >= 0.5 && fd.non2xx === 0 && fd.errors === 0, note }),
    figure({ name: 'http_writes.loop_delay_max', unit: 'ms max event-loop delay during the run', firedrill: fd.loop.maxMs, baseline: bare.loop.maxMs, baselineName: 'bare Fastify, same run', target: '≤ 50 ms', ok: fd.loop.maxMs <= 50, note: `p99 ${Math.round(fd.loop.p99Ms)} ms vs bare p99 ${Math.round(bare.loop.p99Ms)} ms` }),
  ]);
}

if (args.serve) await serve(args.serve);
else await main();
