import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { hashToken } from '../../src/tokens.js';
import { testApp, testRuntime } from '../helpers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of closers.splice(0)) await c();
});

/** The CSP as a map directive → sources, so the order helmet writes them in does not matter. */
const directives = (csp: string | undefined) =>
  Object.fromEntries(
    (csp ?? '')
      .split(';')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => {
        const [name, ...sources] = d.split(/\s+/);
        return [name, sources];
      }),
  );

describe('security headers on our pages (@fastify/helmet)', () => {
  it('keeps the CSP exactly as strict as before, and the other headers', async () => {
    const t = await testApp();
    closers.push(() => t.close());
    for (const path of ['/', '/team', '/admin', '/team/ops']) {
      const r = await t.app.inject({ url: path, headers: { accept: 'text/html' } });
      expect(r.statusCode, path).toBe(200);
      expect(directives(r.headers['content-security-policy'] as string)).toEqual({
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'", "'unsafe-inline'"],
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'", 'ws:', 'wss:'],
        'frame-src': ["'self'"],
        'object-src': ["'none'"],
        'base-uri': ["'none'"],
        'frame-ancestors': ["'self'"],
      });
      expect(r.headers['x-content-type-options']).toBe('nosniff');
      expect(r.headers['referrer-policy']).toBe('same-origin');
      expect(r.headers['x-frame-options']).toBe('SAMEORIGIN');
      expect(r.headers['cache-control']).toBe('no-cache');
      // Served over plain HTTP on a LAN as often as not: no HSTS pin.
      expect(r.headers['strict-transport-security']).toBeUndefined();
    }
  });
});

describe('spectator reports: @fastify/rate-limit', () => {
  it('limits per address, answers 429 in the error shape, and does not log refused-for-rate requests at info', async () => {
    const rt = await testRuntime();
    closers.push(() => rt.close());
    await rt.services.store.append({
      type: 'team.created',
      source: 'organizer',
      team: 't1',
      data: { id: 't1', name: 'T1', members: [], tokenHash: hashToken('t1-token-0123456789abcdef'), portBase: null, seed: 1, by: { kind: 'organizer', name: 'o' } },
    });
    const lines: Array<{ level: number; status?: number; msg: string }> = [];
    const stream = new Writable({
      write(chunk, _enc, done) {
        for (const l of String(chunk).split('\n')) if (l.trim()) lines.push(JSON.parse(l));
        done();
      },
    });
    const app = await buildApp(rt.services, { logger: { level: 'debug', stream } });
    closers.push(() => app.close());
    const report = () => app.inject({ method: 'POST', url: '/api/teams/t1/reports', remoteAddress: '10.0.0.9', payload: { text: 'down' } });
    for (let i = 0; i < 10; i++) expect((await report()).statusCode).toBe(201);
    const limited = await report();
    expect(limited.statusCode).toBe(429);
    expect(limited.json()).toEqual({ error: { code: 'rate_limited', message: 'too many reports from your address: try again in a minute' } });
    expect(Number(limited.headers['retry-after'])).toBe(60);
    const bad = await app.inject({ method: 'POST', url: '/api/teams/nobody/reports', remoteAddress: '10.0.0.8', payload: { text: 'x' } });
    expect(bad.statusCode).toBe(404);

    const at = (status: number) => lines.filter((l) => l.status === status);
    expect(at(429)).toHaveLength(1);
    expect(at(429)[0]!.level).toBeLessThan(30); // debug, not info
    expect(at(404)[0]!.level).toBe(30); // other refusals still at info
    rt.clock.advance(60_000);
    expect((await report()).statusCode).toBe(201);
  });
});
