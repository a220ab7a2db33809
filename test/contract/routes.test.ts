import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers.js';
import { routeTable } from '../reliability/routes.js';

type Doc = { openapi: string; paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema?: unknown }> }> }>> };


describe('the contract: every /api, /hooks and /healthz route declares its answers, and OpenAPI lists them', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  let doc: Doc;
  let routes: string[];
  beforeAll(async () => {
    t = await testApp();
    await t.app.ready();
    const res = await t.app.inject({ url: '/api/openapi.json' });
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = JSON.parse(res.body) as Doc;
    routes = routeTable(t.app)
      .filter((r) => /^\/(api|hooks|healthz)(\/|$)/.test(r.path))
      .flatMap((r) => r.methods.map((m) => `${m} ${r.path}`));
  });
  afterAll(async () => {
    await t?.close();
  });

  const op = (route: string) => {
    const [method, path] = route.split(' ') as [string, string];
    return doc.paths[path.replace(/:(\w+)/g, '{$1}')]?.[method.toLowerCase()];
  };
  const typed = (route: string) => Object.entries(op(route)?.responses ?? {}).some(([code, r]) => /^2/.test(code) && r.content !== undefined);

  it('GET /api/openapi.json is an OpenAPI 3 document listing every API route with the error shape', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(routes.length).toBeGreaterThan(50);
    for (const r of routes) {
      expect(op(r), `${r} is missing from the OpenAPI document`).toBeDefined();
      if (r !== 'GET /api/openapi.json') expect((op(r)!.responses['4XX'] ?? op(r)!.responses['4xx'])?.content, `${r}: 4xx`).toBeDefined();
    }
    expect(op('GET /api/game')!.responses['200']!.content!['application/json']!.schema).toMatchObject({ properties: { phase: {}, gameTime: {} } });
  });

  it('every route has a response schema for its success', () => {
    const missing = routes.filter((r) => !typed(r));
    expect(missing, 'routes without a response schema (add one in src/contract/)').toEqual([]);
  });
});
