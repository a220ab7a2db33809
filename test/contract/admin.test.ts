import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers.js';

type Schema = { properties?: Record<string, Schema>; items?: Schema; anyOf?: Schema[]; oneOf?: Schema[]; additionalProperties?: Schema | boolean };
type Op = { responses: Record<string, { content?: Record<string, { schema?: Schema }> }> };
type Doc = { paths: Record<string, Record<string, Op>> };

/** Every property name anywhere in a schema. */
function names(s: Schema | undefined, out = new Set<string>()): Set<string> {
  if (!s || typeof s !== 'object') return out;
  for (const [k, v] of Object.entries(s.properties ?? {})) {
    out.add(k);
    names(v, out);
  }
  names(s.items, out);
  for (const x of [...(s.anyOf ?? []), ...(s.oneOf ?? [])]) names(x, out);
  if (typeof s.additionalProperties === 'object') names(s.additionalProperties, out);
  return out;
}

// The organizer routes answer through their response schemas: what they serialize must arrive whole,
// team tokens only where one is minted, and the downloads declare what they are.
describe('the organizer contract (/api/admin/*)', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  let doc: Doc;
  let token: string;
  beforeAll(async () => {
    t = await testApp();
    doc = (await t.app.inject({ url: '/api/openapi.json' })).json<Doc>();
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'alpha', name: 'Alpha', members: [{ name: 'Aiko', role: 'lead' }] } });
    expect(res.statusCode, res.body).toBe(201);
    token = res.json<{ token: string }>().token;
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/game/start', headers: t.admin })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/adjustments', headers: t.admin, payload: { team: 'alpha', points: 5, reason: 'for the test' } })).statusCode).toBe(201);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('a team token is a field of only the two answers that mint one', () => {
    const withToken: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(ops)) {
        for (const [code, r] of Object.entries(op.responses)) {
          for (const c of Object.values(r.content ?? {})) if (names(c.schema).has('token')) withToken.push(`${method.toUpperCase()} ${path} ${code}`);
        }
      }
    }
    expect(withToken.sort()).toEqual(['POST /api/admin/teams 201', 'POST /api/admin/teams/{id}/token 200']);
  });

  it('the answers carry what the server built, whole (compared with the unserialized values)', async () => {
    const get = async (url: string) => {
      const res = await t.app.inject({ url, headers: t.admin });
      expect(res.statusCode, `${url}: ${res.body}`).toBe(200);
      expect(res.body).not.toContain(token);
      return res.json();
    };
    const { game, teams, probes, store, leaderboard } = t.services;
    const state = await get('/api/admin/state');
    expect(state.teams[0]).toMatchObject({ id: 'alpha', members: [{ name: 'Aiko', role: 'lead' }] });
    expect(state.teams[0].faults[0]).toHaveProperty('recoveredWhen');
    expect(state.teams[0].faults[0]).toHaveProperty('title.en');
    expect(state.teams).toEqual(JSON.parse(JSON.stringify((await import('../../src/game/views.js')).organizerState(game!.state, game!.scenario, teams.list(), probes.snapshot()))));
    expect(await get('/api/admin/teams/alpha/score')).toEqual(JSON.parse(JSON.stringify(leaderboard.standingOf('alpha'))));
    const events = await get('/api/admin/events?limit=5000');
    expect(events.events).toEqual(JSON.parse(JSON.stringify(await store.read())));
    expect(events.lastSeq).toBe(store.lastSeq());
    const results = await get('/api/admin/results');
    expect(results.teams[0].adjustments).toEqual([expect.objectContaining({ points: 5, reason: 'for the test' })]);
    expect(results.teams[0].faults[0]).toHaveProperty('cause.en');
    const queue = await get('/api/admin/judging');
    expect(queue.rubric.communication.length).toBeGreaterThan(0);
    const board = await get('/api/admin/leaderboard');
    expect(board.teams[0]).toMatchObject({ id: 'alpha', rank: 1 });
    expect((await get('/api/admin/teams')).teams[0]).toEqual({ id: 'alpha', name: 'Alpha', members: [{ name: 'Aiko', role: 'lead' }], portBase: null, publicUrl: null, target: null });
  });

  it('the commands answer their schemas', async () => {
    const post = async (url: string, payload: object = {}) => {
      const res = await t.app.inject({ method: 'POST', url, headers: t.admin, payload });
      expect(res.statusCode, `${url}: ${res.body}`).toBeLessThan(300);
      return res.json();
    };
    expect(await post('/api/admin/game/pause')).toMatchObject({ phase: 'paused', gameTime: expect.any(Number), speed: 1 });
    expect(await post('/api/admin/game/speed', { speed: 2 })).toEqual({ speed: 2, gameTime: expect.any(Number) });
    expect(await post('/api/admin/game/resume')).toMatchObject({ phase: 'running' });
    expect(await post('/api/admin/board/freeze')).toEqual({ frozen: true });
    expect(await post('/api/admin/board/unfreeze')).toEqual({ frozen: false });
    expect(await post('/api/admin/reveal')).toEqual({ revealed: true });
    const rotated = await post('/api/admin/teams/alpha/token');
    expect(rotated).toEqual({ team: { id: 'alpha' }, token: expect.any(String), joinLink: expect.stringContaining(encodeURIComponent(rotated.token)) });
    expect(await post('/api/admin/revert-all', { reason: 'kill switch test' })).toEqual({ reverted: expect.any(Array) });
  });

  it('the downloads declare their content types in OpenAPI', () => {
    const types = (p: string) => Object.keys(doc.paths[p]!.get!.responses['200']!.content ?? {});
    expect(types('/api/admin/export/results.csv')).toEqual(['text/csv']);
    expect(types('/api/admin/export/events.jsonl')).toEqual(['application/x-ndjson']);
    expect(types('/api/admin/export/retro/{file}')).toEqual(['text/markdown']);
    expect(types('/api/admin/export/results.json')).toEqual(['application/json']);
  });

  it('the downloads arrive as sent (not re-serialized)', async () => {
    const csv = await t.app.inject({ url: '/api/admin/export/results.csv', headers: t.admin });
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toMatch(/^text\/csv/);
    expect(csv.body).toMatch(/^rank,team,name,total/);
    const json = await t.app.inject({ url: '/api/admin/export/results.json', headers: t.admin });
    expect(json.json()).toMatchObject({ teams: [{ team: 'alpha' }] });
    const jsonl = await t.app.inject({ url: '/api/admin/export/events.jsonl', headers: t.admin });
    expect(jsonl.body.trim().split('\n').length).toBe(t.services.store.lastSeq());
    const md = await t.app.inject({ url: '/api/admin/export/retro/alpha.md?lang=ja', headers: t.admin });
    expect(md.statusCode, md.body).toBe(200);
    expect(md.body.startsWith('"')).toBe(false);
  });
});
