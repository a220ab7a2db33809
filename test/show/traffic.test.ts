import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { score } from '../../src/scoring/index.js';
import type { TargetAdapter } from '../../src/targets/types.js';
import { testApp } from '../helpers.js';

/**
 * Spectators are users: their requests through /t/<team>/ (a real listening firedrill server, a
 * real upstream on loopback) are counted per team per game minute as `traffic.minute` and weigh in
 * the availability score as the scenario says (scoring.availability.userWeight).
 */
const closers: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of closers.splice(0).reverse()) await c();
});

async function upstream() {
  const server: Server = createServer((req, res) => {
    if (req.url === '/broken') return void res.writeHead(500).end('no');
    if (req.url === '/slow') return void setTimeout(() => res.writeHead(200).end('late'), 2_500);
    res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('spectator traffic through /t/', () => {
  it('counts requests, failures (5xx, connection errors) and slow answers per team per game minute, and lowers availability', async () => {
    const up = await upstream();
    const t = await testApp();
    closers.push(() => t.close());
    for (const id of ['red', 'blue']) expect((await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id, name: id } })).statusCode).toBe(201);
    // blue's service is down: nothing listens there.
    const dead = 'http://127.0.0.1:9';
    t.services.target = { ...t.services.target, publicUrl: (team) => (team === 'red' ? up : dead) } as TargetAdapter;
    // Generous on a loaded machine: only /slow (2.5 s) is over it.
    t.services.scenario.scoring.availability.slowMs = 1_500;
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    const base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;

    // Before the game: not counted.
    await fetch(`${base}/t/red/`);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/game/start', headers: t.admin, payload: {} })).statusCode).toBe(200);
    for (const path of ['/', '/', '/', '/broken', '/slow']) await fetch(`${base}/t/red${path}`);
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/t/blue/`)).status).toBe(502);
    // The minute is over: the next request (or the 5 s flush) writes it.
    t.clock.advance(61_000);
    await fetch(`${base}/t/red/`);
    await fetch(`${base}/t/blue/`);
    let minutes: StoredEvent[] = [];
    for (let i = 0; i < 100 && minutes.length < 2; i++) {
      await new Promise((r) => setTimeout(r, 20));
      minutes = await t.services.store.read({ types: ['traffic.minute'] });
    }
    expect(minutes.map((e) => [e.team, e.key, e.data])).toEqual([
      ['red', 'traffic:red:0', { minute: 0, requests: 5, failed: 1, slow: 1 }],
      ['blue', 'traffic:blue:0', { minute: 0, requests: 3, failed: 3, slow: 0 }],
    ]);

    const tr = (await t.app.inject('/api/teams/red/traffic')).json();
    expect(tr).toEqual({ team: 'red', lastMinute: { minute: 0, requests: 5, failed: 1, slow: 1, errorRate: 0.2 }, game: { requests: 5, failed: 1, slow: 0 + 1, errorRate: 0.2 } });
    expect((await t.app.inject('/api/teams/nobody/traffic')).statusCode).toBe(404);

    // No probe minutes here, so availability is what users met: red 3 of 5 good, blue none.
    const board = (await t.app.inject('/api/leaderboard')).json();
    const avail = (id: string) => board.teams.find((x: { id: string }) => x.id === id).breakdown.categories.availability;
    expect(avail('red')).toBe(300_000);
    expect(avail('blue')).toBe(0);
  });
});

describe('availability weighs probes and users as the scenario says (golden)', () => {
  const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
  let seq = 0;
  const ev = (type: string, data: object, team: string | null = 'red') => ({ seq: ++seq, at: 0, gameTime: 0, type, team, source: 't', key: null, data }) as unknown as StoredEvent;
  const base = () => [
    ev('team.created', { id: 'red', name: 'Red', members: [], tokenHash: 'x', portBase: null, seed: 1, by: { kind: 'organizer', name: 'o' } }, null),
    ev('game.started', { by: { kind: 'organizer', name: 'o' } }, null),
    ev('sli.minute', { minute: 0, good: 10, total: 10 }),
    ev('sli.minute', { minute: 1, good: 0, total: 10 }),
  ];
  const availability = (events: StoredEvent[], userWeight?: number) => {
    const s = userWeight === undefined ? scenario : { ...scenario, scoring: { ...scenario.scoring, availability: { ...scenario.scoring.availability, userWeight } } };
    return score(s, events).teams[0]!.breakdown.availability;
  };

  it('probes only: unchanged (half the minutes good = half of 500 points)', () => {
    expect(availability(base()).points).toBe(250_000);
  });
  it('with user traffic at the default weight 0.5: 0.5 × probes (0.5) + 0.5 × users (16 of 20 good) = 0.65', () => {
    const events = [...base(), ev('traffic.minute', { minute: 0, requests: 12, failed: 0, slow: 0 }), ev('traffic.minute', { minute: 1, requests: 8, failed: 3, slow: 1 })];
    expect(scenario.scoring.availability.userWeight).toBe(0.5);
    const a = availability(events);
    expect(a.points).toBe(325_000);
    expect(a.users).toEqual({ requests: 20, bad: 4 });
    expect(availability(events, 0).points).toBe(250_000);
    expect(availability(events, 1).points).toBe(400_000);
  });
  it('a minute reported twice counts once (the last report)', () => {
    const events = [...base(), ev('traffic.minute', { minute: 0, requests: 10, failed: 10, slow: 0 }), ev('traffic.minute', { minute: 0, requests: 10, failed: 0, slow: 0 })];
    expect(availability(events).points).toBe(375_000);
  });
});

describe('spectator reports: limited per browser, and per address with a higher ceiling', () => {
  it('phones behind one address each get their own 10 a minute (a cookie id); the address as a whole has a higher ceiling; no cookie = per address', async () => {
    const t = await testApp();
    closers.push(() => t.close());
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'red', name: 'Red' } })).statusCode).toBe(201);
    const report = (cookie?: string) => t.app.inject({ method: 'POST', url: '/api/teams/red/reports', remoteAddress: '10.1.1.1', headers: cookie ? { cookie } : {}, payload: { text: 'down' } });
    // First visit: the browser gets an HttpOnly id cookie (no personal data).
    const first = await report();
    expect(first.statusCode).toBe(201);
    const set = String(first.headers['set-cookie']);
    expect(set).toMatch(/^fd_browser=[A-Za-z0-9_-]{16,}; Max-Age=\d+; Path=\/; HttpOnly; SameSite=Lax$/);
    // 60 phones behind the same NAT, 10 reports each: all accepted (600 = the address ceiling).
    const phones = Array.from({ length: 60 }, (_, i) => `fd_browser=phone-${String(i).padStart(2, '0')}-0123456789abcdef`);
    for (const p of phones) for (let i = 0; i < 10; i++) expect((await report(p)).statusCode).toBe(201);
    // The 11th of one phone is refused; the address is now at its ceiling for everyone with a cookie.
    expect((await report(phones[0])).statusCode).toBe(429);
    expect((await report('fd_browser=another-phone-0123456789abcdef')).statusCode).toBe(429);
    t.clock.advance(60_000);
    expect((await report(phones[0])).statusCode).toBe(201);
  });
});
