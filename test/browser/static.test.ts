import { existsSync, readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { isApiPath, pageFor } from '../../src/http/static.js';
import { testApp } from '../helpers.js';

// Serving the built front end: pages, cache headers, and a fallback that never eats API 404s.
// Needs web/dist (the global setup builds it; with FIREDRILL_SKIP_BUILD=1 build it yourself).
const built = existsSync(fromRoot('web/dist/index.html'));

describe('path classification', () => {
  it('keeps API, WebSocket, webhook and proxy paths out of the HTML fallback', () => {
    for (const p of ['/api/nope', '/api', '/ws/x', '/hooks/pagerduty', '/t/alpha/', '/healthz', '/join']) expect(isApiPath(p)).toBe(true);
    for (const p of ['/', '/team', '/team/ops', '/admin', '/teams/alpha', '/tx']) expect(isApiPath(p)).toBe(false);
  });
  it('maps deep links to their page', () => {
    expect(pageFor('/team/ops')).toBe('team.html');
    expect(pageFor('/admin/judging')).toBe('admin.html');
    expect(pageFor('/teams/alpha')).toBe('index.html');
    expect(pageFor('/teamwork')).toBe('index.html');
  });
});

describe.runIf(built)('static front end', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  it('serves the three pages as HTML that is never cached, with a CSP', async () => {
    for (const [path, entry] of [
      ['/', 'index'],
      ['/team', 'team'],
      ['/admin', 'admin'],
    ] as const) {
      const r = await t.app.inject({ url: path });
      expect(r.statusCode, path).toBe(200);
      expect(r.headers['content-type']).toMatch(/text\/html/);
      expect(r.headers['cache-control']).toBe('no-cache');
      expect(r.headers['content-security-policy']).toContain("script-src 'self'");
      expect(r.body).toMatch(new RegExp(`/assets/${entry}-[\\w-]+\\.js`));
    }
  });

  it('caches hashed assets for a year', async () => {
    const asset = readdirSync(fromRoot('web/dist/assets')).find((f) => f.endsWith('.js'));
    const r = await t.app.inject({ url: `/assets/${asset}` });
    expect(r.statusCode).toBe(200);
    expect(r.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  });

  it('answers a browser deep link with its page, and an API miss with JSON even for a browser', async () => {
    const deep = await t.app.inject({ url: '/team/ops', headers: { accept: 'text/html' } });
    expect(deep.statusCode).toBe(200);
    expect(deep.body).toMatch(/\/assets\/team-/);
    for (const url of ['/api/nope', '/ws/nope', '/hooks/nope', '/t/nobody/x']) {
      const r = await t.app.inject({ url, headers: { accept: 'text/html,*/*' } });
      expect(r.statusCode, url).toBe(404);
      expect(r.json(), url).toMatchObject({ error: { code: 'not_found' } });
    }
    const noHtml = await t.app.inject({ url: '/somewhere' });
    expect(noHtml.statusCode).toBe(404);
    expect(noHtml.json()).toMatchObject({ error: { code: 'not_found' } });
    const missingAsset = await t.app.inject({ url: '/assets/nope.js', headers: { accept: 'text/html' } });
    expect(missingAsset.statusCode).toBe(404);
  });

  it('does not swallow POST 404s', async () => {
    const r = await t.app.inject({ method: 'POST', url: '/api/nope', payload: {} });
    expect(r.statusCode).toBe(404);
    expect(r.json()).toMatchObject({ error: { code: 'not_found' } });
  });
});
