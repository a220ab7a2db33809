import http from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { TargetAdapter } from '../../src/targets/types.js';
import { hashToken } from '../../src/tokens.js';
import { testApp } from '../helpers.js';

/** A small parser of the Prometheus text exposition format: `name{a="b"} value` lines. */
function parse(text: string): Array<{ name: string; labels: Record<string, string>; value: number }> {
  const out: Array<{ name: string; labels: Record<string, string>; value: number }> = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not exposition format: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return out;
}
const value = (s: ReturnType<typeof parse>, name: string, labels: Record<string, string> = {}) =>
  s.find((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))?.value;

let close: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of close.reverse()) await c();
  close = [];
});

async function setup(overrides = {}) {
  const t = await testApp(overrides);
  close.push(() => t.close());
  const scrape = async () => {
    const r = await t.app.inject({ url: '/metrics', headers: t.admin });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    return parse(r.body);
  };
  return { ...t, scrape };
}

describe('GET /metrics', () => {
  it('is for organizers only by default', async () => {
    const t = await setup();
    const r = await t.app.inject({ url: '/metrics' });
    expect(r.statusCode).toBe(401);
    expect(r.json()).toMatchObject({ error: { code: 'unauthorized' } });
    expect((await t.app.inject({ url: '/metrics', headers: { authorization: 'Bearer not-the-organizer-token' } })).statusCode).toBe(401);
  });

  it('exposes the named series and a request increments its counter', async () => {
    const t = await setup();
    const s0 = await t.scrape();
    for (const name of ['firedrill_event_log_seq', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds', 'firedrill_events_appended_total', 'firedrill_event_append_seconds_count']) {
      expect(s0.some((x) => x.name === name), name).toBe(true);
    }
    const labels = { method: 'GET', route: '/healthz', status: '200' };
    const before = value(s0, 'firedrill_http_requests_total', labels) ?? 0;
    await t.app.inject({ url: '/healthz' });
    await t.app.inject({ url: '/healthz' });
    await t.app.inject({ url: '/api/nothing-here' });
    const s1 = await t.scrape();
    expect(value(s1, 'firedrill_http_requests_total', labels)).toBe(before + 2);
    expect(value(s1, 'firedrill_http_requests_total', { route: '/*', status: '404' })).toBe(1);
    expect(value(s1, 'firedrill_http_request_duration_seconds_count', { route: '/healthz' })).toBe(before + 2);
  });

  it('counts event-log appends and the log size', async () => {
    const t = await setup();
    const s0 = await t.scrape();
    await t.services.store.append({ type: 'warning.raised', source: 'test', data: { code: 'x', message: 'for the test' } });
    const s1 = await t.scrape();
    expect(value(s1, 'firedrill_event_log_seq')).toBe(value(s0, 'firedrill_event_log_seq')! + 1);
    expect(value(s1, 'firedrill_events_appended_total')).toBe(value(s0, 'firedrill_events_appended_total')! + 1);
    expect(value(s1, 'firedrill_event_append_seconds_count')).toBe(value(s0, 'firedrill_event_append_seconds_count')! + 1);
  });

  it('counts a grouped append (a team message) like any other, and its commit', async () => {
    const t = await setup();
    await t.services.store.append({ type: 'team.created', source: 'organizer', data: { id: 'alpha', name: 'Alpha', members: [], tokenHash: hashToken('alpha-token-for-metrics-0123'), portBase: null, seed: 1, by: { kind: 'organizer', name: 'o' } } });
    const s0 = await t.scrape();
    const team = { authorization: 'Bearer alpha-token-for-metrics-0123' };
    for (const clientId of ['m1', 'm2', 'm1']) {
      const r = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: team, payload: { channel: 'incident', text: 'on it', clientId } });
      expect(r.statusCode).toBe(clientId === 'm1' && r.json().duplicate ? 200 : 201);
    }
    const s1 = await t.scrape();
    // Two messages stored (the third is m1's retry, nothing written): the counter says what the log holds.
    expect(value(s1, 'firedrill_event_log_seq')).toBe(value(s0, 'firedrill_event_log_seq')! + 2);
    expect(value(s1, 'firedrill_events_appended_total')).toBe(value(s0, 'firedrill_events_appended_total')! + 2);
    expect(value(s1, 'firedrill_event_append_seconds_count')).toBeGreaterThanOrEqual(value(s0, 'firedrill_event_append_seconds_count')! + 2);
    expect(value(s1, 'firedrill_http_requests_total', { method: 'POST', route: '/api/team/messages', status: '201' })).toBe(2);
    expect(value(s1, 'firedrill_http_requests_total', { method: 'POST', route: '/api/team/messages', status: '200' })).toBe(1);
    expect(value(s1, 'firedrill_http_request_duration_seconds_count', { route: '/api/team/messages' })).toBe(3);
    expect(value(s1, 'firedrill_http_request_duration_seconds_bucket', { route: '/api/team/messages', le: '+Inf' })).toBe(3);
  });

  it('counts WebSocket clients per audience while they are open', async () => {
    const t = await setup();
    // A real listener and client: the injected socket pair does not carry the close through.
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/leaderboard`);
    await new Promise((r, j) => ws.once('message', r).once('error', j));
    expect(value(await t.scrape(), 'firedrill_websocket_clients', { audience: 'spectator' })).toBe(1);
    ws.close();
    await expect.poll(async () => value(await t.scrape(), 'firedrill_websocket_clients', { audience: 'spectator' })).toBe(0);
  });

  it('counts the spectators the fan-out workers hold, and drops a dead worker’s', async () => {
    const t = await setup({ fanoutWorkers: 2 });
    const url = await t.app.listen({ port: 0, host: '127.0.0.1' });
    const spectators = () => t.scrape().then((s) => value(s, 'firedrill_websocket_clients', { audience: 'spectator' }) ?? 0);
    const open = async (n: number) => {
      const out: WebSocket[] = [];
      for (let i = 0; i < n; i++) {
        const ws = new WebSocket(`${url.replace('http', 'ws')}/ws/leaderboard`);
        ws.on('error', () => {});
        out.push(ws);
      }
      await Promise.all(out.map((ws) => new Promise((r, j) => ws.once('message', r).once('error', j))));
      close.push(async () => out.forEach((ws) => ws.terminate()));
      return out;
    };
    const clients = await open(5);
    // They live in the workers: this process's own WebSocket server holds none of them.
    expect(t.app.websocketServer.clients.size).toBe(0);
    await expect.poll(spectators).toBe(5);
    clients.slice(0, 2).forEach((ws) => ws.close());
    await expect.poll(spectators).toBe(3);
    // A worker that dies takes its sockets with it (each worker holds some of the three): the gauge drops by what it held.
    const { fanoutOf } = await import('../../src/http/leaderboard.js');
    const pool = fanoutOf(t.app.server)!;
    process.kill(pool.pids[0]!, 'SIGKILL');
    const stillOpen = () => clients.filter((ws) => ws.readyState === WebSocket.OPEN).length;
    await expect.poll(stillOpen).toBeLessThan(3);
    await expect.poll(spectators).toBe(stillOpen());
    clients.forEach((ws) => ws.close());
    await expect.poll(spectators).toBe(0);
  });

  it('counts probe checks and how late scheduled checks started', async () => {
    const target = http.createServer((req, res) => res.end(req.url === '/api/health' ? '{"status":"ok"}' : '<title>Chat</title>'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    close.push(() => new Promise((r) => target.close(() => r())));
    const t = await setup();
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    t.services.target = { publicUrl: () => url } as unknown as TargetAdapter;
    const created = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'alpha', name: 'Alpha', members: [] } });
    expect(created.statusCode).toBe(201);
    await t.app.inject({ method: 'POST', url: '/api/admin/game/start', headers: t.admin });
    const probes = t.services.probes!;
    probes.poll(); // places the slots on the grid
    t.clock.advance(60_000);
    probes.poll(); // every probe is due (and late by up to a minute)
    await expect.poll(() => ['page', 'api', 'canary'].map((p) => probes.checksOf('alpha', p)).join()).toBe('1,1,1');
    const s = await t.scrape();
    expect(value(s, 'firedrill_probe_checks_total', { kind: 'http', probe: 'page', result: 'ok' })).toBe(1);
    expect(value(s, 'firedrill_probe_checks_total', { kind: 'http', probe: 'api', result: 'ok' })).toBe(1);
    expect(value(s, 'firedrill_probe_checks_total', { kind: 'canary', probe: 'canary', result: 'failed' })).toBe(1); // this target has no chat API
    expect(value(s, 'firedrill_probe_lateness_seconds_count', { kind: 'http' })).toBe(2);
    expect(value(s, 'firedrill_probe_lateness_seconds_bucket', { kind: 'http', le: '10' })).toBe(0); // a minute late
  });

  it('can be public, or served only on a port of its own', async () => {
    const pub = await setup({ metrics: { public: true } });
    expect((await pub.app.inject({ url: '/metrics' })).statusCode).toBe(200);

    const t = await setup({ metrics: { port: 0 } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    expect((await t.app.inject({ url: '/metrics', headers: t.admin })).statusCode).toBe(404);
    const side = t.app.metricsServer!;
    const port = (side.server.address() as AddressInfo).port;
    const get = (headers: Record<string, string> = {}) => fetch(`http://127.0.0.1:${port}/metrics`, { headers });
    expect((await get()).status).toBe(401);
    const r = await get(t.admin);
    expect(r.status).toBe(200);
    expect(parse(await r.text()).some((x) => x.name === 'firedrill_event_log_seq')).toBe(true);
  });
});
