import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { upstreamPath } from '../../src/http/team-proxy.js';
import type { TargetAdapter } from '../../src/targets/types.js';
import { testApp } from '../helpers.js';

/**
 * /t/<team>/… against a real upstream on loopback (plain HTTP, an event stream, a WebSocket echo),
 * through a real listening firedrill server. Only the lookup of the team's address is swapped.
 */
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function upstream() {
  const seen: Array<{ url: string; headers: IncomingMessage['headers'] }> = [];
  const server: Server = createServer((req, res) => {
    seen.push({ url: req.url ?? '', headers: req.headers });
    if (req.url?.startsWith('/sse')) {
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store' });
      res.write('data: one\n\n');
      return; // stays open: the client must see "one" before the stream ends
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': 'upstream=1' });
      res.end(JSON.stringify({ method: req.method, url: req.url, body }));
    });
  });
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    ws.send(`hello ${req.url}`);
    ws.on('message', (d) => ws.send(`echo ${String(d)}`));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(
    () =>
      new Promise<void>((r) => {
        for (const c of wss.clients) c.terminate();
        server.closeAllConnections();
        server.close(() => r());
      }),
  );
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

async function setup(teams: Record<string, string | undefined>) {
  const t = await testApp();
  closers.push(() => t.close());
  for (const id of Object.keys(teams)) {
    const r = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id, name: id } });
    expect(r.statusCode).toBe(201);
  }
  const target: TargetAdapter = { ...t.services.target, publicUrl: (team) => teams[team] };
  t.services.target = target;
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  return { ...t, base: `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}` };
}

describe('upstreamPath', () => {
  it('cuts the raw team segment, not the decoded id', () => {
    expect(upstreamPath('/t/javascript%2dalert-1/api/x?y=1')).toBe('/api/x?y=1');
    expect(upstreamPath('/t/red/')).toBe('/');
    expect(upstreamPath('/t/red')).toBe('/');
  });
});

describe('/t/<team>/ proxy', () => {
  it('passes method, path, query and body; strips firedrill cookies, authorization and upstream cookies', async () => {
    const up = await upstream();
    const s = await setup({ red: up.url });
    const r = await fetch(`${s.base}/t/red/api/messages?room=lobby&n=2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', cookie: 'fd_team=secret; fd_admin=secret', authorization: 'Bearer secret' },
      body: JSON.stringify({ text: 'こんにちは' }),
    });
    expect(r.status).toBe(200);
    expect(r.headers.get('set-cookie')).toBeNull();
    expect(await r.json()).toEqual({ method: 'POST', url: '/api/messages?room=lobby&n=2', body: JSON.stringify({ text: 'こんにちは' }) });
    const h = up.seen[0]!.headers;
    expect(h.cookie).toBeUndefined();
    expect(h.authorization).toBeUndefined();
    expect(h['x-forwarded-prefix']).toBe('/t/red');
    expect(h['x-forwarded-for']).toBe('127.0.0.1');
    // Our security headers are for our pages only: the team's service answers with its own.
    expect(r.headers.get('content-security-policy')).toBeNull();
  });

  it('redirects /t/<team> to /t/<team>/ (308, query kept); an unknown team is a JSON 404', async () => {
    const up = await upstream();
    const s = await setup({ red: up.url });
    const r = await fetch(`${s.base}/t/red?room=lobby`, { redirect: 'manual' });
    expect(r.status).toBe(308);
    expect(r.headers.get('location')).toBe('/t/red/?room=lobby');
    const none = await fetch(`${s.base}/t/nobody/`);
    expect(none.status).toBe(404);
    expect(await none.json()).toEqual({ error: { code: 'not_found', message: "no team 'nobody'" } });
  });

  it('serves a percent-encoded team id (/t/javascript%2dalert-1/) like the plain one', async () => {
    const up = await upstream();
    const s = await setup({ 'javascript-alert-1': up.url });
    const r = await fetch(`${s.base}/t/javascript%2dalert-1/echo?x=1`);
    expect(r.status).toBe(200);
    expect(((await r.json()) as { url: string }).url).toBe('/echo?x=1');
  });

  it('streams an event stream as it comes (the first event arrives while the stream is open)', async () => {
    const up = await upstream();
    const s = await setup({ red: up.url });
    const ctrl = new AbortController();
    closers.push(() => ctrl.abort());
    const r = await fetch(`${s.base}/t/red/sse?room=lobby`, { signal: ctrl.signal });
    expect(r.headers.get('content-type')).toBe('text/event-stream');
    const { value } = await r.body!.getReader().read();
    expect(new TextDecoder().decode(value)).toBe('data: one\n\n');
  });

  it('passes a WebSocket upgrade through to the team service, both ways, path and query kept', async () => {
    const up = await upstream();
    const s = await setup({ red: up.url });
    const ws = new WebSocket(`${s.base.replace('http', 'ws')}/t/red/ws?room=lobby`, { headers: { cookie: 'fd_team=secret' } });
    closers.push(() => ws.terminate());
    const frames: string[] = [];
    const next = () => new Promise<string>((r) => (frames.length ? r(frames.shift()!) : ws.once('message', () => r(frames.shift()!))));
    ws.on('message', (d) => frames.push(String(d)));
    await new Promise((r, j) => ws.once('open', r).once('error', j));
    expect(await next()).toBe('hello /ws?room=lobby');
    ws.send('ping');
    expect(await next()).toBe('echo ping');
    expect(up.seen).toEqual([]); // no plain HTTP request reached the upstream
  });

  it('answers 502 (an HTML page) when the team service is dead, 503 while it has no address', async () => {
    const dead = createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', r));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const s = await setup({ red: `http://127.0.0.1:${port}`, blue: undefined });
    const r = await fetch(`${s.base}/t/red/`);
    expect(r.status).toBe(502);
    expect(r.headers.get('content-type')).toMatch(/text\/html/);
    expect(await r.text()).toContain('ECONNREFUSED');
    expect((await fetch(`${s.base}/t/blue/`)).status).toBe(503);
  });
});
