import { createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { hashToken } from '../../src/tokens.js';
import { testRuntime } from '../helpers.js';

/**
 * A client leaving mid-request (a spectator's phone closing a /t/<team>/ page) is not a server
 * error: it is logged at debug, never as "request failed"; a real 5xx still is, at error.
 * Real sockets both sides: a team service that answers its headers and keeps the body back.
 */
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

interface Line {
  level: number;
  msg: string;
  code?: string;
  err?: { code?: string };
}

async function setup() {
  const held: ServerResponse[] = [];
  const closed: Array<() => void> = [];
  const upstream = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { 'content-type': 'text/html' });
    res.flushHeaders(); // the headers now, the body never: the page is still loading when the phone leaves
    held.push(res);
    res.on('close', () => closed.shift()?.());
  });
  await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => (upstream.closeAllConnections(), upstream.close(() => r()))));
  const rt = await testRuntime();
  closers.push(() => rt.close());
  await rt.services.store.append({
    type: 'team.created',
    source: 'organizer',
    team: 'red',
    data: { id: 'red', name: 'Red', members: [], tokenHash: hashToken('red-token-0123456789abcdef'), portBase: null, seed: 1, by: { kind: 'organizer', name: 'o' } },
  });
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  rt.services.target = { ...rt.services.target, publicUrl: () => url };
  const lines: Line[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
      done();
    },
  });
  const app = await buildApp(rt.services, { logger: { level: 'debug', stream } });
  app.get('/boom', async () => {
    throw new Error('a real fault');
  });
  closers.push(() => app.close());
  await app.listen({ port: 0, host: '127.0.0.1' });
  const port = (app.server.address() as AddressInfo).port;
  /** Ask, wait until the team service has answered its headers (and a little for the proxy to pass them on), leave. */
  const leave = (method: string, path: string) =>
    new Promise<void>((resolve) => {
      const upstreamClosed = new Promise<void>((r) => closed.push(r));
      const req = request({ host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json' } });
      req.on('error', () => {});
      req.end(method === 'POST' ? '{"text":"hello"}' : undefined);
      const waitHeld = () => (held.length ? setTimeout(() => req.destroy(), 100) : setImmediate(waitHeld));
      waitHeld();
      // The proxy drops the upstream request once it notices: by then it has logged what it logs.
      void upstreamClosed.then(() => setTimeout(resolve, 20));
    });
  return { lines, port, leave, held };
}

describe('a client that leaves mid-request', () => {
  it('is logged at debug, not as a failed request; a real fault still is, at error', async () => {
    const s = await setup();
    await s.leave('POST', '/t/red/api/messages');
    s.held.length = 0;
    await s.leave('GET', '/t/red/');
    expect(s.lines.filter((l) => l.level >= 40)).toEqual([]);
    const gone = s.lines.filter((l) => l.msg === 'client went away');
    expect(gone.length).toBeGreaterThan(0);
    expect(gone.every((l) => l.level === 20 && l.code === 'ERR_STREAM_PREMATURE_CLOSE')).toBe(true);

    const r = await fetch(`http://127.0.0.1:${s.port}/boom`);
    expect(r.status).toBe(500);
    const failed = s.lines.filter((l) => l.msg === 'request failed' && l.level === 50);
    expect(failed).toHaveLength(1);
    expect(failed[0]!.err).toBeDefined();
  });
});
