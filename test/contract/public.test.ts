import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { afterEach, describe, expect, it } from 'vitest';
import { Board } from '../../src/contract/board.js';
import { LeaderboardFrame as BoardFrame } from '../../src/contract/frames.js';
import { Results } from '../../src/contract/results.js';
import { ReportFiled, ScoreResponse, SeriesResponse, StatusPageResponse, TeamFrame, TeamsResponse, TimelineResponse } from '../../src/contract/teams.js';
import { TrafficResponse } from '../../src/contract/traffic.js';
import type { NewEvent } from '../../src/events/types.js';
import { connectWS, type testApp, TWO_TEAMS, twoTeamApp } from '../helpers.js';

/**
 * The public contract (src/contract/board.ts, teams.ts, results.ts, traffic.ts) through real HTTP and
 * WebSockets: every public answer and frame matches its schema, the serializer drops nothing the
 * server meant to send (a field missing from a schema would vanish silently), a masked fault has no
 * id or title by shape, and the board rows carry the users' traffic.
 */

type T = Awaited<ReturnType<typeof testApp>>;
const open: T[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

const by = { kind: 'organizer' as const, name: 'o' };
const TOKENS = TWO_TEAMS;

async function setup() {
  // Every change its own frame, at once (the frames are coalesced to 4 a second otherwise).
  const t = await twoTeamApp();
  open.push(t);
  return t;
}
const append = (t: T, e: NewEvent) => t.services.store.append(e);

const connect = connectWS;

/** The schema's errors for a value (empty when it matches). */
const errors = (schema: TSchema, value: unknown) => [...Value.Errors(schema, value)].map((e) => `${e.instancePath} ${e.message}`);

const secrets = (t: T, id: string) => {
  const f = t.services.scenario.faults.find((x) => x.id === id)!;
  return [`"${f.id}"`, f.title.en, f.title.ja];
};

describe('the public contract', () => {
  it('every public answer matches its schema and the serializer drops nothing the server built', async () => {
    const t = await setup();
    const lb = t.services.leaderboard!;
    const [f1, f2] = t.services.scenario.faults.map((f) => f.id) as [string, string];
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault: f1, dueAt: 0 } });
    await append(t, { type: 'fault.injecting', team: 'alpha', source: 'game', data: { fault: f1, attempt: 1, handle: { h: 1 } } });
    await append(t, { type: 'fault.injected', team: 'alpha', source: 'game', data: { fault: f1, attempt: 1, deadlineAt: 1_000_000 } });
    await append(t, { type: 'probe.failed', team: 'alpha', source: 'probe', data: { probe: 'api', evidence: { status: 500, latencyMs: 12 } } } as NewEvent);
    await append(t, { type: 'status.published', team: 'alpha', source: 'team', data: { text: 'we are on it', impact: 'checkout', currentAction: 'rollback', nextUpdateAt: 600_000, resolved: false, by: { kind: 'team', name: 'alpha' } } } as NewEvent);
    await append(t, { type: 'score.adjusted', team: 'alpha', source: 'organizer', data: { points: 5, reason: 'nice', by } } as NewEvent);
    await append(t, { type: 'fault.armed', team: 'bravo', source: 'game', data: { fault: f2, dueAt: 0 } });
    await append(t, { type: 'traffic.minute', team: 'alpha', source: 'game', data: { minute: 0, requests: 100, failed: 37, slow: 4 } });

    const get = async (url: string, schema: TSchema) => {
      const r = await t.app.inject(url);
      expect(r.statusCode, `${url}: ${r.body}`).toBe(200);
      const body = r.json();
      expect(errors(schema, body), url).toEqual([]);
      return body;
    };
    // What the route handed to the serializer, through JSON (what an untyped route would have sent).
    const plain = (x: unknown) => JSON.parse(JSON.stringify(x));
    const board = await get('/api/leaderboard', Board);
    expect(board).toEqual(plain(lb.publicView().board));
    expect(await get('/api/teams', TeamsResponse)).toEqual({ teams: [{ id: 'alpha', name: 'ALPHA' }, { id: 'bravo', name: 'BRAVO' }] });
    for (const team of ['alpha', 'bravo']) {
      const tl = await get(`/api/teams/${team}/timeline`, TimelineResponse);
      expect(tl).toEqual(plain({ team, items: lb.timeline(team, 'public') }));
      if (team === 'alpha') expect(tl.items.length).toBeGreaterThan(3);
      expect(await get(`/api/teams/${team}/series`, SeriesResponse)).toEqual(plain({ team, points: lb.series(team, 'public') }));
      expect(await get(`/api/teams/${team}/score`, ScoreResponse)).toEqual(plain({ team, frozen: false, ...lb.publicBreakdown(team) }));
      await get(`/api/teams/${team}/traffic`, TrafficResponse);
    }
    // Every kind of timeline item the game above produced is in the answer, each field kept.
    const kinds = (await get('/api/teams/alpha/timeline', TimelineResponse)).items.map((i: { kind: string }) => i.kind);
    expect(new Set(kinds)).toEqual(new Set(['fault', 'probe', 'status', 'score']));
    const status = await get('/api/teams/alpha/status', StatusPageResponse);
    expect(status.updates[0]).toMatchObject({ text: 'we are on it', impact: 'checkout', currentAction: 'rollback', nextUpdateAt: 600_000, resolved: false });

    const report = await t.app.inject({ method: 'POST', url: '/api/teams/alpha/reports', payload: { text: 'the shop is down' } });
    expect(report.statusCode, report.body).toBe(201);
    expect(errors(ReportFiled, report.json())).toEqual([]);

    const qr = await t.app.inject('/api/qr.svg');
    expect(qr.statusCode).toBe(200);
    expect(qr.headers['content-type']).toMatch(/^image\/svg\+xml/);
    expect(qr.body).toMatch(/^<svg/);
    const doc = (await t.app.inject('/api/openapi.json')).json();
    expect(Object.keys(doc.paths['/api/qr.svg'].get.responses['200'].content)).toEqual(['image/svg+xml']);

    await append(t, { type: 'game.finished', source: 'organizer', data: { by } });
    const results = await get('/api/results', Results);
    expect(results.teams.map((x: { team: string }) => x.team).sort()).toEqual(['alpha', 'bravo']);
  });

  it('a masked fault has no id or title by shape: the serializer drops them even if the server passes them', async () => {
    const t = await setup();
    const lb = t.services.leaderboard!;
    const secret = { fault: 'the-real-id', title: { en: 'Real title', ja: '本当の題' } };
    // A server bug that leaks a masked fault's id and title into what the routes hand over.
    const timeline = lb.timeline.bind(lb);
    lb.timeline = ((id: string, audience: 'public') => [...timeline(id, audience), { seq: 99, gameTime: 0, kind: 'fault', masked: true, index: 0, moment: 'skipped', ...secret }]) as typeof lb.timeline;
    const breakdown = lb.publicBreakdown.bind(lb);
    lb.publicBreakdown = (id: string) => {
      const b = breakdown(id)!;
      return { ...b, breakdown: { ...b.breakdown, faults: b.breakdown.faults.map((f) => ({ ...f, ...secret })) } };
    };
    for (const url of ['/api/teams/alpha/timeline', '/api/teams/alpha/score']) {
      const r = await t.app.inject(url);
      expect(r.statusCode, r.body).toBe(200);
      expect(r.body).toContain('"masked":true');
      for (const s of ['the-real-id', 'Real title', '本当の題']) expect(r.body, url).not.toContain(s);
    }
  });

  it('a fault skipped while armed and a fault in injecting have no id or title in the timeline, the score, the board and its frames', async () => {
    const t = await setup();
    const [f1, f2] = t.services.scenario.faults.map((f) => f.id) as [string, string];
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    const board = await connect(t.app, '/ws/leaderboard');
    const team = await connect(t.app, '/ws/team', { authorization: `Bearer ${TOKENS.alpha}` });
    const first = await board.until(() => true);
    expect(errors(BoardFrame, first)).toEqual([]);
    expect(errors(TeamFrame, await team.until(() => true))).toEqual([]);
    // alpha: f1 skipped while armed, then f2 injecting; bravo faces f1 for real.
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault: f1, dueAt: 0 } });
    await append(t, { type: 'fault.skipped', team: 'alpha', source: 'organizer', data: { fault: f1, by, reason: 'demo' } });
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault: f2, dueAt: 0 } });
    await append(t, { type: 'fault.injecting', team: 'alpha', source: 'game', data: { fault: f2, attempt: 1, handle: { h: 1 } } });
    const b = await board.until(() => JSON.stringify(board.state()).includes('"injecting"'));
    const m = await team.until((f) => JSON.stringify(f).includes('"injecting"'));
    expect(errors(BoardFrame, b)).toEqual([]);
    expect(errors(TeamFrame, m)).toEqual([]);
    const alphaRow = board.state().teams.find((x) => x.id === 'alpha')!;
    expect(alphaRow.breakdown.faults.slice(0, 2)).toEqual([
      { masked: true, index: 0, state: 'skipped', detection: 'none', points: 0, max: 0 },
      { masked: true, index: 1, state: 'injecting', detection: 'none', points: 0, max: expect.any(Number) },
    ]);
    const bodies = [
      JSON.stringify(b),
      JSON.stringify(board.state()),
      JSON.stringify(m),
      (await t.app.inject('/api/teams/alpha/timeline')).body,
      (await t.app.inject('/api/teams/alpha/score')).body,
      (await t.app.inject('/api/leaderboard')).body,
    ];
    for (const body of bodies) for (const s of [...secrets(t, f1), ...secrets(t, f2)]) expect(body).not.toContain(s);
    const score = (await t.app.inject('/api/teams/alpha/score')).json();
    for (const f of score.breakdown.faults.slice(0, 2)) expect(Object.keys(f)).not.toEqual(expect.arrayContaining(['fault']));
    // The same fault, landed for another team, is shown there (by its symptom).
    await append(t, { type: 'fault.armed', team: 'bravo', source: 'game', data: { fault: f1, dueAt: 0 } });
    await append(t, { type: 'fault.injecting', team: 'bravo', source: 'game', data: { fault: f1, attempt: 1, handle: { h: 1 } } });
    await append(t, { type: 'fault.injected', team: 'bravo', source: 'game', data: { fault: f1, attempt: 1, deadlineAt: 1_000_000 } });
    const shown = await board.until(() => board.state().teams.some((x) => x.id === 'bravo' && x.currentFault));
    expect(errors(BoardFrame, shown)).toEqual([]);
    const def = t.services.scenario.faults[0]!;
    expect(board.state().teams.find((x) => x.id === 'bravo')!.currentFault).toMatchObject({ id: f1, title: def.symptom, state: 'injected' });
  });

  it('board rows carry the users’ traffic of the last complete minute, live', async () => {
    const t = await setup();
    await append(t, { type: 'game.started', source: 'organizer', data: { by } });
    const board = await connect(t.app, '/ws/leaderboard');
    const first = await board.until(() => true);
    expect(first.board.teams.map((x: { traffic: unknown }) => x.traffic)).toEqual([null, null]);
    await append(t, { type: 'traffic.minute', team: 'alpha', source: 'game', data: { minute: 3, requests: 200, failed: 74, slow: 9 } });
    const u = await board.until((f) => f.type === 'delta' && f.rows?.some((x: { id: string; traffic?: unknown }) => x.id === 'alpha' && x.traffic));
    expect(errors(BoardFrame, u)).toEqual([]);
    const expected = { minute: 3, requests: 200, failed: 74, slow: 9, errorRate: 0.37 };
    // The delta carries only the changed row (its traffic, and the availability the users' errors cost).
    expect(u.rows).toHaveLength(1);
    expect(u.rows[0]).toMatchObject({ id: 'alpha', traffic: expected });
    expect(Object.keys(u.rows[0])).not.toContain('name');
    expect(board.state().teams.find((x) => x.id === 'alpha')!.traffic).toEqual(expected);
    const rest = (await t.app.inject('/api/leaderboard')).json();
    expect(rest.teams.find((x: { id: string }) => x.id === 'alpha').traffic).toEqual(expected);
    expect((await t.app.inject('/api/teams/alpha/traffic')).json().lastMinute).toEqual(expected);
  });
});
