import { mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/events/types.js';
import { connectWS, type testApp, TWO_TEAMS, twoTeamApp } from '../helpers.js';

/**
 * What every audience sees of the one lifecycle, through real HTTP (fastify.inject) and WebSockets
 * (injectWS): spoilers masked by "has this fault's change landed for this team" (defect 2), and a
 * game that ends by itself at its duration, heard by every audience (defects 3 and 4).
 */

type T = Awaited<ReturnType<typeof testApp>>;
const open: T[] = [];
const dirs: string[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const by = { kind: 'organizer' as const, name: 'o' };
const TOKENS = TWO_TEAMS;
const ADMIN_BEARER = { authorization: 'Bearer organizer-token-for-tests-0123456789' };

async function setup(overrides: Parameters<typeof testApp>[0] = {}) {
  // Every change its own frame at once: a state that lasts one event (injecting) is seen by the clients.
  const t = await twoTeamApp(overrides);
  open.push(t);
  return t;
}

const connect = connectWS;

const append = (t: T, e: NewEvent) => t.services.store.append(e);

/** The secret words of a fault: its id and every title. */
const secrets = (t: T, id: string) => {
  const f = t.services.scenario.faults.find((x) => x.id === id)!;
  return [`"${f.id}"`, f.title.en, f.title.ja];
};

describe('defect 2: spoilers are masked until the change landed for that team', () => {
  it('(a) a fault skipped while armed never shows its id or title on the public timeline or score', async () => {
    const t = await setup();
    const fault = t.services.scenario.faults[0]!.id;
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault, dueAt: 60_000 } });
    await append(t, { type: 'fault.skipped', team: 'alpha', source: 'organizer', data: { fault, by, reason: 'demo' } });
    const bodies = [
      (await t.app.inject('/api/teams/alpha/timeline')).body,
      (await t.app.inject('/api/teams/alpha/score')).body,
      (await t.app.inject('/api/leaderboard')).body,
    ];
    for (const body of bodies) for (const s of secrets(t, fault)) expect(body).not.toContain(s);
    // The timeline still says that a fault was skipped ("fault 1"), with no place for its id or title; organizers see which.
    const items = (await t.app.inject('/api/teams/alpha/timeline')).json().items;
    expect(items).toContainEqual({ seq: expect.any(Number), gameTime: expect.any(Number), kind: 'fault', masked: true, index: 0, moment: 'skipped' });
    const score = (await t.app.inject('/api/teams/alpha/score')).json();
    expect(score.breakdown.faults[0]).toMatchObject({ masked: true, index: 0, state: 'skipped' });
    expect(score.breakdown.faults[0]).not.toHaveProperty('fault');
    expect(score.breakdown.faults[0]).not.toHaveProperty('title');
    expect(t.services.leaderboard!.timeline('alpha', 'organizer')).toContainEqual(expect.objectContaining({ kind: 'fault', fault, moment: 'skipped' }));
  });

  it('(b) during injecting, /ws/leaderboard and /ws/team frames carry no fault id or title', async () => {
    const t = await setup();
    const fault = t.services.scenario.faults[0]!.id;
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    const board = await connect(t.app, '/ws/leaderboard');
    const team = await connect(t.app, '/ws/team', { authorization: `Bearer ${TOKENS.alpha}` });
    await board.next();
    await team.next();
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault, dueAt: 0 } });
    await append(t, { type: 'fault.injecting', team: 'alpha', source: 'game', data: { fault, attempt: 1, handle: { h: 1 } } });
    const b = await board.until((f) => JSON.stringify(f).includes('"injecting"'));
    const m = await team.until((f) => JSON.stringify(f).includes('"injecting"'));
    for (const frame of [JSON.stringify(b), JSON.stringify(m)]) for (const s of secrets(t, fault)) expect(frame).not.toContain(s);
    // Issue 16: no current fault at all before the change landed (no "armed"/"injecting" chip).
    expect(b.rows.find((x: { id: string }) => x.id === 'alpha').currentFault ?? null).toBeNull();
    // Once the change landed, the fault is shown.
    await append(t, { type: 'fault.injected', team: 'alpha', source: 'game', data: { fault, attempt: 1, deadlineAt: 1_000_000 } });
    const shown = await board.until((f) => JSON.stringify(f).includes('"injected"'));
    expect(shown.rows.find((x: { id: string }) => x.id === 'alpha').currentFault).toMatchObject({ id: fault, state: 'injected', detection: 'none' });
  });
});

describe('defect 3 and 4: the game ends by itself at its duration, and every audience hears it', () => {
  it('a sped-up game with a 2-minute duration finishes as an event; GET /api/game, /api/team, /ws/leaderboard and /ws/team all carry phase, durationMs and endsAt', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'firedrill-duration-'));
    dirs.push(dir);
    // The default challenge with a 2-minute game: its other files are linked, the scenario is a copy.
    const src = resolve('challenges/chat-service');
    for (const name of readdirSync(src)) if (name !== 'scenario.yaml') symlinkSync(join(src, name), join(dir, name));
    const yaml = readFileSync(join(src, 'scenario.yaml'), 'utf8').replace(/^( {2}duration: )90m$/m, '$12m');
    expect(yaml).toMatch(/^ {2}duration: 2m$/m);
    const file = join(dir, 'scenario.yaml');
    writeFileSync(file, yaml);
    const t = await setup({ scenario: file });
    expect(t.services.scenario.game.durationMs).toBe(120_000);

    const board = await connect(t.app, '/ws/leaderboard');
    const team = await connect(t.app, '/ws/team', { authorization: `Bearer ${TOKENS.alpha}` });
    expect((await board.next()).board.game).toMatchObject({ phase: 'not_started', durationMs: 120_000, endsAt: null });
    expect((await team.next()).game).toMatchObject({ phase: 'not_started', durationMs: 120_000, endsAt: null });

    expect((await t.app.inject({ method: 'POST', url: '/api/admin/game/speed', headers: ADMIN_BEARER, payload: { speed: 30 } })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/game/start', headers: ADMIN_BEARER, payload: {} })).statusCode).toBe(200);
    expect(await board.until((f) => f.game?.phase === 'running')).toMatchObject({ game: { phase: 'running', endsAt: 120_000 } });
    expect(await team.until((f) => f.game?.phase === 'running')).toMatchObject({ game: { phase: 'running', endsAt: 120_000 } });

    // 2 game minutes at speed 30 = 4 wall seconds; the game loop's tick decides the end.
    t.clock.advance(3_999);
    await t.services.game!.tick();
    expect((await t.app.inject('/api/game')).json()).toMatchObject({ phase: 'running', durationMs: 120_000, endsAt: 120_000 });
    t.clock.advance(1);
    await t.services.game!.tick();
    const finished = await t.services.store.read({ types: ['game.finished'] });
    expect(finished).toHaveLength(1);
    expect(finished[0]!).toMatchObject({ source: 'game', key: 'game.finished', data: { by: { kind: 'system' } } });

    expect(await board.until((f) => f.game?.phase === 'finished')).toMatchObject({ type: 'delta', game: { phase: 'finished' } });
    expect(await team.until((f) => f.game?.phase === 'finished')).toMatchObject({ type: 'update', game: { phase: 'finished', endsAt: 120_000 } });
    expect((await t.app.inject('/api/game')).json()).toMatchObject({ phase: 'finished', gameTime: 120_000 });
    const me = await t.app.inject({ url: '/api/team', headers: { authorization: `Bearer ${TOKENS.alpha}` } });
    expect(me.json().game).toMatchObject({ phase: 'finished', durationMs: 120_000, endsAt: 120_000 });
    // Finishing again (the organizer, or another tick) changes nothing.
    await t.services.game!.tick();
    expect(await t.services.store.read({ types: ['game.finished'] })).toHaveLength(1);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/game/finish', headers: ADMIN_BEARER, payload: {} })).statusCode).toBe(409);
  });
});
