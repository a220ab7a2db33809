import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { T0 } from '../helpers.js';
import { boardApps, incidentsApp } from './setup.js';
import { score } from '../../src/scoring/index.js';
import { buildScenario } from '../scoring/fixture.js';

const apps = boardApps();
const boardApp = apps.app;

describe('built-in incident board (no PagerDuty)', () => {
  it('opens, acknowledges and resolves an incident, each an incident.* event via the board', async () => {
    const a = await boardApp();
    const team = await a.addTeam('red');

    const opened = await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'Chat is down', severity: 'SEV1', name: 'Ada' } });
    expect(opened.statusCode).toBe(201);
    const id = opened.json().incident.id as string;
    expect(opened.json().incident).toMatchObject({ status: 'triggered', title: 'Chat is down', severity: 'SEV1', channel: 'web_trigger', agent: 'Ada', via: 'board' });

    a.clock.advance(30_000);
    const ack = await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/acknowledge`, headers: team, payload: { name: 'Linus' } });
    expect(ack.statusCode).toBe(200);
    expect(ack.json().incident).toMatchObject({ status: 'acknowledged', acknowledgedBy: 'Linus', acknowledgedAtWall: T0 + 30_000 });

    a.clock.advance(60_000);
    const res = await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/resolve`, headers: team });
    expect(res.statusCode).toBe(200);
    expect(res.json().incident.status).toBe('resolved');

    const list = await a.app.inject({ url: '/api/team/incidents', headers: team });
    expect(list.json()).toMatchObject({ mode: 'board', incidents: [{ id, status: 'resolved', resolvedAtWall: T0 + 90_000 }] });

    const types = (await a.events()).filter((e) => e.type.startsWith('incident.'));
    expect(types.map((e) => [e.type, e.team, (e.data as { via?: string }).via])).toEqual([
      ['incident.triggered', 'red', 'board'],
      ['incident.acknowledged', 'red', 'board'],
      ['incident.resolved', 'red', 'board'],
    ]);
    expect(types[0]!.data).toMatchObject({ channel: 'web_trigger', agent: 'Ada', occurredAtWall: T0 });
  });

  it('keeps notes, severity changes, status updates and reopen; text stays as typed', async () => {
    const a = await boardApp();
    const team = await a.addTeam('red');
    const id = (await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'Slow', name: 'Ada' } })).json().incident.id;
    const note = '<img src=x onerror=alert(1)> DB pool exhausted';
    expect((await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/notes`, headers: team, payload: { text: note, name: 'Ada' } })).statusCode).toBe(201);
    expect((await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/severity`, headers: team, payload: { severity: 'SEV2' } })).statusCode).toBe(200);
    expect((await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/status-updates`, headers: team, payload: { message: 'Investigating' } })).statusCode).toBe(201);
    await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/resolve`, headers: team });
    const re = await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/reopen`, headers: team });
    expect(re.statusCode).toBe(200);
    const inc = re.json().incident;
    expect(inc).toMatchObject({ status: 'triggered', severity: 'SEV2', resolvedAtWall: null, notes: [{ text: note, agent: 'Ada' }], statusUpdates: [{ message: 'Investigating' }] });
    expect(re.headers['content-type']).toMatch(/application\/json/);
  });

  it('a status update on the board is a status update (status.published, linked to the incident), scored like the war room’s', async () => {
    const a = await boardApp();
    const team = await a.addTeam('red');
    await a.services.store.append({ type: 'fault.injected', team: 'red', source: 'test', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    const id = (await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'Chat down', name: 'Ada' } })).json().incident.id;
    const text = 'All users cannot load the chat. We are rolling back the ingress change. Next update in 15 minutes.';
    const r = await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/status-updates`, headers: team, payload: { message: text, name: 'Ada' } });
    expect(r.statusCode).toBe(201);
    expect(r.json().incident.statusUpdates).toMatchObject([{ message: text }]);
    const done = await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/status-updates`, headers: team, payload: { message: 'Chat works again for all users; the ingress was restored.', resolved: true } });
    expect(done.statusCode).toBe(201);
    const pubs = await a.events('status.published');
    expect(pubs.map((e) => e.data)).toEqual([
      { text, resolved: false, by: { kind: 'team', name: 'Ada' }, incident: id },
      { text: 'Chat works again for all users; the ingress was restored.', resolved: true, by: { kind: 'team', name: 'red' }, incident: id },
    ]);
    expect(await a.events('incident.status_update_published')).toEqual([]);
    const fs = score(buildScenario({ faults: [{ id: 'ingress-port' }] }), await a.events()).teams.find((t) => t.team === 'red')!.breakdown.faults[0]!;
    expect(fs.statusUpdates).toEqual(pubs.map((e) => e.seq));
    expect(fs.communication.automatic.firstUpdate).toMatchObject({ share: 1, evidence: [pubs[0]!.seq] });
    expect(fs.communication.automatic.requiredFields.share).toBe(1);
    // A bad body writes nothing.
    const bad = await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/status-updates`, headers: team, payload: { message: 'x', resolved: 'yes' } });
    expect(bad.statusCode).toBe(400);
    expect(await a.events('status.published')).toHaveLength(2);
  });

  it('answers bad input with a 400 and writes nothing', async () => {
    const a = await boardApp();
    const team = await a.addTeam('red');
    const before = (await a.events()).length;
    const bad = [
      { payload: { title: '', name: 'Ada' }, url: '/api/team/incidents' },
      { payload: { title: '   ', name: 'Ada' }, url: '/api/team/incidents' },
      { payload: { title: 'x', name: 'Ada', severity: 'catastrophic' }, url: '/api/team/incidents' },
      { payload: { title: 'x' }, url: '/api/team/incidents' },
      { payload: { title: 'x'.repeat(201), name: 'Ada' }, url: '/api/team/incidents' },
    ];
    for (const b of bad) {
      const r = await a.app.inject({ method: 'POST', url: b.url, headers: team, payload: b.payload });
      expect(r.statusCode, JSON.stringify(b.payload)).toBe(400);
      expect(r.json().error.code).toBe('bad_request');
      expect(r.json().error.message).toEqual(expect.any(String));
    }
    const id = (await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'ok', name: 'Ada' } })).json().incident.id;
    const after = (await a.events()).length;
    expect(after).toBe(before + 1);
    for (const [url, payload] of [
      [`/api/team/incidents/${id}/notes`, { text: '' }],
      [`/api/team/incidents/${id}/severity`, { severity: 'P1' }],
      [`/api/team/incidents/${id}/status-updates`, {}],
      ['/api/team/incidents/bad%20id/acknowledge', {}],
    ] as const) {
      expect((await a.app.inject({ method: 'POST', url, headers: team, payload })).statusCode, url).toBe(400);
    }
    expect((await a.events()).length).toBe(after);
  });

  it('refuses a wrong or missing team token (401), unknown incidents (404) and impossible moves (409)', async () => {
    const a = await boardApp();
    const team = await a.addTeam('red');
    const other = await a.addTeam('blue');
    expect((await a.app.inject({ url: '/api/team/incidents', headers: { authorization: 'Bearer nope' } })).statusCode).toBe(401);
    expect((await a.app.inject({ method: 'POST', url: '/api/team/incidents', payload: { title: 'x', name: 'A' } })).statusCode).toBe(401);
    const id = (await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'x', name: 'A' } })).json().incident.id;
    // Another team cannot see or touch it.
    expect((await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/acknowledge`, headers: other })).statusCode).toBe(404);
    expect((await a.app.inject({ url: '/api/team/incidents', headers: other })).json().incidents).toEqual([]);
    expect((await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/reopen`, headers: team })).statusCode).toBe(409);
    await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/acknowledge`, headers: team });
    const twice = await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/acknowledge`, headers: team });
    expect(twice.statusCode).toBe(409);
    expect(twice.json().error).toEqual({ code: 'conflict', message: `incident ${id} is already acknowledged` });
  });

  it('numbers two opens at once apart, and organizers see every team', async () => {
    const a = await boardApp();
    const red = await a.addTeam('red');
    const blue = await a.addTeam('blue');
    const [r1, r2] = await Promise.all([
      a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: red, payload: { title: 'one', name: 'A' } }),
      a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: red, payload: { title: 'two', name: 'A' } }),
    ]);
    expect(new Set([r1.json().incident.id, r2.json().incident.id]).size).toBe(2);
    await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: blue, payload: { title: 'three', name: 'B' } });
    expect((await a.app.inject({ url: '/api/admin/incidents', headers: red })).statusCode).toBe(401);
    const all = await a.app.inject({ url: '/api/admin/incidents', headers: a.admin });
    expect(all.json().incidents.map((i: { team: string; title: string }) => `${i.team}:${i.title}`).sort()).toEqual(['blue:three', 'red:one', 'red:two']);
  });

  it('rebuilds the board from the log after a restart', async () => {
    const dir = apps.tempDir('fd-inc-');
    const clock = new ManualClock(T0);
    const a = await incidentsApp({}, { dataDir: dir, clock });
    const team = await a.addTeam('red');
    const id = (await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'x', name: 'A' } })).json().incident.id;
    await a.app.inject({ method: 'POST', url: `/api/team/incidents/${id}/acknowledge`, headers: team });
    await a.close();
    const b = await boardApp({}, { dataDir: dir, clock });
    expect((await b.app.inject({ url: '/api/team/incidents', headers: team })).json().incidents).toMatchObject([{ id, status: 'acknowledged' }]);
  });

  it('answers 409 with a pointer to PagerDuty when PagerDuty is configured', async () => {
    const a = await boardApp({ pagerduty: { apiToken: 't', from: 'x@example.com', webhookSecrets: ['s'], pollSeconds: 30 } });
    const team = await a.addTeam('red');
    const r = await a.app.inject({ method: 'POST', url: '/api/team/incidents', headers: team, payload: { title: 'x', name: 'A' } });
    expect(r.statusCode).toBe(409);
    expect(r.json().error.message).toMatch(/PagerDuty/);
    expect((await a.app.inject({ url: '/api/team/incidents', headers: team })).json()).toEqual({ mode: 'pagerduty', incidents: [] });
  });
});
