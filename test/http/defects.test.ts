import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { Services } from '../../src/services.js';
import { testApp, testRuntime } from '../helpers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});
async function setup() {
  const t = await testApp();
  closers.push(() => t.close());
  return t;
}

describe('PATCH /api/admin/teams/:id', () => {
  it('refuses a blank name (400, as creation does) and writes nothing', async () => {
    const t = await setup();
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { name: 'One', id: 'one' } })).statusCode).toBe(201);
    const before = t.services.store.lastSeq();
    const r = await t.app.inject({ method: 'PATCH', url: '/api/admin/teams/one', headers: t.admin, payload: { name: '   ' } });
    expect(r.statusCode).toBe(400);
    expect(r.json()).toEqual({ error: { code: 'bad_request', message: 'name must not be empty' } });
    expect(t.services.store.lastSeq()).toBe(before);
    expect(t.services.teams.get('one')?.name).toBe('One');
    // A name with spaces around it is trimmed, as at creation.
    const ok = await t.app.inject({ method: 'PATCH', url: '/api/admin/teams/one', headers: t.admin, payload: { name: '  Uno  ' } });
    expect(ok.json().team.name).toBe('Uno');
  });
});

describe('WebSocket routes asked over plain HTTP', () => {
  it.each(['/ws/leaderboard', '/ws/team'])('GET %s without an upgrade answers 426 in the error shape', async (path) => {
    const t = await setup();
    const r = await t.app.inject({ method: 'GET', url: `${path}?since=3` });
    expect(r.statusCode).toBe(426);
    expect(r.json()).toEqual({ error: { code: 'upgrade_required', message: `${path} is a WebSocket: connect with ws:// (Upgrade: websocket)` } });
  });

  it('still upgrades a real WebSocket request', async () => {
    const t = await setup();
    await t.app.ready();
    let resolve!: (s: string) => void;
    const firstFrame = new Promise<string>((r) => (resolve = r));
    const ws = await t.app.injectWS('/ws/leaderboard', {}, { onInit: (w) => w.once('message', (d) => resolve(String(d))) });
    const first = await firstFrame;
    expect(JSON.parse(first)).toMatchObject({ type: 'snapshot' });
    ws.terminate();
  });
});

describe('parts are decorations: a missing part fails at boot', () => {
  it('refuses to build the app without the leaderboard, naming it', async () => {
    const rt = await testRuntime();
    closers.push(() => rt.close());
    const { leaderboard: _gone, ...rest } = rt.services;
    await expect(buildApp(rest as unknown as Services)).rejects.toThrow(/dependency 'leaderboard'/);
  });

  it('each part is its own decoration, the same object as in the runtime', async () => {
    const t = await setup();
    await t.app.ready();
    expect(t.app.store).toBe(t.services.store);
    expect(t.app.leaderboard).toBe(t.services.leaderboard);
    expect(t.app.game).toBe(t.services.game);
    // The target is read on use (tests swap it after building the app).
    const before = t.app.target;
    t.services.target = { ...before, publicUrl: () => 'http://x.invalid' };
    expect(t.app.target.publicUrl('a')).toBe('http://x.invalid');
  });
});
