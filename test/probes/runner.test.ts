import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock, systemClock, type Clock } from '../../src/clock.js';
import { openDatabase, SqliteEventStore } from '../../src/events/store.js';
import type { StoredEvent } from '../../src/events/types.js';
import { GameClock } from '../../src/game/clock.js';
import { runCheck } from '../../src/probes/kinds.js';
import { ProbeRunner } from '../../src/probes/runner.js';
import type { Probe } from '../../src/scenario/types.js';
import { T0 } from '../helpers.js';

/** A chat service that misbehaves on demand: 500s, slow answers, hangs, garbled text. */
type Mode = 'ok' | '500' | 'slow' | 'hang' | 'garble';
/**
 * The latency clock of checks run through runCheck: a 'slow' answer moves it 400 ms, so the latency
 * expectation is tested without depending on how fast this machine answers.
 */
const latencyClock = new ManualClock(0);
function chatServer() {
  let mode: Mode = 'ok';
  const messages: Array<{ id: number; room: string; name: string; text: string; clientId: string }> = [];
  const hung: http.ServerResponse[] = [];
  const server = http.createServer((req, res) => {
    if (mode === 'hang') return void hung.push(res);
    const reply = (status: number, body: unknown, type = 'application/json') => {
      const send = () => {
        res.writeHead(status, { 'content-type': type });
        res.end(typeof body === 'string' ? body : JSON.stringify(body));
      };
      if (mode === 'slow') latencyClock.advance(400);
      send();
    };
    if (mode === '500') return reply(500, { error: 'db down' });
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname === '/') return reply(200, '<!doctype html><title>Chat</title>', 'text/html');
    if (url.pathname === '/api/health') return reply(200, { status: 'ok' });
    if (url.pathname === '/api/messages' && req.method === 'POST') {
      let body = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (body += c));
      req.on('end', () => {
        const m = JSON.parse(body) as { room: string; name: string; text: string; clientId: string };
        // The 1.5.0 bug: UTF-8 bytes decoded as latin1 on the server side.
        const text = mode === 'garble' ? Buffer.from(m.text, 'utf8').toString('latin1') : m.text;
        const msg = { id: messages.length + 1, ...m, text };
        messages.push(msg);
        reply(201, { message: msg });
      });
      return;
    }
    if (url.pathname === '/api/messages') return reply(200, { messages: messages.filter((m) => m.room === url.searchParams.get('room')).slice(-50) });
    reply(404, { error: 'no' });
  });
  return {
    server,
    messages,
    set: (m: Mode) => {
      mode = m;
      if (m !== 'hang') for (const r of hung.splice(0)) r.destroy();
    },
    close: () => {
      for (const r of hung.splice(0)) r.destroy();
      server.closeAllConnections();
      return new Promise<void>((r) => server.close(() => r()));
    },
  };
}

const timing = { intervalMs: 1000, timeoutMs: 300, jitterMs: 200, successThreshold: 2, failureThreshold: 2, holdForMs: 10_000 };
const probes: Probe[] = [
  { id: 'page', kind: 'http', path: '/', method: 'GET', headers: {}, expect: { status: [200], bodyMatches: '<title>Chat</title>' }, ...timing },
  { id: 'api', kind: 'http', path: '/api/health', method: 'GET', headers: {}, expect: { status: [[200, 299]], json: [{ path: 'status', equals: 'ok' }] }, ...timing, timeoutMs: 1500 },
  { id: 'canary', kind: 'canary', writePath: '/api/messages', readPath: '/api/messages?room={room}', room: '__canary', text: 'canary {n} 日本語 🔥', ...timing },
  { id: 'port', kind: 'tcp', endpoint: 'ingress', ...timing },
];

let svc: ReturnType<typeof chatServer>;
let base: string;
beforeAll(async () => {
  svc = chatServer();
  await new Promise<void>((r) => svc.server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(svc.server.address() as AddressInfo).port}`;
});
afterAll(() => svc.close());

function setup(opts: { clock?: Clock; url?: () => string } = {}) {
  const clock = opts.clock ?? new ManualClock(T0);
  const gameClock = new GameClock(clock);
  const store = new SqliteEventStore(openDatabase(':memory:'), { clock, gameTime: () => gameClock.now() });
  const events: StoredEvent[] = [];
  store.subscribe((e) => {
    gameClock.apply(e);
    events.push(e);
  });
  const runner = new ProbeRunner({ store, clock, gameClock, probes, teams: () => ['red'], urlOf: opts.url ?? (() => base), floorMs: 50, resolutionMs: 10 });
  store.subscribe((e) => runner.apply(e));
  return { clock, gameClock, store, events, runner };
}

describe('probe runner against a real HTTP service', () => {
  it('all kinds pass against a healthy service, and nothing is recorded', async () => {
    svc.set('ok');
    const { store, runner } = setup();
    await store.append({ type: 'game.started', source: 'o', data: { by: { kind: 'system', name: 't' } } });
    for (const p of probes) expect((await runner.checkNow('red', p.id)).ok, p.id).toBe(true);
    expect(svc.messages.at(-1)!.text).toMatch(/^canary [0-9a-f]+-\w+ 日本語 🔥$/);
    expect(svc.messages.at(-1)!.room).toBe('__canary');
    expect((await store.read()).map((e) => e.type)).toEqual(['game.started']);
    await runner.close();
  });

  it('500s: fails after the threshold with evidence; recovers after successes spanning holdFor (game time)', async () => {
    const clock = new ManualClock(T0);
    const { store, events, runner } = setup({ clock });
    await store.append({ type: 'game.started', source: 'o', data: { by: { kind: 'system', name: 't' } } });
    svc.set('500');
    await runner.checkNow('red', 'api');
    expect(events.filter((e) => e.type === 'probe.failed')).toHaveLength(0);
    clock.advance(1000);
    await runner.checkNow('red', 'api');
    const failed = events.find((e) => e.type === 'probe.failed');
    expect(failed?.data).toMatchObject({ probe: 'api', since: 0, evidence: { status: 500, error: 'status 500 not accepted' } });
    expect((failed?.data as { evidence: { excerpt: string } }).evidence.excerpt).toContain('db down');
    svc.set('ok');
    clock.advance(1000);
    await runner.checkNow('red', 'api'); // green since 2000
    clock.advance(1000);
    await runner.checkNow('red', 'api'); // threshold met, hold not yet
    expect(events.some((e) => e.type === 'probe.recovered')).toBe(false);
    clock.advance(9000);
    await runner.checkNow('red', 'api');
    const rec = events.find((e) => e.type === 'probe.recovered');
    expect(rec?.data).toMatchObject({ probe: 'api', since: 2000, evidence: { status: 200 } });
    await runner.close();
  });

  it('slow answers fail the latency expectation (latency on an injected clock); a hang costs one timeout', async () => {
    const api = { ...probes.find((p) => p.id === 'api')!, expect: { status: [[200, 299]], maxLatencyMs: 250 } } as Probe;
    const agent = new http.Agent({ keepAlive: false });
    const check = () => runCheck(api, { agent, baseUrl: base, now: () => latencyClock.now(), serial: 'lat' });
    svc.set('ok');
    expect(await check()).toEqual({ ok: true, evidence: { status: 200, latencyMs: 0, excerpt: expect.any(String) } });
    svc.set('slow');
    expect((await check()).evidence).toMatchObject({ latencyMs: 400, error: 'took 400 ms (max 250 ms)' });
    agent.destroy();

    const { store, runner } = setup();
    await store.append({ type: 'game.started', source: 'o', data: { by: { kind: 'system', name: 't' } } });
    svc.set('hang');
    const hung = await runner.checkNow('red', 'page');
    expect(hung.ok).toBe(false);
    expect(hung.evidence.error).toBe('timed out after 300 ms');
    svc.set('ok');
    expect((await runner.checkNow('red', 'page')).ok).toBe(true);
    await runner.close();
  });

  it('the canary catches garbled text that every status code misses', async () => {
    const { store, runner } = setup();
    await store.append({ type: 'game.started', source: 'o', data: { by: { kind: 'system', name: 't' } } });
    svc.set('garble');
    expect((await runner.checkNow('red', 'api')).ok).toBe(true);
    expect((await runner.checkNow('red', 'page')).ok).toBe(true);
    const c = await runner.checkNow('red', 'canary');
    expect(c.ok).toBe(false);
    expect(c.evidence.status).toBe(200);
    expect(c.evidence.error).toMatch(/^read back ".*æ.*", wrote "canary .* 日本語 🔥"$/);
    svc.set('ok');
    expect((await runner.checkNow('red', 'canary')).ok).toBe(true);
    await runner.close();
  });

  it('a refused connection fails tcp and http probes', async () => {
    const dead = http.createServer();
    await new Promise<void>((r) => dead.listen(0, '127.0.0.1', () => r()));
    const port = (dead.address() as AddressInfo).port;
    await new Promise<void>((r) => dead.close(() => r()));
    const { store, runner } = setup({ url: () => `http://127.0.0.1:${port}` });
    await store.append({ type: 'game.started', source: 'o', data: { by: { kind: 'system', name: 't' } } });
    expect((await runner.checkNow('red', 'port')).evidence.error).toMatch(/ECONNREFUSED/);
    expect((await runner.checkNow('red', 'page')).evidence.error).toMatch(/ECONNREFUSED/);
    await runner.close();
  });

  it('on its own schedule: a hanging service fails every probe by timeout and recovers when it answers again; SLI minutes are counted', async () => {
    svc.set('ok');
    const { store, events, runner } = setup({ clock: systemClock });
    await store.append({ type: 'game.started', source: 'o', data: { by: { kind: 'system', name: 't' } } });
    // 600x speed: a game minute every 100 ms of wall time, so SLI minutes roll over quickly.
    await store.append({ type: 'game.speed_set', source: 'o', data: { speed: 600, by: { kind: 'system', name: 't' } } });
    runner.start();
    const waitFor = (pred: (e: StoredEvent) => boolean, what: string) =>
      new Promise<StoredEvent>((resolve, reject) => {
        const hit = events.find(pred);
        if (hit) return resolve(hit);
        const timer = setTimeout(() => reject(new Error(`no ${what}; events: ${events.map((e) => `${e.type}:${JSON.stringify(e.data)}`).join(' | ')}`)), 20_000);
        const off = store.subscribe((e) => {
          if (pred(e)) {
            clearTimeout(timer);
            off();
            resolve(e);
          }
        });
      });
    await waitFor((e) => e.type === 'sli.minute', 'sli.minute');
    svc.set('hang');
    for (const p of ['page', 'api', 'canary']) await waitFor((e) => e.type === 'probe.failed' && e.data.probe === p, `${p} failed`);
    svc.set('ok');
    for (const p of ['page', 'api', 'canary']) await waitFor((e) => e.type === 'probe.recovered' && e.data.probe === p, `${p} recovered`);
    await runner.close();
    const sli = events.filter((e) => e.type === 'sli.minute');
    expect(sli.length).toBeGreaterThan(0);
    for (const e of sli) if (e.type === 'sli.minute') expect(e.data.good).toBeLessThanOrEqual(e.data.total);
    expect(sli.some((e) => e.type === 'sli.minute' && e.data.good < e.data.total)).toBe(true);
    // Transitions only: each probe failed once and recovered once.
    for (const p of ['page', 'api', 'canary']) {
      expect(events.filter((e) => e.type === 'probe.failed' && e.data.probe === p)).toHaveLength(1);
      expect(events.filter((e) => e.type === 'probe.recovered' && e.data.probe === p)).toHaveLength(1);
    }
  });
});
