import { existsSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { isPagePath } from '../../src/http/static.js';
import { testApp } from '../helpers.js';

// Unknown page URLs get a page; API misses stay JSON; every HTML page links the favicon.
const built = existsSync(fromRoot('web/dist/index.html'));

describe('page URLs', () => {
  it('knows its pages', () => {
    for (const p of ['/', '/team', '/team/ops', '/admin', '/admin/judging']) expect(isPagePath(p), p).toBe(true);
    for (const p of ['/nope', '/teamwork', '/index', '/scoreboard/x']) expect(isPagePath(p), p).toBe(false);
  });
  it('every HTML source links the favicon', () => {
    for (const f of ['index', 'team', 'admin']) expect(readFileSync(fromRoot(`web/${f}.html`), 'utf8'), f).toMatch(/<link rel="icon" href="\/favicon\.svg"/);
  });
});

describe.runIf(built)('unknown page URLs', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  beforeAll(async () => {
    t = await testApp();
  });
  afterAll(() => t.close());

  it('a browser gets a 404 page in both languages, with the favicon; API misses stay JSON in the error shape', async () => {
    const r = await t.app.inject({ url: '/no-such-page', headers: { accept: 'text/html,application/xhtml+xml' } });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/^text\/html/);
    expect(r.body).toContain('Page not found');
    expect(r.body).toContain('ページが見つかりません');
    expect(r.body).toContain('href="/favicon.svg"');
    expect(r.headers['content-security-policy']).toContain("script-src 'self'");
    for (const url of ['/api/nope', '/ws/nope', '/t/nobody/x', '/no-such-page']) {
      const a = await t.app.inject({ url, headers: url.startsWith('/no-') ? {} : { accept: 'text/html' } });
      expect(a.statusCode, url).toBe(404);
      expect(a.json(), url).toMatchObject({ error: { code: 'not_found', message: expect.any(String) } });
    }
    // Real pages and their deep links still load, and the built pages link the favicon, which is served.
    for (const url of ['/', '/team/ops', '/admin']) {
      const p = await t.app.inject({ url, headers: { accept: 'text/html' } });
      expect(p.statusCode, url).toBe(200);
      expect(p.body, url).toMatch(/rel="icon" href="\/favicon\.svg"/);
    }
    expect((await t.app.inject({ url: '/favicon.svg' })).statusCode).toBe(200);
  });
});
