import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import type { FaultRequest, Plan, RevertResult, TargetAdapter } from '../../src/targets/types.js';
import { hashToken } from '../../src/tokens.js';
import { cloneManifest, setPath, type Manifest } from '../../src/platform/manifest.js';
import { loadBaseManifest, type LocalPlatform } from '../../src/platform/platform.js';
import { LocalTarget } from '../../src/targets/local.js';
import { loadScenario } from '../../src/scenario/load.js';
import { testApp, testRuntime } from '../helpers.js';

/**
 * Organizer controls and the game through HTTP (app.inject), with a manual clock. The target here
 * records calls (the real LocalTarget is exercised by the restart and demo tests, which run the
 * embedded platform): it lets these tests make an injection fail on purpose.
 */
class RecordingTarget implements TargetAdapter {
  readonly kind = 'recording';
  calls: string[] = [];
  failInject = false;
  /** Teams whose inject never answers. */
  hang = new Set<string>();
  async plan(req: FaultRequest): Promise<Plan> {
    this.calls.push(`plan ${req.team} ${req.fault}`);
    return { summary: 's', handle: { team: req.team, fault: req.fault } };
  }
  async inject(req: FaultRequest, handle: unknown): Promise<void> {
    this.calls.push(`inject ${req.team} ${req.fault} ${JSON.stringify(handle)}`);
    if (this.failInject) throw new Error('the platform refused the change');
    if (this.hang.has(req.team)) await new Promise(() => {});
  }
  async revert(team: string, handle: unknown): Promise<RevertResult> {
    this.calls.push(`revert ${team} ${JSON.stringify(handle)}`);
    return { changed: true, detail: 'restored' };
  }
  /** Teams whose change is gone (they fixed it before any probe saw it). */
  fixed = new Set<string>();
  async inPlace(team: string): Promise<boolean> {
    this.calls.push(`inPlace ${team}`);
    return !this.fixed.has(team);
  }
  publicUrl(): string | undefined {
    return undefined;
  }
}

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

async function setup() {
  const t = await testApp();
  closers.push(() => t.close());
  const target = new RecordingTarget();
  t.services.target = target;
  const admin = { ...t.admin, 'x-organizer-name': 'Aiko' };
  const post = (url: string, payload?: unknown) => t.app.inject({ method: 'POST', url, headers: admin, ...(payload !== undefined ? { payload: payload as object } : {}) });
  const get = (url: string, headers: Record<string, string> = admin) => t.app.inject({ method: 'GET', url, headers });
  const events = async (type?: string) => ((await t.services.store.read()) as StoredEvent[]).filter((e) => !type || e.type === type);
  const game = t.services.game!;
  const createTeam = async (name: string, id?: string) => {
    const r = await post('/api/admin/teams', { name, ...(id ? { id } : {}), members: [{ name: 'Yui', role: 'Incident Commander' }] });
    expect(r.statusCode, r.body).toBe(201);
    return r.json() as { team: { id: string }; token: string; joinLink: string };
  };
  return { ...t, target, admin, post, get, events, game, createTeam };
}

describe('teams', () => {
  it('creates a team: the token and join link are answered once; the log holds only the hash', async () => {
    const s = await setup();
    const r = await s.createTeam('Team Ramen 🍜');
    expect(r.team.id).toBe('team-ramen');
    expect(r.joinLink).toBe(`http://localhost:80/join?token=${r.token}`);
    const created = (await s.events('team.created'))[0]!;
    expect(created.data).toMatchObject({ id: 'team-ramen', name: 'Team Ramen 🍜', members: [{ name: 'Yui', role: 'Incident Commander' }], by: { kind: 'organizer', name: 'Aiko' } });
    expect(JSON.stringify(await s.events())).not.toContain(r.token);
    const me = await s.get('/api/team', { authorization: `Bearer ${r.token}` });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ team: { id: 'team-ramen', name: 'Team Ramen 🍜' }, fault: null, game: { phase: 'not_started' } });
    const list = await s.get('/api/admin/teams');
    expect(list.json().teams.map((t: { id: string }) => t.id)).toEqual(['team-ramen']);
    expect(list.body).not.toContain(r.token);
  });

  it('refuses bad input with a clear 4xx and writes nothing', async () => {
    const s = await setup();
    await s.createTeam('One', 'one');
    const before = (await s.events()).length;
    expect((await s.post('/api/admin/teams', { members: [] })).statusCode).toBe(400);
    expect((await s.post('/api/admin/teams', { name: 'x', id: 'Not Valid' })).statusCode).toBe(400);
    const dup = await s.post('/api/admin/teams', { name: 'Again', id: 'one' });
    expect(dup.statusCode).toBe(409);
    expect(dup.json()).toEqual({ error: { code: 'conflict', message: "a team with id 'one' already exists" } });
    expect((await s.app.inject({ method: 'PATCH', url: '/api/admin/teams/nobody', headers: s.admin, payload: { name: 'n' } })).statusCode).toBe(404);
    expect((await s.app.inject({ method: 'PATCH', url: '/api/admin/teams/one', headers: s.admin, payload: {} })).statusCode).toBe(400);
    expect((await s.app.inject({ method: 'POST', url: '/api/admin/teams', payload: { name: 'x' } })).statusCode).toBe(401);
    expect((await s.post('/api/admin/game/speed', { speed: 0 })).statusCode).toBe(400);
    expect((await s.events()).length).toBe(before);
  });

  it('renames a team and rotates its token (the old one stops working)', async () => {
    const s = await setup();
    const r = await s.createTeam('One', 'one');
    const p = await s.app.inject({ method: 'PATCH', url: '/api/admin/teams/one', headers: s.admin, payload: { name: 'Uno <b>' } });
    expect(p.json().team.name).toBe('Uno <b>');
    const rot = await s.post('/api/admin/teams/one/token');
    expect(rot.statusCode).toBe(200);
    const { token } = rot.json() as { token: string };
    expect((await s.get('/api/team', { authorization: `Bearer ${r.token}` })).statusCode).toBe(401);
    expect((await s.get('/api/team', { authorization: `Bearer ${token}` })).json().team.name).toBe('Uno <b>');
    expect(JSON.stringify(await s.events())).not.toContain(token);
  });
});

describe('the game through organizer controls', () => {
  it('start, pause, resume, speed, finish — each an event with who did it; wrong order is a 409', async () => {
    const s = await setup();
    expect((await s.get('/api/game', {})).json()).toMatchObject({ phase: 'not_started', gameTime: 0, scenario: { name: 'chat-service' } });
    expect((await s.post('/api/admin/game/pause')).statusCode).toBe(409);
    expect((await s.post('/api/admin/game/start', { by: 'Ken' })).json()).toMatchObject({ phase: 'running' });
    expect((await s.post('/api/admin/game/start')).statusCode).toBe(409);
    s.clock.advance(10_000);
    expect((await s.post('/api/admin/game/speed', { speed: 30 })).json()).toEqual({ speed: 30, gameTime: 10_000 });
    s.clock.advance(1000);
    expect((await s.get('/api/game', {})).json()).toMatchObject({ phase: 'running', gameTime: 40_000, speed: 30 });
    expect((await s.post('/api/admin/game/pause')).json()).toMatchObject({ phase: 'paused', gameTime: 40_000 });
    s.clock.advance(5000);
    expect((await s.post('/api/admin/game/resume')).json()).toMatchObject({ phase: 'running', gameTime: 40_000 });
    expect((await s.post('/api/admin/game/finish')).json()).toMatchObject({ phase: 'finished' });
    const byWhom = (await s.events()).filter((e) => e.type.startsWith('game.') && e.type !== 'game.created').map((e) => [e.type, (e.data as { by: { name: string } }).by.name]);
    expect(byWhom).toEqual([
      ['game.started', 'Ken'],
      ['game.speed_set', 'Aiko'],
      ['game.paused', 'Aiko'],
      ['game.resumed', 'Aiko'],
      ['game.finished', 'Aiko'],
    ]);
  });

  it('plays a fault: armed at start, injected when due (handle first), team sees the briefing, organizer extends and reverts', async () => {
    const s = await setup();
    const { token } = await s.createTeam('Red', 'red');
    await s.post('/api/admin/game/start');
    await s.game.tick();
    const armed = (await s.events('fault.armed'))[0]!;
    expect(armed.data).toMatchObject({ fault: 'site-unreachable' });
    const due = (armed.data as { dueAt: number }).dueAt;
    expect(due).toBeGreaterThanOrEqual(60_000);
    expect(due).toBeLessThanOrEqual(180_000);
    s.clock.advance(due - 1);
    await s.game.tick();
    expect(s.target.calls).toEqual([]);
    s.clock.advance(1);
    await s.game.tick();
    expect(s.target.calls).toEqual(['plan red site-unreachable', 'inject red site-unreachable {"team":"red","fault":"site-unreachable"}']);
    const seq = (await s.events()).filter((e) => e.type.startsWith('fault.')).map((e) => e.type);
    expect(seq).toEqual(['fault.armed', 'fault.injecting', 'fault.injected']);
    const injected = (await s.events('fault.injected'))[0]!;
    expect(injected.data).toMatchObject({ attempt: 1, deadlineAt: due + 28 * 60_000 });

    const me = (await s.get('/api/team', { authorization: `Bearer ${token}` })).json();
    expect(me.fault).toMatchObject({ id: 'site-unreachable', state: 'injected', detection: 'none', injectedAt: due });
    expect(me.fault.briefing.en.length).toBeGreaterThan(10);
    expect(JSON.stringify(me)).not.toContain('organizer');
    expect(me.hints.length).toBeGreaterThan(0);
    expect(me.hints[0]).not.toHaveProperty('text');

    const state = (await s.get('/api/admin/state')).json();
    expect(state.teams[0]).toMatchObject({ id: 'red', current: 'site-unreachable' });
    expect(state.teams[0].faults[0]).toMatchObject({ state: 'injected', dueAt: due, deadlineAt: due + 28 * 60_000 });

    const ext = await s.post('/api/admin/teams/red/faults/site-unreachable/extend', { minutes: 5 });
    expect(ext.json()).toEqual({ deadlineAt: due + 33 * 60_000 });
    expect((await s.post('/api/admin/teams/red/faults/garbled-messages/revert')).statusCode).toBe(409);
    expect((await s.post('/api/admin/teams/red/faults/nope/revert')).statusCode).toBe(404);
    const rev = await s.post('/api/admin/teams/red/faults/site-unreachable/revert', { reason: 'wrong team' });
    expect(rev.statusCode).toBe(200);
    expect(s.target.calls.at(-1)).toBe('revert red {"team":"red","fault":"site-unreachable"}');
    expect((await s.events('fault.reverted'))[0]!.data).toMatchObject({ by: { kind: 'organizer', name: 'Aiko' }, reason: 'wrong team' });
    expect((await s.events('fault.revert_result'))[0]!.data).toMatchObject({ ok: true, detail: 'restored' });
    // The next fault is armed after the revert.
    expect((await s.events('fault.armed')).at(-1)!.data).toMatchObject({ fault: 'database-unreachable' });
  });

  it('"next" triggers the next fault now; skip moves on without injecting', async () => {
    const s = await setup();
    await s.createTeam('Red', 'red');
    expect((await s.post('/api/admin/teams/red/faults/next')).statusCode).toBe(409); // not running
    await s.post('/api/admin/game/start');
    const r = await s.post('/api/admin/teams/red/faults/next');
    expect(r.json()).toEqual({ fault: 'site-unreachable' });
    expect((await s.events('fault.injected')).length).toBe(1);
    expect((await s.post('/api/admin/teams/red/faults/next')).statusCode).toBe(409); // one is in play
    await s.post('/api/admin/teams/red/faults/site-unreachable/skip', { reason: 'demo' });
    expect(s.target.calls.filter((c) => c.startsWith('revert'))).toHaveLength(1);
    await s.post('/api/admin/teams/red/faults/database-unreachable/skip');
    expect((await s.events('fault.skipped')).map((e) => e.data)).toMatchObject([{ fault: 'site-unreachable', reason: 'demo' }, { fault: 'database-unreachable', reason: 'skipped by an organizer' }]);
    expect(s.target.calls.filter((c) => c.startsWith('inject'))).toHaveLength(1);
  });

  it('the deadline times a fault out and reverts it automatically', async () => {
    const s = await setup();
    await s.createTeam('Red', 'red');
    await s.post('/api/admin/game/start');
    await s.post('/api/admin/teams/red/faults/next');
    const { deadlineAt } = (await s.events('fault.injected'))[0]!.data as { deadlineAt: number };
    // The injection took: a recovery probe went red.
    await s.services.store.append({ type: 'probe.failed', team: 'red', source: 'probe', data: { probe: 'page', evidence: { status: 502 } } });
    s.clock.advance(deadlineAt - s.services.gameClock.now());
    await s.game.tick();
    expect((await s.events()).filter((e) => e.type.startsWith('fault.')).map((e) => e.type)).toEqual([
      'fault.armed',
      'fault.armed',
      'fault.injecting',
      'fault.injected',
      'fault.timed_out',
      'fault.revert_result',
      'fault.armed',
    ]);
    expect(s.target.calls.at(-1)).toMatch(/^revert red /);
  });

  it('a failed injection is retried, then voided, and organizers see warnings', async () => {
    const s = await setup();
    await s.createTeam('Red', 'red');
    s.target.failInject = true;
    await s.post('/api/admin/game/start');
    await s.post('/api/admin/teams/red/faults/next');
    const failed = await s.events('fault.injection_failed');
    expect(failed.map((e) => e.data)).toMatchObject([{ attempt: 1, retry: true }]);
    const retryAt = (await s.events('fault.armed')).at(-1)!.data as { dueAt: number };
    s.clock.advance(retryAt.dueAt - s.services.gameClock.now());
    await s.game.tick();
    expect((await s.events('fault.injection_failed')).map((e) => e.data)).toMatchObject([{ attempt: 1 }, { attempt: 2, retry: false }]);
    expect((await s.events('fault.voided'))[0]!.data).toMatchObject({ fault: 'site-unreachable' });
    const w = (await s.get('/api/admin/warnings')).json().warnings;
    expect(w).toHaveLength(2);
    expect(w[0]).toMatchObject({ team: 'red', code: 'injection_failed', fault: 'site-unreachable' });
    expect(w[0].message).toContain('the platform refused the change');
    // Both attempts' handles were reverted (the change may have half-applied).
    expect(s.target.calls.filter((c) => c.startsWith('revert'))).toHaveLength(2);
    expect((await s.events('fault.recovered')).length).toBe(0);
  });

  it('finishes an injection cut short by a crash with the handle from the log (no second plan)', async () => {
    const s = await setup();
    await s.createTeam('Red', 'red');
    await s.post('/api/admin/game/start');
    // As a crash would leave it: the handle recorded, fault.injected never written.
    await s.services.store.appendMany([
      { type: 'fault.armed', team: 'red', source: 'game', data: { fault: 'site-unreachable', dueAt: 0 } },
      { type: 'fault.injecting', team: 'red', source: 'game', data: { fault: 'site-unreachable', attempt: 1, handle: { logged: true } } },
    ]);
    await s.game.tick();
    expect(s.target.calls).toEqual(['inject red site-unreachable {"logged":true}']);
    expect((await s.events('fault.injected'))[0]!.data).toMatchObject({ fault: 'site-unreachable', attempt: 1 });
  });

  it('a hung target costs one timeout for that team and never holds up the others', async () => {
    const s = await setup();
    await s.createTeam('Slow', 'slow');
    await s.createTeam('Fast', 'fast');
    s.target.hang.add('slow');
    s.game.targetTimeoutMs = 1500;
    await s.post('/api/admin/game/start');
    const slow = s.post('/api/admin/teams/slow/faults/next');
    await vi.waitFor(() => expect(s.target.calls.some((c) => c.startsWith('inject slow'))).toBe(true));
    expect((await s.post('/api/admin/teams/fast/faults/next')).statusCode).toBe(200);
    expect((await s.events('fault.injected')).map((e) => e.team)).toEqual(['fast']);
    expect((await slow).statusCode).toBe(200);
    expect((await s.events('fault.injection_failed'))[0]).toMatchObject({ team: 'slow', data: { attempt: 1, retry: true, reason: 'inject: inject did not answer within 2 s' } });
    // The logged handle is reverted in case the change landed after all.
    expect(s.target.calls.at(-1)).toMatch(/^revert slow /);
  });

  it('incident facts and probe recovery resolve the fault, in either order', async () => {
    const s = await setup();
    const { token } = await s.createTeam('Red', 'red');
    const team = { authorization: `Bearer ${token}` };
    await s.post('/api/admin/game/start');
    await s.post('/api/admin/teams/red/faults/next');
    await s.services.store.append({ type: 'probe.failed', team: 'red', source: 'probe', data: { probe: 'page', evidence: { status: 502 } } });
    const open = await s.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'site down', name: 'Yui' } });
    expect(open.statusCode, open.body).toBe(201);
    const id = open.json().incident.id as string;
    await s.game.tick();
    expect((await s.events('fault.detected'))[0]!.data).toMatchObject({ fault: 'site-unreachable', incident: id, via: 'board' });
    // Resolved while red: premature, recorded, the fault stays open.
    await s.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/resolve`, headers: team, payload: { name: 'Yui' } });
    await s.game.tick();
    expect((await s.events('fault.premature_resolve')).length).toBe(1);
    expect((await s.events('fault.resolved')).length).toBe(0);
    s.clock.advance(60_000);
    await s.services.store.append({ type: 'probe.recovered', team: 'red', source: 'probe', data: { probe: 'page', evidence: { status: 200 }, since: s.services.gameClock.now() - 20_000 } });
    await s.game.tick();
    expect((await s.events('fault.recovered'))[0]!.data).toMatchObject({ fault: 'site-unreachable' });
    await s.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/reopen`, headers: team, payload: {} });
    await s.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/resolve`, headers: team, payload: { name: 'Yui' } });
    await s.game.tick();
    // The sign-off is on by default: the incident resolve alone does not resolve the fault; the
    // support persona asks, and the team's resolution notice in #stakeholders closes it.
    expect(await s.events('fault.resolved')).toHaveLength(0);
    await s.services.comms.tick();
    expect((await s.events('message.posted')).some((e) => e.key === 'persona:red:site-unreachable:signoff:ask')).toBe(true);
    const notice = await s.app.inject({ method: 'POST', url: '/api/team/messages', headers: team, payload: { channel: 'stakeholders', clientId: 'notice-1', text: 'The site works again for all users; the route was restored.' } });
    expect(notice.statusCode, notice.body).toBe(201);
    await s.services.comms.tick();
    await s.game.tick();
    expect((await s.events('fault.signed_off'))[0]!.data).toMatchObject({ fault: 'site-unreachable', notice: notice.json().message.seq });
    expect((await s.events('fault.resolved'))[0]!.data).toEqual({ fault: 'site-unreachable', by: 'sign_off' });
  });

  it('the kill switch reverts every injected fault of every team and pauses the game', async () => {
    const s = await setup();
    await s.createTeam('Red', 'red');
    await s.createTeam('Blue', 'blue');
    await s.createTeam('Green', 'green');
    await s.post('/api/admin/game/start');
    await s.post('/api/admin/teams/red/faults/next');
    await s.post('/api/admin/teams/blue/faults/next');
    const r = await s.post('/api/admin/revert-all', { reason: 'platform trouble' });
    expect(r.json()).toEqual({ reverted: [{ team: 'red', fault: 'site-unreachable' }, { team: 'blue', fault: 'site-unreachable' }] });
    expect(s.target.calls.filter((c) => c.startsWith('revert')).sort()).toEqual([
      'revert blue {"team":"blue","fault":"site-unreachable"}',
      'revert red {"team":"red","fault":"site-unreachable"}',
    ]);
    expect((await s.get('/api/game', {})).json().phase).toBe('paused');
    expect((await s.events('game.revert_all'))[0]!.data).toEqual({ by: { kind: 'organizer', name: 'Aiko' }, reason: 'platform trouble' });
    expect((await s.events('fault.revert_result')).length).toBe(2);
  });
});

describe('teams from the configuration', () => {
  it('are created at the first start only, with tokens handed out once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-teams-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const teams = [
      { id: 'red', name: 'Red', members: [{ name: 'Yui', role: 'Ops Lead' }] },
      { id: 'blue', name: 'Blue' },
    ];
    const first = await testRuntime({ teams }, { dataDir: dir });
    expect(first.newTeams.map((t) => t.id)).toEqual(['red', 'blue']);
    const token = first.newTeams[0]!.token;
    expect(first.services.teams.get('red')).toMatchObject({ name: 'Red', members: [{ name: 'Yui', role: 'Ops Lead' }] });
    expect(JSON.stringify(await first.services.store.read())).not.toContain(token);
    await first.close();
    const second = await testRuntime({ teams }, { dataDir: dir });
    closers.push(() => second.close());
    expect(second.newTeams).toEqual([]);
    expect(second.services.teams.list().map((t) => t.id)).toEqual(['red', 'blue']);
    expect(second.services.teams.byToken(hashToken(token))?.id).toBe('red');
  });
});

describe('defect 9: a fault the team undid before any probe turned red', () => {
  it('the game asks the target, logs the answer, and voids the fault instead of injecting it again', async () => {
    const s = await setup();
    await s.createTeam('Red', 'red');
    await s.post('/api/admin/game/start');
    await s.post('/api/admin/teams/red/faults/next');
    expect(await s.events('fault.injected')).toHaveLength(1);
    // The probes have checked often enough (they do not run in this test), all green; the team fixed it.
    s.services.probes!.checksOf = () => 1000;
    s.target.fixed.add('red');
    s.clock.advance(10 * 60_000);
    await s.game.tick();
    await s.game.idle();
    expect(s.target.calls.filter((c) => c === 'inPlace red')).toHaveLength(1);
    expect((await s.events('fault.presence_checked')).map((e) => e.data)).toEqual([{ fault: 'site-unreachable', attempt: 1, inPlace: false }]);
    expect(await s.events('fault.injection_failed')).toEqual([]);
    expect((await s.events('fault.voided'))[0]!.data).toMatchObject({ fault: 'site-unreachable', reason: expect.stringContaining('fixed before any probe saw it') });
    expect(s.target.calls.filter((c) => c.startsWith('inject'))).toHaveLength(1);
    const state = (await s.get('/api/admin/state')).json();
    expect(state.teams[0].faults[0]).toMatchObject({ state: 'voided', detection: 'none' });
  });

  it('LocalTarget.inPlace: true while every field still holds the fault value, false once the team changed one back', async () => {
    const scenario = loadScenario('challenges/chat-service/scenario.yaml');
    let manifest: Manifest = loadBaseManifest('challenges/chat-service/platform.yaml');
    const platform = { manifest: () => manifest } as unknown as LocalPlatform;
    const target = new LocalTarget(platform);
    const spec = scenario.faults.find((f) => f.id === 'site-unreachable')!;
    const { handle } = await target.plan({ team: 'red', fault: spec.id, actions: spec.inject });
    expect(await target.inPlace('red', handle)).toBe(false); // not injected yet
    const faulted = cloneManifest(manifest);
    setPath(faulted, 'ingress.routes.1.port', 8081);
    manifest = faulted;
    expect(await target.inPlace('red', handle)).toBe(true);
    const fixed = cloneManifest(manifest);
    setPath(fixed, 'ingress.routes.1.port', 80);
    manifest = fixed;
    expect(await target.inPlace('red', handle)).toBe(false);
    await expect(target.inPlace('red', { not: 'a handle' })).rejects.toThrow(/not a handle/);
  });
});
