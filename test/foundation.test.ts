import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import { openDatabase, SqliteEventStore } from '../src/events/store.js';
import { GameClock } from '../src/game/clock.js';
import { TeamRegistry } from '../src/game/teams.js';
import { Comms } from '../src/comms/index.js';
import { loadScenario } from '../src/scenario/load.js';
import type { CoreServices } from '../src/services.js';
import { hashToken } from '../src/tokens.js';
import { ADMIN_TOKEN as ADMIN, T0, testApp } from './helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Services on a real SQLite file (or memory) with a manual clock. */
function services(file = ':memory:'): CoreServices {
  const clock = new ManualClock(T0);
  const gameClock = new GameClock(clock);
  const teams = new TeamRegistry();
  const store = new SqliteEventStore(openDatabase(file), { clock, gameTime: () => gameClock.now() });
  store.subscribe((e) => {
    gameClock.apply(e);
    teams.apply(e);
  });
  const config = loadConfig({ env: {}, flags: { dataDir: '/nonexistent' } });
  const scenario = loadScenario(config.scenario);
  const comms = new Comms({ store, scenario, gameClock });
  store.subscribe((e) => comms.apply(e));
  return { config, clock, gameClock, store, teams, scenario, comms, adminTokenHash: hashToken(ADMIN), version: 'test', dataDir: null };
}

describe('event store', () => {
  it('stores a repeated idempotency key once and returns the first event', async () => {
    const { store } = services();
    const a = await store.append({ type: 'report.filed', source: 'spectator', key: 'client-1', data: { text: 'hi', by: { kind: 'spectator', name: 'x' } } });
    const b = await store.append({ type: 'report.filed', source: 'spectator', key: 'client-1', data: { text: 'hi', by: { kind: 'spectator', name: 'x' } } });
    expect(a.duplicate).toBe(false);
    expect(b.duplicate).toBe(true);
    expect(b.event.seq).toBe(a.event.seq);
    expect(await store.read()).toHaveLength(1);
  });

  it('refuses the same key with a different payload (409) and writes nothing', async () => {
    const { store } = services();
    await store.append({ type: 'report.filed', source: 's', key: 'k', data: { text: 'one', by: { kind: 'spectator', name: 'x' } } });
    await expect(store.append({ type: 'report.filed', source: 's', key: 'k', data: { text: 'two', by: { kind: 'spectator', name: 'x' } } })).rejects.toMatchObject({
      code: 'idempotency_conflict',
    });
    expect(await store.read()).toHaveLength(1);
  });

  it('appends a batch all or nothing', async () => {
    const { store } = services();
    const bad = { type: 'score.adjusted', source: 'organizer', data: { points: 5, reason: 'x', by: { kind: 'organizer', name: 'o' } } } as const;
    const good = { type: 'game.started', source: 'organizer', data: { by: { kind: 'organizer' as const, name: 'o' } } } as const;
    await expect(store.appendMany([good, bad])).rejects.toMatchObject({ code: 'invalid_event' });
    expect(await store.read()).toHaveLength(0);
  });

  it('tells subscribers of new events in order, and not of duplicates', async () => {
    const { store } = services();
    const seen: number[] = [];
    store.subscribe((e) => seen.push(e.seq));
    const by = { kind: 'organizer' as const, name: 'o' };
    await store.appendMany([
      { type: 'game.started', source: 'o', key: 'start', data: { by } },
      { type: 'game.paused', source: 'o', data: { by } },
    ]);
    await store.append({ type: 'game.started', source: 'o', key: 'start', data: { by } });
    expect(seen).toEqual([1, 2]);
  });

  it('keeps every event across a restart of the database file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-'));
    dirs.push(dir);
    const file = join(dir, 'events.db');
    const s1 = services(file);
    for (let i = 0; i < 50; i++) await s1.store.append({ type: 'report.filed', source: 's', key: `r${i}`, data: { text: `r${i}`, by: { kind: 'spectator', name: 'x' } } });
    await s1.store.close();
    const s2 = services(file);
    const all = await s2.store.read();
    expect(all.map((e) => e.key)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    expect(s2.store.lastSeq()).toBe(50);
    await s2.store.close();
  });
});

describe('game clock', () => {
  it('runs from game.started, stops while paused, scales with speed', async () => {
    const s = services();
    const clock = s.clock as ManualClock;
    const by = { kind: 'organizer' as const, name: 'o' };
    expect(s.gameClock.now()).toBe(0);
    await s.store.append({ type: 'game.started', source: 'o', data: { by } });
    clock.advance(10_000);
    expect(s.gameClock.now()).toBe(10_000);
    await s.store.append({ type: 'game.paused', source: 'o', data: { by } });
    clock.advance(60_000);
    expect(s.gameClock.now()).toBe(10_000);
    await s.store.append({ type: 'game.resumed', source: 'o', data: { by } });
    await s.store.append({ type: 'game.speed_set', source: 'o', data: { speed: 30, by } });
    clock.advance(1_000);
    expect(s.gameClock.now()).toBe(40_000);
    const events = await s.store.read();
    expect(events.map((e) => e.gameTime)).toEqual([0, 10_000, 10_000, 10_000]);
  });
});

describe('HTTP foundation', () => {
  // A whole runtime: buildApp refuses to boot without every part.
  const runtime = async () => {
    const t = await testApp();
    closers.push(() => t.close());
    return t;
  };
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const c of closers.splice(0)) await c();
  });

  it('answers /healthz', async () => {
    const { app } = await runtime();
    const res = await app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'ok' });
  });

  it('guards /api/admin/events with the organizer token', async () => {
    const { app, services: s } = await runtime();
    await s.store.append({ type: 'game.started', source: 'o', data: { by: { kind: 'organizer', name: 'o' } } });
    const none = await app.inject('/api/admin/events');
    expect(none.statusCode).toBe(401);
    expect(none.json().error.code).toBe('unauthorized');
    const wrong = await app.inject({ url: '/api/admin/events', headers: { authorization: 'Bearer nope' } });
    expect(wrong.statusCode).toBe(401);
    const ok = await app.inject({ url: '/api/admin/events?type=game.started', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().events).toHaveLength(1);
    expect(ok.json().events[0]).toMatchObject({ seq: 2, type: 'game.started' }); // seq 1: game.created
  });

  it('rejects a bad query with a 400 a person understands', async () => {
    const { app } = await runtime();
    const res = await app.inject({ url: '/api/admin/events?after=abc', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({ error: { code: 'bad_request', message: 'querystring.after must be integer' } });
    const type = await app.inject({ url: '/api/admin/events?type=nope', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(type.statusCode).toBe(400);
    expect(type.json().error.message).toContain('nope');
  });

  it('pages through events with after and limit', async () => {
    const { app, services: s } = await runtime();
    // seq 1 is game.created; the reports are 2..6.
    for (let i = 0; i < 5; i++) await s.store.append({ type: 'report.filed', source: 's', data: { text: `${i}`, by: { kind: 'spectator', name: 'x' } } });
    const res = await app.inject({ url: '/api/admin/events?after=2&limit=2', headers: { authorization: `Bearer ${ADMIN}` } });
    expect(res.json().events.map((e: { seq: number }) => e.seq)).toEqual([3, 4]);
    expect(res.json().next).toBe(4);
  });

  it('answers unknown routes with the JSON error shape', async () => {
    const { app } = await runtime();
    const res = await app.inject('/api/nope');
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ error: { code: 'not_found', message: 'no route for GET /api/nope' } });
  });
});

describe('configuration', () => {
  it('takes flag over env over file over default', () => {
    expect(loadConfig({ env: {} }).port).toBe(8080);
    expect(loadConfig({ env: { PORT: '9000' } }).port).toBe(9000);
    expect(loadConfig({ env: { PORT: '9000' }, flags: { port: '9001' } }).port).toBe(9001);
  });
  it('names the bad setting', () => {
    expect(() => loadConfig({ env: { PORT: 'x' } })).toThrow(/port/);
  });
});
