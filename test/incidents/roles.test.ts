import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { T0 } from '../helpers.js';
import { boardApps, incidentsApp } from './setup.js';

type App = Awaited<ReturnType<typeof incidentsApp>>;
const apps = boardApps();
const boardApp = apps.app;

/** Team members are Ada and Linus (test/incidents/setup.ts). */
async function withIncident(a: App, teamId = 'red') {
  const team = await a.addTeam(teamId, `token-of-${teamId}-0123456789abcdef`);
  const id = (await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'Chat is down', name: 'Ada' } })).json().incident.id as string;
  return { team, id, url: `/api/team/incidents/${id}/roles` };
}

describe('POST /api/team/incidents/:id/roles (issue 15)', () => {
  it('names the roles from the members, as one incident.roles_set; the incident answers carry them', async () => {
    const a = await boardApp();
    const { team, id, url } = await withIncident(a);
    a.clock.advance(5_000);
    // The war room's body: the roles picked (names as the picker sends them) and who is at the keyboard.
    const r = await a.app.inject({ method: 'POST', url, headers: team, payload: { commander: 'Ada', communications: ' linus ', name: 'Linus' } });
    expect(r.statusCode, r.body).toBe(200);
    expect(r.json()).toEqual({ incident: id, roles: { commander: 'Ada', communications: 'Linus', ops: null, setBy: 'Linus', setAtWall: T0 + 5_000 } });

    const [e, ...more] = await a.events('incident.roles_set');
    expect(more).toEqual([]);
    expect(e).toMatchObject({ team: 'red', source: 'team', data: { incident: id, via: 'board', commander: 'Ada', communications: 'Linus', ops: null, by: { kind: 'team', name: 'Linus' }, occurredAtWall: T0 + 5_000 } });

    const list = (await a.app.inject({ url: '/api/team/incidents', headers: team })).json();
    expect(list.incidents[0].roles).toEqual({ commander: 'Ada', communications: 'Linus', ops: null, setBy: 'Linus', setAtWall: T0 + 5_000 });

    // A later naming replaces the whole set; without `name` the team is recorded.
    const r2 = await a.app.inject({ method: 'POST', url, headers: team, payload: { ops: 'Ada', commander: null } });
    expect(r2.json().roles).toMatchObject({ commander: null, communications: null, ops: 'Ada', setBy: 'Team red' });
  });

  it('refuses a name that is not a member (400, naming the members), writing nothing', async () => {
    const a = await boardApp();
    const { team, url } = await withIncident(a);
    const r = await a.app.inject({ method: 'POST', url, headers: team, payload: { commander: 'Mallory', ops: 'Ada' } });
    expect(r.statusCode).toBe(400);
    expect(r.json().error).toMatchObject({ code: 'bad_request' });
    expect(r.json().error.message).toMatch(/commander.*Mallory.*Ada, Linus/);
    expect(await a.events('incident.roles_set')).toEqual([]);
  });

  it('is strict about the body: unknown fields, wrong types and blank names are 400', async () => {
    const a = await boardApp();
    const { team, url } = await withIncident(a);
    for (const payload of [{ commander: 'Ada', lead: 'Linus' }, { commander: 5 }, { ops: '   ' }, { commander: ['Ada'] }, ['Ada']]) {
      const r = await a.app.inject({ method: 'POST', url, headers: team, payload: payload as object });
      expect(r.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(await a.events('incident.roles_set')).toEqual([]);
  });

  it("another team's incident is 404; a resolved incident's roles are 409; no token is 401", async () => {
    const a = await boardApp();
    const red = await withIncident(a, 'red');
    const blue = await a.addTeam('blue', 'token-of-blue-0123456789abcdef');
    expect((await a.app.inject({ method: 'POST', url: red.url, headers: blue, payload: { commander: 'Ada' } })).statusCode).toBe(404);
    expect((await a.app.inject({ method: 'POST', url: red.url, payload: { commander: 'Ada' } })).statusCode).toBe(401);
    await a.app.inject({ method: 'POST', url: `/api/team/incidents/${red.id}/resolve`, headers: red.team });
    const late = await a.app.inject({ method: 'POST', url: red.url, headers: red.team, payload: { commander: 'Ada' } });
    expect(late.statusCode).toBe(409);
    expect(await a.events('incident.roles_set')).toEqual([]);
  });

  it('works in a PagerDuty game too (PagerDuty has no such roles), for an incident PagerDuty reported', async () => {
    const a = await boardApp({ pagerduty: { apiToken: 't', from: 'x@example.com', webhookSecrets: ['s'], pollSeconds: 30 } });
    const team = await a.addTeam('red');
    await a.services.store.append({ type: 'incident.triggered', team: 'red', source: 'pagerduty', data: { incident: 'PD123', via: 'pagerduty', title: 'down', occurredAtWall: T0 } });
    const r = await a.app.inject({ method: 'POST', url: '/api/team/incidents/PD123/roles', headers: team, payload: { commander: 'Linus', communications: 'Ada', ops: 'Linus' } });
    expect(r.statusCode, r.body).toBe(200);
    expect((await a.events('incident.roles_set'))[0]!.data).toMatchObject({ incident: 'PD123', via: 'pagerduty', commander: 'Linus' });
  });

  it('a restart keeps the roles (folded from the log)', async () => {
    const dir = apps.tempDir('fd-roles-');
    const clock = new ManualClock(T0);
    const a = await incidentsApp({}, { dataDir: dir, clock });
    const { team, id, url } = await withIncident(a);
    expect((await a.app.inject({ method: 'POST', url, headers: team, payload: { commander: 'Ada', communications: 'Linus', ops: 'Ada', name: 'Ada' } })).statusCode).toBe(200);
    await a.close();
    const b = await boardApp({}, { dataDir: dir, clock });
    const list = (await b.app.inject({ url: '/api/team/incidents', headers: team })).json();
    expect(list.incidents).toMatchObject([{ id, roles: { commander: 'Ada', communications: 'Linus', ops: 'Ada', setBy: 'Ada', setAtWall: T0 } }]);
  });

  it('the facts reach the team breakdown and the judging queue (evidence for the roles criterion)', async () => {
    const a = await boardApp();
    const { team, id, url } = await withIncident(a);
    const fault = a.services.scenario.faults[0]!.id;
    await a.services.store.append({ type: 'fault.injected', team: 'red', source: 'game', data: { fault, attempt: 1, deadlineAt: 3_600_000 } });
    await a.services.store.append({ type: 'fault.detected', team: 'red', source: 'game', data: { fault, incident: id, via: 'board', at: 0 } });
    expect((await a.app.inject({ method: 'POST', url, headers: team, payload: { commander: 'Ada', communications: 'Linus', ops: 'Ada', name: 'Ada' } })).statusCode).toBe(200);
    const st = await a.app.inject({ method: 'POST', url: '/api/team/status', headers: team, payload: { text: 'Chat is down for all users', impact: 'All users', currentAction: 'Rolling back', nextUpdateInMinutes: 10, name: 'Ada' } });
    expect(st.statusCode, st.body).toBe(201);

    const score = (await a.app.inject({ url: '/api/teams/red/score' })).json();
    const roles = JSON.stringify(score).includes('"roles"') ? findRoles(score) : undefined;
    expect(roles, 'the breakdown carries the roles measure').toBeDefined();
    expect(roles!.roles.map((f: { fact: string; share: number | null }) => [f.fact, f.share])).toEqual([
      ['named', 1],
      ['commsLead', 0],
    ]);
    expect(roles!.note).toMatch(/0 of 1 updates and answers written by the Communications Lead; by others: #\d+ Ada/);

    const queue = (await a.app.inject({ url: '/api/admin/judging', headers: a.admin })).json();
    const item = queue.items.find((i: { team: string; fault: string }) => i.team === 'red' && i.fault === fault);
    expect(item.roles).toMatchObject({ share: 0.5, facts: [{ fact: 'named', share: 1 }, { fact: 'commsLead', share: 0 }] });
    expect(queue.rubric.communication.map((r: { id: string }) => r.id)).toContain('roles');
  });
});

/** The first fault's roles measure in a score answer (wherever the breakdown sits in it). */
function findRoles(x: unknown): { roles: Array<{ fact: string; share: number | null }>; note: string } | undefined {
  if (!x || typeof x !== 'object') return undefined;
  const o = x as Record<string, unknown>;
  if (o.automatic && typeof o.automatic === 'object' && 'roles' in o.automatic) return (o.automatic as { roles: never }).roles;
  for (const v of Object.values(o)) {
    const r = findRoles(v);
    if (r) return r;
  }
  return undefined;
}
