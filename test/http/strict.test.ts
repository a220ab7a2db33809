import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers.js';

// Fastify's default Ajv removed unknown fields and coerced types: a misspelt promise vanished with a
// 201, `true` was stored as "true", "5" counted as 5, and a pause with a stray field paused.
describe('request bodies are taken as sent: unknown fields and wrong types are a 400 naming the field', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  let team: { authorization: string };

  beforeAll(async () => {
    t = await testApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'alpha', name: 'Alpha', members: [{ name: 'Aiko' }] } });
    expect(res.statusCode).toBe(201);
    team = { authorization: `Bearer ${res.json<{ token: string }>().token}` };
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/game/start', headers: t.admin })).statusCode).toBe(200);
  });
  afterAll(async () => {
    await t?.close();
  });

  const cases: Array<{ name: string; url: string; who: 'admin' | 'team'; payload: object; field: string }> = [
    { name: 'a misspelt promise', url: '/api/team/status', who: 'team', payload: { text: 'x', nextUpdateInMinute: 5 }, field: 'body.nextUpdateInMinute' },
    { name: 'a boolean for text', url: '/api/team/status', who: 'team', payload: { text: true }, field: 'body.text' },
    { name: 'a string for points', url: '/api/admin/adjustments', who: 'admin', payload: { team: 'alpha', points: '5', reason: 'for the test' }, field: 'body.points' },
    { name: 'a stray field on a pause', url: '/api/admin/game/pause', who: 'admin', payload: { bogus: 1 }, field: 'body.bogus' },
  ];
  for (const c of cases) {
    it(`${c.name}: POST ${c.url} ${JSON.stringify(c.payload)}`, async () => {
      const before = t.services.store.lastSeq();
      const res = await t.app.inject({ method: 'POST', url: c.url, headers: c.who === 'admin' ? t.admin : team, payload: c.payload });
      expect(res.statusCode, res.body).toBe(400);
      expect(res.json()).toEqual({ error: { code: 'bad_request', message: expect.stringContaining(c.field) } });
      expect(t.services.store.lastSeq()).toBe(before);
    });
  }

  it('the same routes still accept a well-formed body (the 400s above are about the field)', async () => {
    const status = await t.app.inject({ method: 'POST', url: '/api/team/status', headers: team, payload: { text: 'x', nextUpdateInMinutes: 5 } });
    expect(status.statusCode, status.body).toBe(201);
    const adj = await t.app.inject({ method: 'POST', url: '/api/admin/adjustments', headers: t.admin, payload: { team: 'alpha', points: 5, reason: 'for the test' } });
    expect(adj.statusCode, adj.body).toBe(201);
    const pause = await t.app.inject({ method: 'POST', url: '/api/admin/game/pause', headers: t.admin, payload: { by: 'Aiko' } });
    expect(pause.statusCode, pause.body).toBe(200);
  });

  it('querystrings still arrive as strings and are coerced ("1" → 1)', async () => {
    const res = await t.app.inject({ url: '/api/admin/events?limit=1&after=0', headers: t.admin });
    expect(res.statusCode, res.body).toBe(200);
  });
});
