import { afterEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/events/types.js';
import { Leaderboard } from '../../src/leaderboard/service.js';
import { applyDelta } from '../../src/leaderboard/delta.js';
import { connectWS, type testApp, TWO_TEAMS, twoTeamApp } from '../helpers.js';

/** The live leaderboard through HTTP and WebSockets, on a whole runtime with the default scenario. */

type T = Awaited<ReturnType<typeof testApp>>;
const open: T[] = [];
afterEach(async () => {
  for (const t of open.splice(0)) await t.close();
});

const by = { kind: 'organizer' as const, name: 'o' };
const TOKENS = TWO_TEAMS;

async function setup(): Promise<T & { fault: string; silentFault: string }> {
  // Every change its own frame at once (the coalescing has its own tests, test/leaderboard/coalesce.test.ts).
  const t = await twoTeamApp();
  open.push(t);
  const sc = t.services.scenario;
  return { ...t, fault: sc.faults.find((f) => f.alerting === 'pagerduty')!.id, silentFault: sc.faults.find((f) => f.alerting === 'silent')!.id };
}

const connect = connectWS;

const append = (t: T, e: NewEvent) => t.services.store.append(e);
const inject = (t: T, team: string, fault: string) => append(t, { type: 'fault.injected', team, source: 'game', data: { fault, attempt: 1, deadlineAt: 1_680_000 } });
const adjust = (t: T, team: string, points: number) => append(t, { type: 'score.adjusted', team, source: 'organizer', data: { points, reason: 'for the test', by } });

describe('GET /api/leaderboard', () => {
  it('answers the public board with an ETag, 304 when unchanged, a new ETag after a change', async () => {
    const t = await setup();
    const res = await t.app.inject('/api/leaderboard');
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(body.game).toMatchObject({ scenario: t.services.scenario.name, phase: 'not_started', frozen: false });
    expect(body.teams.map((x: { id: string }) => x.id).sort()).toEqual(['alpha', 'bravo']);
    expect(body.teams[0]).toMatchObject({ rank: 1, score: 0, currentFault: null });
    expect(body.teams[0].breakdown.faults).toHaveLength(t.services.scenario.faults.length);
    const etag = res.headers.etag as string;
    expect(etag).toBeTruthy();

    const again = await t.app.inject({ url: '/api/leaderboard', headers: { 'if-none-match': etag } });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');

    await adjust(t, 'bravo', 25);
    const changed = await t.app.inject({ url: '/api/leaderboard', headers: { 'if-none-match': etag } });
    expect(changed.statusCode).toBe(200);
    expect(changed.headers.etag).not.toBe(etag);
    expect(changed.json().teams[0]).toMatchObject({ id: 'bravo', rank: 1, score: 25_000 });
    expect(changed.json().seq).toBeGreaterThan(body.seq);
  });
});

describe('/ws/leaderboard', () => {
  it('sends a snapshot first, then deltas with only the changed fields of the changed teams, one version at a time', async () => {
    const t = await setup();
    const c = await connect(t.app, '/ws/leaderboard');
    const snap = await c.next();
    expect(snap.type).toBe('snapshot');
    expect(snap.board.teams).toHaveLength(2);
    expect(snap.seq).toBe(snap.board.seq);

    await inject(t, 'alpha', t.fault);
    const up = await c.next();
    expect(up).toMatchObject({ type: 'delta', from: snap.seq, seq: snap.seq + 1 });
    expect(up.rows.map((x: { id: string }) => x.id)).toEqual(['alpha']);
    expect(up.rows[0].currentFault).toMatchObject({ id: t.fault, state: 'injected', injectedAt: 0 });
    // Only what changed: not the name, not the score (still 0).
    expect(Object.keys(up.rows[0]).sort()).toEqual(['breakdown', 'currentFault', 'id']);

    // bravo overtakes alpha: bravo's score and rank, alpha's rank only
    await adjust(t, 'bravo', 10);
    const up2 = await c.next();
    expect(up2.seq).toBe(snap.seq + 2);
    expect(up2.rows.map((x: { id: string; rank: number }) => [x.id, x.rank]).sort()).toEqual([
      ['alpha', 2],
      ['bravo', 1],
    ]);
    expect(up2.rows.find((x: { id: string }) => x.id === 'alpha')).toEqual({ id: 'alpha', rank: 2 });
    // Of the breakdown only the category that changed: no fault line, no other category.
    expect(up2.rows.find((x: { id: string }) => x.id === 'bravo')).toEqual({ id: 'bravo', rank: 1, score: 10_000, breakdown: { categories: { adjustments: 10_000 } } });
    // A fault's change sends that fault's line, the others as null.
    await inject(t, 'bravo', t.fault);
    const up3 = await c.next();
    const faults = up3.rows.find((x: { id: string }) => x.id === 'bravo').breakdown.faults as unknown[];
    expect(faults.filter((f) => f !== null)).toEqual([expect.objectContaining({ id: t.fault, state: 'injected' })]);
    expect(c.state()).toEqual((await t.app.inject('/api/leaderboard')).json());
    c.ws.terminate();
  });

  it('shares one serialized frame between all clients', async () => {
    const t = await setup();
    const a = await connect(t.app, '/ws/leaderboard');
    const b = await connect(t.app, '/ws/leaderboard');
    await a.next();
    await b.next();
    const seen: string[] = [];
    const off = t.services.leaderboard!.onPublic((frame) => seen.push(frame));
    await adjust(t, 'alpha', 5);
    const [fa, fb] = [await a.next(), await b.next()];
    expect(fa).toEqual(fb);
    expect(seen).toHaveLength(1);
    expect(JSON.parse(seen[0]!)).toEqual(fa);
    off();
  });

  it('resumes from a version with one delta of what was missed, or a snapshot when it cannot', async () => {
    const t = await setup();
    const first = await connect(t.app, '/ws/leaderboard');
    const snap = await first.next();
    first.ws.terminate();
    await adjust(t, 'alpha', 1);
    await adjust(t, 'bravo', 2);

    const resumed = await connect(t.app, `/ws/leaderboard?since=${snap.seq}`);
    const m1 = await resumed.next();
    expect(m1).toMatchObject({ type: 'delta', from: snap.seq, seq: snap.seq + 2 });
    expect(m1.rows.find((x: { id: string }) => x.id === 'alpha')).toMatchObject({ score: 1000 });
    // Applied to the board it had, it is the board now.
    expect(applyDelta(snap.board, m1)).toEqual((await t.app.inject('/api/leaderboard')).json());

    // A version this board never had (a restarted server): a fresh snapshot.
    const lost = await connect(t.app, '/ws/leaderboard?since=999999');
    expect((await lost.next()).type).toBe('snapshot');
    resumed.ws.terminate();
    lost.ws.terminate();
  });

  it('refuses a page from another site (Origin) and accepts its own host', async () => {
    const t = await setup();
    await expect(t.app.injectWS('/ws/leaderboard', { headers: { origin: 'https://evil.example', host: 'localhost:80' } })).rejects.toThrow(/403/);
    const ok = await connect(t.app, '/ws/leaderboard', { origin: 'http://localhost:80', host: 'localhost:80' });
    expect((await ok.next()).type).toBe('snapshot');
    ok.ws.terminate();
  });
});

describe('freezing the public board', () => {
  it('hides later changes from spectators only, and reveals them on unfreeze', async () => {
    const t = await setup();
    await adjust(t, 'alpha', 10);
    const spectator = await connect(t.app, '/ws/leaderboard');
    const snap = await spectator.next();
    const team = await connect(t.app, '/ws/team', { authorization: `Bearer ${TOKENS.bravo}` });
    const teamSnap = await team.next();
    expect(teamSnap).toMatchObject({ type: 'snapshot', team: { team: 'bravo', total: 0 } });

    const freeze = await t.app.inject({ method: 'POST', url: '/api/admin/board/freeze', headers: t.admin });
    expect(freeze.statusCode).toBe(200);
    const frozenFrame = await spectator.next();
    expect(frozenFrame).toMatchObject({ type: 'delta', seq: snap.seq + 1, game: { frozen: true } });
    expect(frozenFrame.rows).toBeUndefined();
    const before = await t.app.inject('/api/leaderboard');
    expect(before.json().game.frozen).toBe(true);

    await adjust(t, 'bravo', 50);
    // the team's own view moves...
    const teamUp = await team.next();
    expect(teamUp).toMatchObject({ type: 'update', team: { team: 'bravo', total: 50_000, rank: 1 } });
    expect(teamUp.items.map((i: { kind: string }) => i.kind)).toContain('score');
    // ...and so does the organizers' board...
    const org = await t.app.inject({ url: '/api/admin/leaderboard', headers: t.admin });
    expect(org.json().teams[0]).toMatchObject({ id: 'bravo', score: 50_000 });
    // ...but not the public one (same ETag), nor the public series and timeline.
    const after = await t.app.inject({ url: '/api/leaderboard', headers: { 'if-none-match': before.headers.etag as string } });
    expect(after.statusCode).toBe(304);
    const series = await t.app.inject('/api/teams/bravo/series');
    expect(series.json().points).toEqual([]);
    const score = await t.app.inject('/api/teams/bravo/score');
    expect(score.json()).toMatchObject({ frozen: true, score: 0 });
    expect((await t.app.inject({ url: '/api/admin/board/freeze', method: 'POST', headers: t.admin })).statusCode).toBe(409);

    // The next spectator frame is the reveal: nothing leaked in between.
    await t.app.inject({ method: 'POST', url: '/api/admin/board/unfreeze', headers: t.admin });
    const reveal = await spectator.next();
    expect(reveal.seq).toBe(snap.seq + 2);
    expect(reveal.game.frozen).toBe(false);
    const revealed = applyDelta(applyDelta(snap.board, frozenFrame)!, reveal)!;
    expect(revealed.teams.map((x) => [x.id, x.score, x.rank]).sort()).toEqual([
      ['alpha', 10_000, 2],
      ['bravo', 50_000, 1],
    ]);
    expect((await t.app.inject('/api/teams/bravo/series')).json().points).toMatchObject([{ total: 50_000 }]);
    spectator.ws.terminate();
    team.ws.terminate();
  });
});

describe('/ws/team', () => {
  it('takes the token in the first frame, and refuses a wrong one', async () => {
    const t = await setup();
    const c = await connect(t.app, '/ws/team');
    c.ws.send(JSON.stringify({ type: 'auth', token: TOKENS.alpha }));
    expect(await c.next()).toMatchObject({ type: 'snapshot', team: { team: 'alpha' } });
    await inject(t, 'alpha', t.fault);
    const up = await c.next();
    expect(up.items).toEqual([expect.objectContaining({ kind: 'fault', fault: t.fault, moment: 'injected' })]);
    c.ws.terminate();

    const bad = await connect(t.app, '/ws/team');
    const closed = new Promise<number>((r) => bad.ws.on('close', (code) => r(code)));
    bad.ws.send(JSON.stringify({ type: 'auth', token: 'nope' }));
    expect(await closed).toBe(4001);
  });
});

describe('public team reads', () => {
  it('lists teams and shows a public timeline without internal messages', async () => {
    const t = await setup();
    await inject(t, 'alpha', t.fault);
    await append(t, { type: 'message.posted', team: 'alpha', source: 'team', data: { channel: 'incident', author: { kind: 'team', name: 'a' }, text: 'internal chatter' } });
    await append(t, { type: 'status.published', team: 'alpha', source: 'team', data: { text: '<b>Investigating</b>', impact: 'chat down', resolved: false, by: { kind: 'team', name: 'a' } } });
    await append(t, { type: 'judgement.recorded', team: 'alpha', source: 'organizer', data: { fault: t.fault, category: 'communication', criterion: t.services.scenario.scoring.communication.rubric[0]!.id, score: 4, judge: 'ann', note: 'secret organizer note' } });

    expect((await t.app.inject('/api/teams')).json().teams).toEqual(expect.arrayContaining([{ id: 'alpha', name: 'ALPHA' }]));
    const tl = await t.app.inject('/api/teams/alpha/timeline');
    expect(tl.statusCode).toBe(200);
    const kinds = tl.json().items.map((i: { kind: string }) => i.kind);
    expect(kinds).toContain('fault');
    expect(kinds).toContain('status');
    expect(kinds).toContain('score');
    expect(tl.json().items.find((i: { kind: string }) => i.kind === 'status').text).toBe('<b>Investigating</b>');
    expect(tl.body).not.toContain('internal chatter');
    expect(tl.body).not.toContain('secret organizer note');
    expect((await t.app.inject('/api/teams/nope/timeline')).statusCode).toBe(404);
  });
});

describe('organizer scoring routes', () => {
  it('validates judgements against the rubric and records them', async () => {
    const t = await setup();
    const rubric = t.services.scenario.scoring.communication.rubric;
    const post = (body: object) => t.app.inject({ method: 'POST', url: '/api/admin/judgements', headers: t.admin, payload: body });
    const good = { team: 'alpha', fault: t.fault, category: 'communication', criterion: rubric[0]!.id, score: 4, judge: 'ann' };

    expect((await t.app.inject({ method: 'POST', url: '/api/admin/judgements', payload: good })).statusCode).toBe(401);
    const early = await post(good);
    expect(early.statusCode).toBe(409);
    await inject(t, 'alpha', t.fault);

    const badCriterion = await post({ ...good, criterion: 'vibes' });
    expect(badCriterion.statusCode).toBe(400);
    expect(badCriterion.json().error.message).toContain(rubric[0]!.id);
    expect((await post({ ...good, score: 6 })).statusCode).toBe(400);
    expect((await post({ ...good, fault: 'nope' })).statusCode).toBe(400);
    expect((await post({ ...good, team: 'nope' })).statusCode).toBe(400);
    expect((await post({ ...good, category: 'review', criterion: t.services.scenario.scoring.review.rubric[0]!.id })).statusCode).toBe(409);
    expect(await t.services.store.read({ types: ['judgement.recorded'] })).toHaveLength(0);

    expect((await post(good)).statusCode).toBe(201);
    expect((await post({ ...good, score: 2, note: 'revised' })).statusCode).toBe(201);
    const queue = (await t.app.inject({ url: '/api/admin/judging', headers: t.admin })).json();
    const item = queue.items.find((i: { team: string; fault: string }) => i.team === 'alpha' && i.fault === t.fault);
    const crit = item.communication.criteria.find((c: { criterion: string }) => c.criterion === rubric[0]!.id);
    expect(crit).toMatchObject({ mean: 2, judges: [{ judge: 'ann', score: 2, note: 'revised' }] });
    expect(item.communication.missing).toHaveLength(rubric.length - 1);
    expect(queue.items.some((i: { team: string }) => i.team === 'bravo')).toBe(false);
  });

  it('records awards and penalties only with a reason', async () => {
    const t = await setup();
    const post = (body: object) => t.app.inject({ method: 'POST', url: '/api/admin/adjustments', headers: t.admin, payload: body });
    expect((await post({ team: 'alpha', points: 10 })).statusCode).toBe(400);
    expect((await post({ team: 'alpha', points: 10, reason: '  ' })).statusCode).toBe(400);
    expect((await post({ team: 'alpha', points: 1.5, reason: 'half a point' })).statusCode).toBe(400);
    expect((await post({ team: 'ghost', points: 10, reason: 'who?' })).statusCode).toBe(400);
    expect(await t.services.store.read({ types: ['score.adjusted'] })).toHaveLength(0);
    const ok = await post({ team: 'alpha', points: -20, reason: 'Touched the scoring server' });
    expect(ok.statusCode).toBe(201);
    const s = (await t.app.inject({ url: '/api/admin/teams/alpha/score', headers: t.admin })).json();
    expect(s.breakdown.adjustments).toMatchObject({ points: -20_000, items: [{ points: -20, reason: 'Touched the scoring server', seq: ok.json().seq }] });
  });
});

describe('Leaderboard service', () => {
  it('a board rebuilt from the log equals the live one (restart)', async () => {
    const t = await setup();
    await inject(t, 'alpha', t.fault);
    await append(t, { type: 'fault.acknowledged', team: 'alpha', source: 'pagerduty', data: { fault: t.fault, incident: 'i1', at: 60_000 } });
    await append(t, { type: 'fault.recovered', team: 'alpha', source: 'game', data: { fault: t.fault, greenSince: 300_000 } });
    await append(t, { type: 'game.board_frozen', source: 'organizer', data: { by } });
    await adjust(t, 'bravo', 3);
    const live = t.services.leaderboard!;
    const rebuilt = new Leaderboard({ scenario: t.services.scenario, gameTime: () => t.services.gameClock.now() });
    rebuilt.rebuild(await t.services.store.read());
    // Board versions restart above the log's last seq (a resume from before a restart gets a snapshot): compare all but seq.
    const board = (json: string) => ({ ...JSON.parse(json), seq: undefined });
    expect(board(rebuilt.publicView().json)).toEqual(board(live.publicView().json));
    expect(board(rebuilt.organizerView().json)).toEqual(board(live.organizerView().json));
    expect(rebuilt.timeline('alpha', 'team')).toEqual(live.timeline('alpha', 'team'));
    // Every version the live process handed out lies below the rebuilt one's ring: a snapshot, never a wrong diff.
    for (let v = 0; v <= live.publicView().seq; v++) expect(rebuilt.publicSince(v)).toBeNull();
  });

  it('keeps a bounded ring of updates and asks for a snapshot beyond it', async () => {
    const t = await setup();
    const lb = new Leaderboard({ scenario: t.services.scenario, ring: 2 });
    lb.rebuild(await t.services.store.read());
    const v0 = lb.publicView().seq;
    const e = (seq: number, points: number) =>
      ({ seq, at: 0, gameTime: 0, team: 'alpha', type: 'score.adjusted', source: 'o', key: null, data: { points, reason: 'abc', by } }) as const;
    // A version is made when a changed board is read (a frame, a REST read, a resume): read after each change.
    for (const seq of [100, 101, 102]) {
      lb.apply(e(seq, 1));
      expect(lb.publicView().seq).toBe(v0 + seq - 99);
    }
    expect(lb.publicSince(v0 + 3)).toEqual([]);
    expect(lb.publicSince(v0 + 1)?.map((f) => [JSON.parse(f).from, JSON.parse(f).seq])).toEqual([[v0 + 1, v0 + 3]]);
    expect(lb.publicSince(v0)).toBeNull();
  });
});

describe('spoilers', () => {
  it('shows an armed fault to spectators and teams only as "fault N", and in full once injected', async () => {
    const t = await setup();
    const def = t.services.scenario.faults.find((f) => f.id === t.fault)!;
    await append(t, { type: 'fault.armed', team: 'alpha', source: 'game', data: { fault: t.fault, dueAt: 60_000 } });
    const hidden = JSON.stringify([
      (await t.app.inject('/api/leaderboard')).json(),
      (await t.app.inject('/api/teams/alpha/timeline')).json(),
      (await t.app.inject('/api/teams/alpha/score')).json(),
    ]);
    for (const f of t.services.scenario.faults) {
      expect(hidden).not.toContain(`"${f.id}"`);
      expect(hidden).not.toContain(f.title.en);
    }
    const board = (await t.app.inject('/api/leaderboard')).json();
    const alpha = board.teams.find((x: { id: string }) => x.id === 'alpha');
    // Issue 16: spectators see nothing of a fault before it lands (no "armed" chip).
    expect(alpha.currentFault).toBeNull();
    // Organizers see what is coming.
    const admin = await t.app.inject({ url: '/api/admin/teams/alpha/score', headers: t.admin });
    expect(admin.body).toContain(def.title.en);

    await inject(t, 'alpha', t.fault);
    const shown = (await t.app.inject('/api/leaderboard')).json().teams.find((x: { id: string }) => x.id === 'alpha');
    // Once landed: shown by its symptom (the title names the cause) until the faults are revealed.
    expect(shown.currentFault).toMatchObject({ id: t.fault, title: def.symptom, state: 'injected' });
  });
});
