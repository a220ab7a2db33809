import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { testApp } from '../helpers.js';
import { routeTable } from './routes.js';

/**
 * Hostile input on every JSON route of the route table, then a fast-check fuzz of the same
 * routes: never a 5xx, a refusal always in the error shape, and a refused request writes nothing
 * (the event log's last seq does not move).
 */
const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
const fault = scenario.faults[0]!;

let t: Awaited<ReturnType<typeof testApp>>;
let team = '';
let incident = '';

/** Routes that take input, with the caller each needs. Rotating a token would lock the suite out. */
function writableRoutes() {
  return routeTable(t.app)
    .filter((r) => r.path.startsWith('/api/') && !r.path.endsWith('/token'))
    .flatMap((r) => r.methods.filter((m) => m === 'POST' || m === 'PUT' || m === 'PATCH').map((method) => ({ path: r.path, method })))
    .map((r) => ({
      ...r,
      url: r.path
        .replace('/api/admin/teams/:id', '/api/admin/teams/red')
        .replace('/api/teams/:id', '/api/teams/red')
        .replace('/api/team/incidents/:id', `/api/team/incidents/${incident}`)
        .replace(':fault', fault.id)
        .replace(':hint', fault.hints[0]?.id ?? 'h1'),
      headers: r.path.startsWith('/api/admin/') ? t.admin : r.path.startsWith('/api/team') && !r.path.startsWith('/api/teams') ? { authorization: `Bearer ${team}` } : {},
    }))
    // The organizers' routes last: the kill switch and finish may legitimately accept a body.
    .sort((a, b) => Number(a.path.startsWith('/api/admin/')) - Number(b.path.startsWith('/api/admin/')));
}

const deep = (n: number): unknown => (n === 0 ? 'x' : { a: deep(n - 1) });
const XSS = '<script>alert(1)</script><img src=x onerror=alert(2)>';
const BIDI = 'abc\u202Eevil\u2066\u0000\u0007\u001b[31m';

/** Raw bodies: each is sent as-is with content-type application/json. */
const hostileBodies: Array<{ name: string; body: string | Buffer }> = [
  { name: 'XSS in every string field', body: JSON.stringify({ text: XSS, title: XSS, name: XSS, reason: XSS, channel: XSS, manifest: XSS, message: XSS, by: XSS, members: [XSS] }) },
  { name: 'control and bidi characters', body: JSON.stringify({ text: BIDI, title: BIDI, name: BIDI, reason: BIDI }) },
  { name: '1 MB string', body: JSON.stringify({ text: 'a'.repeat(1024 * 1024), title: 'x', name: 'x' }) },
  { name: 'invalid UTF-8', body: Buffer.concat([Buffer.from('{"text":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('","name":"x"}')]) },
  { name: 'deep JSON', body: JSON.stringify(deep(2000)) },
  { name: 'huge numbers', body: '{"points":1e400,"minutes":-1e400,"speed":1e309,"score":9007199254740993999,"replyTo":1e400}' },
  { name: 'wrong types', body: JSON.stringify({ text: true, title: 5, name: [], points: '5', speed: '2', minutes: {}, channel: null }) },
  { name: 'truncated JSON', body: '{"text": "abc' },
  { name: 'not an object', body: '[1,2,3]' },
  { name: 'prototype pollution', body: '{"__proto__":{"admin":true},"constructor":{"prototype":{"x":1}},"text":"x"}' },
];

async function send(route: ReturnType<typeof writableRoutes>[number], body: string | Buffer) {
  const before = t.services.store.lastSeq();
  const res = await t.app.inject({ method: route.method as 'POST', url: route.url, headers: { ...route.headers, 'content-type': 'application/json' }, payload: body });
  const after = t.services.store.lastSeq();
  return { res, wrote: after !== before };
}

beforeAll(async () => {
  t = await testApp();
  await t.app.ready();
  const r = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'red', name: 'Red' } });
  team = r.json().token;
  const inc = await t.app.inject({ method: 'POST', url: '/api/team/incidents', headers: { authorization: `Bearer ${team}` }, payload: { title: 'Chat down', name: 'Red IC' } });
  incident = inc.json().incident.id;
});
afterAll(async () => {
  await t.close();
});

describe('hostile input on every JSON route', () => {
  it('gets a clear 4xx or is stored as text; a refusal writes nothing', async () => {
    const routes = writableRoutes();
    expect(routes.length).toBeGreaterThan(25);
    let cells = 0;
    for (const route of routes) {
      for (const h of hostileBodies) {
        const { res, wrote } = await send(route, h.body);
        const where = `${h.name}: ${route.method} ${route.path} → ${res.statusCode} ${res.body.slice(0, 200)}`;
        expect(res.statusCode, where).toBeLessThan(500);
        if (res.statusCode >= 400) {
          expect(res.json().error?.message, where).toBeTruthy();
          expect(wrote, `refused but wrote: ${where}`).toBe(false);
        }
        cells++;
      }
    }
    expect(cells).toBe(routes.length * hostileBodies.length);
  });

  it('stores hostile text byte for byte, as text', async () => {
    const text = `${XSS} ${BIDI}`;
    const res = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: { authorization: `Bearer ${team}` }, payload: { channel: 'incident', text, clientId: 'hostile-1' } });
    expect(res.statusCode).toBe(201);
    const ch = await t.app.inject({ method: 'GET', url: '/api/team/channels', headers: { authorization: `Bearer ${team}` } });
    expect(ch.json().messages.map((m: { text: string }) => m.text)).toContain(text);
  });
});

describe('fuzz (fast-check) of the JSON routes', () => {
  it('never answers 5xx and never half-writes', async () => {
    const routes = writableRoutes();
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...routes), fc.oneof(fc.jsonValue(), fc.dictionary(fc.constantFrom('text', 'title', 'name', 'channel', 'reason', 'points', 'minutes', 'speed', 'severity', 'replyTo', 'clientId', 'fault', 'criterion', 'score', 'category', 'manifest', 'message', 'members', 'id', 'team', 'by', 'nextUpdateInMinutes'), fc.jsonValue())), async (route, value) => {
        const { res, wrote } = await send(route, JSON.stringify(value) ?? 'null');
        if (res.statusCode >= 500) throw new Error(`${route.method} ${route.path} ${JSON.stringify(value).slice(0, 300)} → ${res.statusCode} ${res.body}`);
        if (res.statusCode >= 400 && wrote) throw new Error(`${route.method} ${route.path} refused (${res.statusCode}) but wrote an event`);
      }),
      { numRuns: 1500, seed: Number(process.env.FUZZ_SEED ?? 20261201) },
    );
  });
});
