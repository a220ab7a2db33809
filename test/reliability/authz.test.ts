import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { ADMIN_TOKEN, testApp } from '../helpers.js';
import { routeTable } from './routes.js';

/**
 * The authorization matrix, generated from the server's own route table: every route × every kind
 * of caller. A route added later is covered by the rule of its prefix (docs/architecture.md, Routes)
 * without touching this file: `/api/admin/*` is the organizers', `/api/team/*` is the team named
 * by the token, the rest of `/api/*` is public.
 */
const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
const fault = scenario.faults[0]!;

type Caller = { name: string; headers: Record<string, string> };

let t: Awaited<ReturnType<typeof testApp>>;
let red = '';
let blue = '';
let blueOld = '';
let blueIncident = '';
const MARK = 'blue-secret-7f3a';

const fill = (path: string) =>
  path
    .replace('/api/admin/teams/:id', '/api/admin/teams/red')
    .replace('/api/teams/:id', '/api/teams/red')
    .replace('/api/team/incidents/:id', `/api/team/incidents/${blueIncident}`)
    .replace(':fault', fault.id)
    .replace(':hint', fault.hints[0]?.id ?? 'h1')
    .replace(':component', 'backend')
    .replace(':team', 'red')
    .replace('*', '');

async function call(method: string, url: string, headers: Record<string, string>) {
  const withBody = method !== 'GET' && method !== 'DELETE' && method !== 'OPTIONS';
  return t.app.inject({ method: method as 'GET', url, headers: { ...headers, ...(withBody ? { 'content-type': 'application/json' } : {}) }, ...(withBody ? { payload: '{}' } : {}) });
}

beforeAll(async () => {
  t = await testApp();
  await t.app.ready();
  const mk = async (id: string) => {
    const r = await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id, name: id } });
    expect(r.statusCode).toBe(201);
    return r.json().token as string;
  };
  red = await mk('red');
  blueOld = await mk('blue');
  const rot = await t.app.inject({ method: 'POST', url: '/api/admin/teams/blue/token', headers: t.admin, payload: {} });
  expect(rot.statusCode).toBe(200);
  blue = rot.json().token;
  // Blue writes where a leak would show: its channel, its status update, an incident on its board.
  const b = { authorization: `Bearer ${blue}` };
  expect((await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: b, payload: { channel: 'incident', text: `${MARK} message`, clientId: 'leak-1' } })).statusCode).toBe(201);
  const inc = await t.app.inject({ method: 'POST', url: '/api/team/incidents', headers: b, payload: { title: `${MARK} incident`, name: 'Blue IC' } });
  expect(inc.statusCode).toBe(201);
  blueIncident = inc.json().incident?.id ?? inc.json().id;
  expect(blueIncident).toBeTruthy();
});
afterAll(async () => {
  await t.close();
});

describe('authorization matrix (from the route table)', () => {
  it('covers every API route, WebSocket and webhook of the server', () => {
    const routes = routeTable(t.app).map((r) => r.path);
    expect(routes.filter((p) => p.startsWith('/api/admin/')).length).toBeGreaterThan(15);
    expect(routes.filter((p) => p.startsWith('/api/team/')).length).toBeGreaterThan(10);
    expect(routes).toContain('/ws/team');
  });

  it('only organizers reach /api/admin: no credentials, team tokens, forged, rotated and wrong cookies are refused', async () => {
    const callers: Caller[] = [
      { name: 'none', headers: {} },
      { name: 'team red', headers: { authorization: `Bearer ${red}` } },
      { name: 'forged', headers: { authorization: `Bearer ${ADMIN_TOKEN.slice(0, -1)}x` } },
      { name: 'rotated team', headers: { authorization: `Bearer ${blueOld}` } },
      { name: 'team cookie', headers: { cookie: `fd_team=${red}` } },
      { name: 'organizer token in the team cookie', headers: { cookie: `fd_team=${ADMIN_TOKEN}` } },
    ];
    let cells = 0;
    for (const r of routeTable(t.app).filter((x) => x.path.startsWith('/api/admin/'))) {
      for (const method of r.methods) {
        for (const c of callers) {
          const res = await call(method, fill(r.path), c.headers);
          expect([401, 403], `${c.name} ${method} ${r.path} → ${res.statusCode}`).toContain(res.statusCode);
          expect(res.json().error.code, `${method} ${r.path}`).toBeTruthy();
          cells++;
        }
        if (method === 'GET') {
          const ok = await call(method, fill(r.path), t.admin);
          expect([401, 403], `organizer GET ${r.path}`).not.toContain(ok.statusCode);
        }
      }
    }
    expect(cells).toBeGreaterThan(100);
  });

  it('/api/team/* needs a current team token: none, forged, rotated, the organizer and the wrong cookie kind are refused', async () => {
    const callers: Caller[] = [
      { name: 'none', headers: {} },
      { name: 'forged', headers: { authorization: `Bearer ${red}x` } },
      { name: 'rotated', headers: { authorization: `Bearer ${blueOld}` } },
      { name: 'organizer', headers: t.admin },
      { name: 'team token in the organizer cookie', headers: { cookie: `fd_admin=${red}` } },
    ];
    for (const r of routeTable(t.app).filter((x) => x.path === '/api/team' || x.path.startsWith('/api/team/'))) {
      for (const method of r.methods) {
        for (const c of callers) {
          const res = await call(method, fill(r.path), c.headers);
          expect(res.statusCode, `${c.name} ${method} ${r.path}`).toBe(401);
        }
      }
    }
  });

  it('team red never reads or changes team blue', async () => {
    const a = { authorization: `Bearer ${red}` };
    for (const r of routeTable(t.app).filter((x) => (x.path === '/api/team' || x.path.startsWith('/api/team/')) && x.methods.includes('GET'))) {
      const res = await call('GET', fill(r.path), a);
      expect(res.body, `GET ${r.path} as red`).not.toContain(MARK);
    }
    // Blue's incident, addressed by id with red's token: not found, and unchanged.
    for (const action of ['acknowledge', 'resolve', 'notes', 'severity', 'status-updates']) {
      const res = await call('POST', `/api/team/incidents/${blueIncident}/${action}`, a);
      expect([400, 404], `${action} on blue's incident as red → ${res.statusCode}`).toContain(res.statusCode);
    }
    const mine = await t.app.inject({ method: 'GET', url: '/api/team/incidents', headers: { authorization: `Bearer ${blue}` } });
    expect(mine.body).toContain(MARK);
    expect(mine.body).not.toMatch(/"state":"(acknowledged|resolved)"/);
  });

  it('nothing public carries organizer-only fields', async () => {
    const organizerOnly = [
      ...scenario.faults.flatMap((f) => [f.briefing.organizer.en, f.briefing.organizer.ja].filter(Boolean) as string[]).map((s) => s.slice(0, 40)),
      'tokenHash',
      ADMIN_TOKEN,
      red,
      blue,
    ];
    const publicGets = routeTable(t.app).filter((x) => x.path.startsWith('/api/') && !x.path.startsWith('/api/admin') && !x.path.startsWith('/api/team/') && x.path !== '/api/team' && x.methods.includes('GET'));
    expect(publicGets.length).toBeGreaterThan(4);
    for (const r of publicGets) {
      const res = await call('GET', fill(r.path), {});
      expect(res.statusCode, r.path).toBeLessThan(500);
      for (const s of organizerOnly) expect(res.body, `${r.path} leaks ${s.slice(0, 12)}…`).not.toContain(s);
    }
  });

  it('/ws/team refuses a cross-site Origin even with a valid team cookie', async () => {
    const res = await t.app.inject({
      method: 'GET',
      url: '/ws/team',
      headers: { cookie: `fd_team=${red}`, origin: 'https://evil.example', host: 'localhost', connection: 'upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    expect(res.statusCode).toBe(403);
  });
});
