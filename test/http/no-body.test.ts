import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers.js';
import { routeTable } from '../reliability/routes.js';
import { BODY_CHECKED_BY_HANDLER } from '../../src/http/validation.js';

type Doc = { paths: Record<string, Record<string, { requestBody?: unknown }>> };

// A route that declares no body took any body and acted: `POST /api/admin/board/freeze {"bogus":1}` froze the board.
describe('a write route without a body schema refuses a body with fields, and writes nothing', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  let team: { authorization: string };
  let bodyless: string[];

  beforeAll(async () => {
    t = await testApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'alpha', name: 'Alpha' } });
    expect(res.statusCode, res.body).toBe(201);
    team = { authorization: `Bearer ${res.json<{ token: string }>().token}` };
    const doc = (await t.app.inject({ url: '/api/openapi.json' })).json<Doc>();
    bodyless = routeTable(t.app)
      .filter((r) => r.path.startsWith('/api/'))
      .flatMap((r) => r.methods.filter((m) => ['POST', 'PUT', 'PATCH'].includes(m)).map((m) => `${m} ${r.path}`))
      .filter((r) => {
        const [m, p] = r.split(' ') as [string, string];
        return doc.paths[p.replace(/:(\w+)/g, '{$1}')]?.[m.toLowerCase()]?.requestBody === undefined;
      });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('the route table has such routes (the board freeze among them)', () => {
    expect(bodyless).toContain('POST /api/admin/board/freeze');
    expect(bodyless).toContain('POST /api/admin/board/unfreeze');
    // The exceptions exist and still have no body schema (give one a schema: delete its line).
    for (const r of BODY_CHECKED_BY_HANDLER) expect(bodyless, r).toContain(r);
  });

  it('every one answers {"bogus":1} with a 400 naming the field, and appends no event', async () => {
    const fault = t.services.scenario.faults[0]!.id;
    for (const r of bodyless) {
      const [method, path] = r.split(' ') as ['POST' | 'PUT' | 'PATCH', string];
      const url = path.replace(':id', 'alpha').replace(':fault', fault).replace(/:\w+/g, 'x');
      const headers = path.startsWith('/api/team/') ? team : t.admin;
      const before = t.services.store.lastSeq();
      const res = await t.app.inject({ method, url, headers, payload: { bogus: 1 } });
      expect(res.statusCode, `${r}: ${res.body}`).toBe(400);
      // The guard names the field; a handler that checks its own body names the body.
      const named = BODY_CHECKED_BY_HANDLER.has(r) ? 'body' : 'body.bogus';
      expect(res.json(), r).toEqual({ error: { code: 'bad_request', message: expect.stringContaining(named) } });
      expect(t.services.store.lastSeq(), r).toBe(before);
      const list = await t.app.inject({ method, url, headers, payload: [1] });
      expect(list.statusCode, `${r} [1]: ${list.body}`).toBe(400);
    }
  });

  it('an empty body or {} is still fine (the console posts {})', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/board/freeze', headers: t.admin, payload: {} })).statusCode).toBe(200);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/board/unfreeze', headers: t.admin })).statusCode).toBe(200);
  });
});
