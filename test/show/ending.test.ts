import { readFileSync } from 'node:fs';
import QRCode from 'qrcode';
import { afterEach, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import type { NewEvent } from '../../src/events/types.js';
import { fromRoot } from '../../src/paths.js';
import { parseScenario } from '../../src/scenario/load.js';
import { hashToken } from '../../src/tokens.js';
import { everyFrame, testApp } from '../helpers.js';

/**
 * Issue 16, server side: the public sees a fault's symptom (never its title or cause) until the
 * faults are revealed (finish, or the organizers' reveal); nothing of a fault before it lands; the
 * results once the game is finished; the organizers' downloads; the QR code of the spectator page.
 */

type T = Awaited<ReturnType<typeof testApp>>;
const open: T[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

const by = { kind: 'organizer' as const, name: 'o' };
const TOKEN = 'alpha-token-0123456789abcdef';
const ADMIN = { authorization: 'Bearer organizer-token-for-tests-0123456789' };

async function setup(overrides: Parameters<typeof testApp>[0] = {}) {
  // Every change its own frame at once (no coalescing delay before the frames are read).
  const t = await testApp(overrides, { frameTimer: everyFrame });
  open.push(t);
  for (const id of ['alpha', 'bravo']) {
    await t.services.store.append({ type: 'team.created', source: 'organizer', data: { id, name: id.toUpperCase(), members: [], tokenHash: hashToken(id === 'alpha' ? TOKEN : `${id}-token-0123456789abcdef`), portBase: null, seed: 1, by } });
  }
  await t.app.ready();
  return t;
}
const append = (t: T, e: NewEvent) => t.services.store.append(e);

async function connect(app: FastifyInstance, path: string, headers: Record<string, string> = {}) {
  const frames: string[] = [];
  const ws: WebSocket = await app.injectWS(path, { headers }, { onInit: (w) => w.on('message', (raw) => frames.push(String(raw))) });
  return { ws, frames };
}

/** Every public (and team) read that could name a fault. */
async function publicBodies(t: T): Promise<string[]> {
  const me = { authorization: `Bearer ${TOKEN}` };
  return [
    (await t.app.inject('/api/leaderboard')).body,
    (await t.app.inject('/api/teams/alpha/timeline')).body,
    (await t.app.inject('/api/teams/alpha/score')).body,
    (await t.app.inject({ url: '/api/team', headers: me })).body,
  ];
}

describe('no spoilers, in words too', () => {
  it('after injection every public and team read names the symptom, never the title; the organizers reveal it (once, as an event)', async () => {
    const t = await setup();
    const f = t.services.scenario.faults[0]!;
    expect(f.symptom.en).toBe('The chat page does not load');
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    const board = await connect(t.app, '/ws/leaderboard');
    const team = await connect(t.app, '/ws/team', { authorization: `Bearer ${TOKEN}` });
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault: f.id, dueAt: 0 } });
    await append(t, { type: 'fault.injecting', team: 'alpha', source: 'game', data: { fault: f.id, attempt: 1, handle: { h: 1 } } });
    await append(t, { type: 'fault.injected', team: 'alpha', source: 'game', data: { fault: f.id, attempt: 1, deadlineAt: 1_000_000 } });

    const bodies = [...(await publicBodies(t)), ...board.frames, ...team.frames];
    for (const body of bodies) {
      expect(body).not.toContain(f.title.en);
      expect(body).not.toContain(f.title.ja);
      expect(body).not.toContain(f.briefing.organizer.en.slice(0, 30));
    }
    const lb = (await t.app.inject('/api/leaderboard')).json();
    expect(lb.game.revealed).toBe(false);
    expect(lb.teams.find((x: { id: string }) => x.id === 'alpha').currentFault).toMatchObject({ id: f.id, title: f.symptom, state: 'injected' });
    expect((await t.app.inject({ url: '/api/team', headers: { authorization: `Bearer ${TOKEN}` } })).json().fault.title).toEqual(f.symptom);
    expect((await t.app.inject('/api/teams/alpha/timeline')).json().items).toContainEqual(expect.objectContaining({ kind: 'fault', fault: f.id, title: f.symptom, moment: 'injected' }));
    // bravo's fault has not landed: nothing at all (no "armed" chip).
    await append(t, { type: 'fault.armed', team: 'bravo', source: 'game', data: { fault: f.id, dueAt: 999_999 } });
    expect((await t.app.inject('/api/leaderboard')).json().teams.find((x: { id: string }) => x.id === 'bravo').currentFault).toBeNull();

    // Only organizers may reveal.
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/reveal' })).statusCode).toBe(401);
    const r = await t.app.inject({ method: 'POST', url: '/api/admin/reveal', headers: ADMIN, payload: { by: 'Mika' } });
    expect(r.statusCode).toBe(200);
    expect(r.json()).toEqual({ revealed: true });
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/reveal', headers: ADMIN })).statusCode).toBe(200);
    const revealed = await t.services.store.read({ types: ['game.revealed'] });
    expect(revealed).toHaveLength(1);
    expect(revealed[0]!.data).toEqual({ by: { kind: 'organizer', name: 'Mika' } });

    const after = (await t.app.inject('/api/leaderboard')).json();
    expect(after.game.revealed).toBe(true);
    expect(after.teams.find((x: { id: string }) => x.id === 'alpha').currentFault.title).toEqual(f.title);
    expect((await t.app.inject('/api/teams/alpha/timeline')).json().items).toContainEqual(expect.objectContaining({ kind: 'fault', fault: f.id, title: f.title }));
    expect((await t.app.inject({ url: '/api/team', headers: { authorization: `Bearer ${TOKEN}` } })).json().fault.title).toEqual(f.title);
    // Spectators hear it live: a board update with the revealed game block.
    expect(board.frames.some((fr) => fr.includes('"revealed":true'))).toBe(true);
  });

  it('finishing the game reveals the titles too', async () => {
    const t = await setup();
    const f = t.services.scenario.faults[1]!; // database-unreachable: its title names the cause
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault: f.id, dueAt: 0 } });
    await append(t, { type: 'fault.injecting', team: 'alpha', source: 'game', data: { fault: f.id, attempt: 1, handle: { h: 1 } } });
    await append(t, { type: 'fault.injected', team: 'alpha', source: 'game', data: { fault: f.id, attempt: 1, deadlineAt: 1_000_000 } });
    expect((await t.app.inject('/api/teams/alpha/score')).body).not.toContain(f.title.en);
    await append(t, { type: 'game.finished', source: 'organizer', data: { by } });
    expect((await t.app.inject('/api/teams/alpha/score')).json().breakdown.faults[1].title).toEqual(f.title);
  });

  it('the scenario validates a symptom (both languages) and defaults to a generic one', () => {
    const text = readFileSync(fromRoot('challenges/chat-service/scenario.yaml'), 'utf8');
    const bad = parseScenario(text.replace('      ja: "メッセージが表示されない"\n', ''), 'scenario.yaml');
    expect(bad.ok).toBe(false);
    if (!bad.ok) expect(bad.problems.join('\n')).toMatch(/faults\[1\]\.symptom.*ja/);
    const none = parseScenario(text.replace(/ {4}# What teams and spectators read[^\n]*\n {4}symptom:\n {6}en: [^\n]*\n {6}ja: [^\n]*\n/g, ''), 'scenario.yaml');
    expect(none.ok).toBe(true);
    if (none.ok) expect(none.scenario.faults.map((x) => x.symptom.en)).toEqual(['Something is wrong with the service', 'Something is wrong with the service', 'Something is wrong with the service']);
  });
});

describe('the ending: results and downloads', () => {
  it('GET /api/results is 409 until the game finished, then the podium, the table, fault summaries and revealed causes; organizers any time', async () => {
    const t = await setup();
    const f = t.services.scenario.faults[0]!;
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    await append(t, { type: 'score.adjusted', team: 'bravo', source: 'organizer', data: { points: 50, reason: 'Clear handover', by } });
    const early = await t.app.inject('/api/results');
    expect(early.statusCode).toBe(409);
    expect(early.json().error).toEqual({ code: 'conflict', message: 'the results are published when the game is finished' });
    expect((await t.app.inject('/api/admin/results')).statusCode).toBe(401);
    const org = await t.app.inject({ url: '/api/admin/results', headers: ADMIN });
    expect(org.statusCode).toBe(200);
    expect(org.json().finished).toBe(false);

    await append(t, { type: 'game.finished', source: 'organizer', data: { by } });
    const r = await t.app.inject('/api/results');
    expect(r.statusCode).toBe(200);
    const body = r.json();
    expect(body.finished).toBe(true);
    expect(body.podium.map((p: { team: string }) => p.team)).toEqual(['bravo', 'alpha']);
    expect(body.podium[0]).toMatchObject({ rank: 1, name: 'BRAVO', total: 50_000 });
    const bravo = body.teams.find((x: { team: string }) => x.team === 'bravo');
    expect(bravo.adjustments).toEqual([expect.objectContaining({ points: 50, reason: 'Clear handover' })]);
    expect(bravo.faults[0]).toMatchObject({ fault: f.id, title: f.title, symptom: f.symptom, cause: f.briefing.organizer, injectedAt: null, detectMs: null });
    expect(Object.keys(bravo.categories)).toEqual(expect.arrayContaining(['recovery', 'detection', 'communication', 'review', 'availability']));
  });

  it('organizer downloads are attachments: results.json, results.csv, events.jsonl, a retrospective per team and language', async () => {
    const t = await setup();
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    await append(t, { type: 'game.finished', source: 'organizer', data: { by } });
    for (const [url, type, name] of [
      ['/api/admin/export/results.json', 'application/json', 'results.json'],
      ['/api/admin/export/results.csv', 'text/csv', 'results.csv'],
      ['/api/admin/export/events.jsonl', 'application/x-ndjson', 'events.jsonl'],
      ['/api/admin/export/retro/alpha.md', 'text/markdown', 'alpha.md'],
      ['/api/admin/export/retro/alpha.md?lang=ja', 'text/markdown', 'alpha.ja.md'],
    ] as const) {
      expect((await t.app.inject(url)).statusCode, url).toBe(401);
      const r = await t.app.inject({ url, headers: ADMIN });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toContain(type);
      expect(r.headers['content-disposition']).toBe(`attachment; filename="${name}"`);
    }
    const jsonl = (await t.app.inject({ url: '/api/admin/export/events.jsonl', headers: ADMIN })).body.trim().split('\n');
    expect(jsonl.map((l) => JSON.parse(l).type)).toEqual((await t.services.store.read()).map((e) => e.type));
    expect((await t.app.inject({ url: '/api/admin/export/results.csv', headers: ADMIN })).body.split('\r\n')[0]).toMatch(/^rank,team,name,total,/);
    expect((await t.app.inject({ url: '/api/admin/export/retro/alpha.md?lang=ja', headers: ADMIN })).body).toContain('ふりかえり');
    expect((await t.app.inject({ url: '/api/admin/export/retro/nobody.md', headers: ADMIN })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/admin/export/retro/alpha.md?lang=fr', headers: ADMIN })).statusCode).toBe(400);
  });
});

describe('QR code of the spectator page', () => {
  it('GET /api/qr.svg renders publicUrl as an SVG QR code (the same code qrcode draws for that address), cached', async () => {
    const t = await setup({ publicUrl: 'https://drill.example.org/' });
    const r = await t.app.inject('/api/qr.svg');
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toContain('image/svg+xml');
    expect(r.headers['x-spectator-url']).toBe('https://drill.example.org/');
    expect(r.body).toBe(await QRCode.toString('https://drill.example.org/', { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    expect(r.body).not.toBe(await QRCode.toString('https://other.example.org/', { type: 'svg', errorCorrectionLevel: 'M', margin: 2 }));
    expect((await t.app.inject('/api/qr.svg')).body).toBe(r.body);
  });
});

describe('papercuts', () => {
  it('an incident cannot be opened after the game finished (409, a clear message)', async () => {
    const t = await setup();
    const me = { authorization: `Bearer ${TOKEN}` };
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    const open = () => t.app.inject({ method: 'POST', url: '/api/team/incidents', headers: me, payload: { title: 'page down', name: 'Aiko' } });
    expect((await open()).statusCode).toBe(201);
    await append(t, { type: 'game.finished', source: 'organizer', data: { by } });
    const r = await open();
    expect(r.statusCode).toBe(409);
    expect(r.json().error).toEqual({ code: 'conflict', message: 'the game is finished: incidents can no longer be opened' });
    expect(await t.services.store.read({ types: ['incident.triggered'] })).toHaveLength(1);
  });
});

describe('POST /api/admin/teams members', () => {
  it('accepts names or {name, role?} objects', async () => {
    const t = await setup();
    const r = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: ADMIN, payload: { id: 'red', name: 'Red', members: ['Aiko', { name: 'Ken', role: 'Incident Commander' }] } });
    expect(r.statusCode).toBe(201);
    expect(t.services.teams.get('red')!.members).toEqual([{ name: 'Aiko' }, { name: 'Ken', role: 'Incident Commander' }]);
    const p = await t.app.inject({ method: 'PATCH', url: '/api/admin/teams/red', headers: ADMIN, payload: { members: ['Mika'] } });
    expect(p.statusCode).toBe(200);
    expect(p.json().team.members).toEqual([{ name: 'Mika' }]);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: ADMIN, payload: { name: 'X', members: [''] } })).statusCode).toBe(400);
  });
});
