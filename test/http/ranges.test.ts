import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testApp } from '../helpers.js';

// Ajv coerces "1e400" to Infinity and skips minimum/maximum for non-finite numbers: these used to
// answer 500 ("datatype mismatch" from SQLite) or bypass a cap (2,000 log lines, 5,000 timeline items).
const HUGE = ['1e400', '-1e400', '1e309', 'Infinity', '-Infinity'];

describe('numbers out of range answer 400 naming the parameter', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  let team: { authorization: string };

  beforeAll(async () => {
    t = await testApp();
    const res = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'alpha', name: 'Alpha', members: [{ name: 'Aiko' }] } });
    expect(res.statusCode).toBe(201);
    team = { authorization: `Bearer ${res.json<{ token: string }>().token}` };
  });
  afterAll(async () => {
    await t?.close();
  });

  const queries: Array<{ url: string; param: string; who: 'admin' | 'team' | 'anyone' }> = [
    { url: '/api/admin/events', param: 'limit', who: 'admin' },
    { url: '/api/admin/events', param: 'after', who: 'admin' },
    { url: '/api/admin/warnings', param: 'after', who: 'admin' },
    { url: '/api/team/ops/logs/backend', param: 'lines', who: 'team' },
    { url: '/api/team/channels', param: 'limit', who: 'team' },
    { url: '/api/team/channels', param: 'after', who: 'team' },
    { url: '/api/teams/alpha/timeline', param: 'limit', who: 'anyone' },
    { url: '/api/teams/alpha/timeline', param: 'after', who: 'anyone' },
    { url: '/api/teams/alpha/status', param: 'limit', who: 'anyone' },
  ];
  const headers = (who: 'admin' | 'team' | 'anyone') => (who === 'admin' ? t.admin : who === 'team' ? team : {});

  for (const q of queries) {
    it(`${q.url}?${q.param}=`, async () => {
      // The route works with a sane value (so a 400 below is about the number, not the route).
      const ok = await t.app.inject({ url: `${q.url}?${q.param}=1`, headers: headers(q.who) });
      expect(ok.statusCode, ok.body).toBe(200);
      for (const v of HUGE) {
        const res = await t.app.inject({ url: `${q.url}?${q.param}=${v}`, headers: headers(q.who) });
        expect(res.statusCode, `${q.param}=${v}: ${res.body}`).toBe(400);
        expect(res.json()).toEqual({ error: { code: 'bad_request', message: expect.stringContaining(`querystring.${q.param}`) } });
      }
    });
  }

  it('the ws leaderboard refuses since=1e400', async () => {
    const res = await t.app.inject({ url: '/ws/leaderboard?since=1e400', headers: { connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' } });
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('querystring.since');
  });

  const bodies: Array<{ url: string; field: string; payload: Record<string, unknown>; who: 'admin' | 'team' }> = [
    { url: '/api/admin/game/speed', field: 'speed', payload: {}, who: 'admin' },
    { url: '/api/admin/teams/alpha/faults/route/extend', field: 'minutes', payload: {}, who: 'admin' },
    { url: '/api/admin/adjustments', field: 'points', payload: { team: 'alpha', reason: 'for the test' }, who: 'admin' },
    { url: '/api/admin/judgements', field: 'score', payload: { team: 'alpha', fault: 'route', category: 'communication', criterion: 'accuracy', judge: 'J' }, who: 'admin' },
    { url: '/api/team/messages', field: 'replyTo', payload: { channel: 'incident', text: 'hello', clientId: 'c-0001' }, who: 'team' },
    { url: '/api/team/status', field: 'nextUpdateInMinutes', payload: { text: 'looking into it' }, who: 'team' },
  ];
  for (const b of bodies) {
    it(`POST ${b.url} {${b.field}: "1e400"}`, async () => {
      for (const v of ['1e400', '-1e400', 'Infinity']) {
        const res = await t.app.inject({ method: 'POST', url: b.url, headers: headers(b.who), payload: { ...b.payload, [b.field]: v } });
        expect(res.statusCode, `${b.field}=${v}: ${res.body}`).toBe(400);
        expect(res.json<{ error: { message: string } }>().error.message).toContain(`body.${b.field}`);
      }
      // A JSON number that overflows parses to Infinity too.
      const raw = JSON.stringify({ ...b.payload, [b.field]: 0 }).replace(`"${b.field}":0`, `"${b.field}":1e400`);
      const res = await t.app.inject({ method: 'POST', url: b.url, headers: { ...headers(b.who), 'content-type': 'application/json' }, payload: raw });
      expect(res.statusCode, res.body).toBe(400);
    });
  }
});
