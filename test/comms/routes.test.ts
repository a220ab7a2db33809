import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/tokens.js';
import { testApp } from '../helpers.js';

const T1 = 'team-one-token-0123456789abcdef';
const T2 = 'team-two-token-0123456789abcdef';
const MIN = 60_000;
const by = { kind: 'organizer' as const, name: 'o' };

type App = Awaited<ReturnType<typeof testApp>>;
let t: App;

async function addTeam(app: App, id: string, token: string) {
  await app.services.store.append({
    type: 'team.created',
    source: 'organizer',
    team: id,
    data: { id, name: `Team ${id}`, members: [{ name: 'Aiko' }], tokenHash: hashToken(token), portBase: null, seed: 1, by },
  });
}
const inject = (app: App, team: string, fault: string) =>
  app.services.store.append({ type: 'fault.injected', source: 'test', team, data: { fault, attempt: 1, deadlineAt: 30 * MIN } });
const as = (token: string) => ({ authorization: `Bearer ${token}` });

beforeEach(async () => {
  t = await testApp();
  await addTeam(t, 't1', T1);
  await addTeam(t, 't2', T2);
});
afterEach(async () => {
  await t.close();
});

describe('team channel: POST /api/team/messages, GET /api/team/channels', () => {
  it('appends message.posted with the member name, once per clientId, and shows <script> as the text it is', async () => {
    const body = { channel: 'stakeholders', text: '<script>alert(1)</script> we are on it', clientId: 'c-1', name: 'Aiko' };
    const res = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as(T1), payload: body });
    expect(res.statusCode).toBe(201);
    expect(res.json().message).toMatchObject({ channel: 'stakeholders', author: { kind: 'team', name: 'Aiko' }, text: body.text });

    const retry = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as(T1), payload: body });
    expect(retry.statusCode).toBe(200);
    expect(retry.json()).toMatchObject({ duplicate: true, message: { seq: res.json().message.seq } });
    const other = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as(T1), payload: { ...body, text: 'something else' } });
    expect(other.statusCode).toBe(409);

    const events = await t.services.store.read({ types: ['message.posted'] });
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({ team: 't1', source: 'team', key: 'msg:t1:c-1', data: { text: body.text } });

    const ch = await t.app.inject({ url: '/api/team/channels', headers: as(T1) });
    expect(ch.statusCode).toBe(200);
    expect(ch.headers['content-type']).toContain('application/json');
    expect(ch.json().messages.map((m: { text: string }) => m.text)).toEqual([body.text]);
  });

  it('answers bad input with a 400 and writes nothing', async () => {
    const bad = [
      { channel: 'stakeholders', text: 'hi' }, // no clientId
      { channel: 'general', text: 'hi', clientId: 'a' },
      { channel: 'incident', text: '   ', clientId: 'a' },
      { channel: 'incident', text: 'x'.repeat(4001), clientId: 'a' },
      { channel: 'incident', text: 'hi', clientId: 'has spaces' },
      { channel: 'incident', text: 'hi', clientId: 'a', replyTo: 999 },
    ];
    for (const payload of bad) {
      const res = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as(T1), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
      expect(res.json().error.code).toBe('bad_request');
    }
    expect(await t.services.store.read({ types: ['message.posted'] })).toHaveLength(0);
  });

  it('wants a valid team token (401), and shows each team only its own channel', async () => {
    const payload = { channel: 'incident', text: 'hi', clientId: 'a' };
    expect((await t.app.inject({ method: 'POST', url: '/api/team/messages', payload })).statusCode).toBe(401);
    const wrong = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as('not-a-token'), payload });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    expect((await t.app.inject({ url: '/api/team/channels', headers: as('nope') })).statusCode).toBe(401);

    await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as(T1), payload });
    await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as(T2), payload: { ...payload, text: 'team two here' } });
    const mine = (await t.app.inject({ url: '/api/team/channels', headers: as(T2) })).json();
    expect(mine.messages.map((m: { text: string }) => m.text)).toEqual(['team two here']);
  });

  it('pages with ?after= and replies link to the message answered', async () => {
    const staff = await t.app.inject({
      method: 'POST',
      url: '/api/admin/messages',
      headers: t.admin,
      payload: { team: 't1', persona: 'cto', channel: 'incident', text: 'ETA?', expectsAnswer: true },
    });
    expect(staff.statusCode).toBe(201);
    const question = staff.json().message;
    expect(question).toMatchObject({ author: { kind: 'persona', name: 'Kenji Sato (CTO)' }, persona: 'cto', expectsAnswer: true });
    const answer = await t.app.inject({
      method: 'POST',
      url: '/api/team/messages',
      headers: as(T1),
      payload: { channel: 'incident', text: '15 minutes', clientId: 'r1', replyTo: question.seq },
    });
    expect(answer.statusCode).toBe(201);
    expect(answer.json().message).toMatchObject({ replyTo: question.seq, author: { name: 'Team t1' } });

    const after = (await t.app.inject({ url: `/api/team/channels?after=${question.seq}`, headers: as(T1) })).json();
    expect(after.messages.map((m: { text: string }) => m.text)).toEqual(['15 minutes']);
    expect(after.lastSeq).toBe(t.services.store.lastSeq());
    expect((await t.app.inject({ url: '/api/team/channels?after=x', headers: as(T1) })).statusCode).toBe(400);
  });
});

describe('status page: POST /api/team/status, public GET /api/teams/:id/status', () => {
  it('stores status.published with nextUpdateAt in game time and publishes only status updates', async () => {
    await t.services.store.append({ type: 'game.started', source: 'organizer', data: { by } });
    t.clock.advance(MIN);
    const res = await t.app.inject({
      method: 'POST',
      url: '/api/team/status',
      headers: as(T1),
      payload: { text: 'Chat is unavailable. <b>We are investigating.</b>', impact: 'All users', currentAction: 'Checking the ingress', nextUpdateInMinutes: 15, name: 'Aiko' },
    });
    expect(res.statusCode).toBe(201);
    const [ev] = await t.services.store.read({ types: ['status.published'] });
    expect(ev).toMatchObject({
      team: 't1',
      gameTime: MIN,
      data: { text: 'Chat is unavailable. <b>We are investigating.</b>', impact: 'All users', nextUpdateAt: MIN + 15 * MIN, resolved: false, by: { kind: 'team', name: 'Aiko' } },
    });
    t.clock.advance(MIN);
    await t.app.inject({ method: 'POST', url: '/api/team/status', headers: as(T1), payload: { text: 'Fixed.', resolved: true } });
    await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as(T1), payload: { channel: 'incident', text: 'internal only', clientId: 'x' } });

    const page = await t.app.inject('/api/teams/t1/status');
    expect(page.statusCode).toBe(200);
    const body = page.json();
    expect(body.team).toEqual({ id: 't1', name: 'Team t1' });
    expect(body.updates.map((u: { text: string }) => u.text)).toEqual(['Fixed.', 'Chat is unavailable. <b>We are investigating.</b>']);
    expect(body.updates[1]).not.toHaveProperty('by');
    expect(JSON.stringify(body)).not.toContain('internal only');
    expect((await t.app.inject('/api/teams/t2/status')).json().updates).toEqual([]);
    expect((await t.app.inject('/api/teams/nobody/status')).statusCode).toBe(404);

    const ch = (await t.app.inject({ url: '/api/team/channels', headers: as(T1) })).json();
    expect(ch.statusUpdates).toHaveLength(2);
  });

  it('rejects a status without text or with a nonsense promise', async () => {
    for (const payload of [{}, { text: '' }, { text: 'x', nextUpdateInMinutes: 0 }, { text: 'x', nextUpdateInMinutes: 'soon' }, { text: 'x', resolved: 'yes' }]) {
      const res = await t.app.inject({ method: 'POST', url: '/api/team/status', headers: as(T1), payload });
      expect(res.statusCode, JSON.stringify(payload)).toBe(400);
    }
    expect(await t.services.store.read({ types: ['status.published'] })).toHaveLength(0);
  });
});

describe('hints and postmortems', () => {
  it('gives a hint only for a fault that happened to this team, charges once, and lists it as taken', async () => {
    const url = '/api/team/hints/site-unreachable/routes';
    const early = await t.app.inject({ method: 'POST', url, headers: as(T1) });
    expect(early.statusCode).toBe(409);
    expect((await t.app.inject({ method: 'POST', url: '/api/team/hints/site-unreachable/nope', headers: as(T1) })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/team/hints/nope/routes', headers: as(T1) })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/api/team/hints', headers: as(T1) })).json().hints).toEqual([]);

    await inject(t, 't1', 'site-unreachable');
    const res = await t.app.inject({ method: 'POST', url, headers: as(T1) });
    expect(res.statusCode).toBe(201);
    expect(res.json().hint).toMatchObject({ fault: 'site-unreachable', id: 'routes', cost: 50 });
    expect(res.json().hint.text.ja).toContain('Ingress');
    const again = await t.app.inject({ method: 'POST', url, headers: as(T1) });
    expect(again.statusCode).toBe(200);
    expect(await t.services.store.read({ types: ['hint.taken'] })).toEqual([
      expect.objectContaining({ team: 't1', key: 'hint:t1:site-unreachable:routes', data: { fault: 'site-unreachable', hint: 'routes', cost: 50 } }),
    ]);
    // Another team's fault does not open hints for this one.
    expect((await t.app.inject({ method: 'POST', url, headers: as(T2) })).statusCode).toBe(409);

    const list = (await t.app.inject({ url: '/api/team/hints', headers: as(T1) })).json().hints;
    expect(list).toEqual([
      expect.objectContaining({ id: 'routes', cost: 50, taken: true, text: expect.any(Object) }),
      { fault: 'site-unreachable', id: 'change', cost: 150, taken: false },
    ]);
  });

  it('takes a postmortem only for a known fault that has happened', async () => {
    const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/team/postmortems', headers: as(T1), payload });
    expect((await post({ fault: 'nope', text: 'x' })).statusCode).toBe(400);
    expect((await post({ fault: 'site-unreachable', text: 'x' })).statusCode).toBe(409);
    await inject(t, 't1', 'site-unreachable');
    expect((await post({ fault: 'site-unreachable', text: '' })).statusCode).toBe(400);
    const ok = await post({ fault: 'site-unreachable', text: '## Timeline\n10:02 alert <img src=x onerror=alert(1)>', name: 'Aiko' });
    expect(ok.statusCode).toBe(201);
    const [ev] = await t.services.store.read({ types: ['postmortem.submitted'] });
    expect(ev).toMatchObject({ team: 't1', data: { fault: 'site-unreachable', text: '## Timeline\n10:02 alert <img src=x onerror=alert(1)>', by: { kind: 'team', name: 'Aiko' } } });
  });
});

describe('spectator reports: POST /api/teams/:id/reports', () => {
  it('files report.filed, and limits each address to 10 a minute (429 beyond)', async () => {
    const report = (remoteAddress: string, payload: object = { text: 'page shows Bad Gateway' }) =>
      t.app.inject({ method: 'POST', url: '/api/teams/t1/reports', remoteAddress, payload });
    const first = await report('10.0.0.1', { text: '<script>x</script>', name: 'Ken' });
    expect(first.statusCode).toBe(201);
    const [ev] = await t.services.store.read({ types: ['report.filed'] });
    expect(ev).toMatchObject({ team: 't1', source: 'spectator', data: { text: '<script>x</script>', by: { kind: 'spectator', name: 'Ken' } } });

    for (let i = 0; i < 9; i++) expect((await report('10.0.0.1')).statusCode).toBe(201);
    const limited = await report('10.0.0.1');
    expect(limited.statusCode).toBe(429);
    expect(limited.json().error.code).toBe('rate_limited');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect((await report('10.0.0.2')).statusCode).toBe(201); // others are not affected
    t.clock.advance(MIN);
    expect((await report('10.0.0.1')).statusCode).toBe(201);
    expect(await t.services.store.read({ types: ['report.filed'] })).toHaveLength(12);
  });

  it('answers an unknown team with 404 and bad input with 400, writing nothing', async () => {
    expect((await t.app.inject({ method: 'POST', url: '/api/teams/nobody/reports', payload: { text: 'x' } })).statusCode).toBe(404);
    expect((await t.app.inject({ method: 'POST', url: '/api/teams/t1/reports', payload: { text: '' } })).statusCode).toBe(400);
    expect((await t.app.inject({ method: 'POST', url: '/api/teams/t1/reports', payload: { text: 'x'.repeat(1001) } })).statusCode).toBe(400);
    expect(await t.services.store.read({ types: ['report.filed'] })).toHaveLength(0);
  });
});

describe('organizers speak as a persona: POST /api/admin/messages', () => {
  it('needs the organizer token, a known team and a known persona', async () => {
    const payload = { team: 't1', persona: 'cto', channel: 'incident', text: 'Status?' };
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/messages', payload })).statusCode).toBe(401);
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/messages', headers: as(T1), payload })).statusCode).toBe(401);
    const unknown = await t.app.inject({ method: 'POST', url: '/api/admin/messages', headers: t.admin, payload: { ...payload, persona: 'ceo' } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().error.message).toBe("unknown persona 'ceo' (known: cto, support, partner)");
    expect((await t.app.inject({ method: 'POST', url: '/api/admin/messages', headers: t.admin, payload: { ...payload, team: 'nobody' } })).statusCode).toBe(404);
    expect(await t.services.store.read({ types: ['message.posted'] })).toHaveLength(0);

    const ok = await t.app.inject({ method: 'POST', url: '/api/admin/messages', headers: t.admin, payload: { ...payload, persona: 'support', channel: 'stakeholders' } });
    expect(ok.statusCode).toBe(201);
    const [ev] = await t.services.store.read({ types: ['message.posted'] });
    expect(ev).toMatchObject({ team: 't1', source: 'organizer', data: { persona: 'support', author: { kind: 'persona', name: 'Yui Tanaka (Customer Support)' }, channel: 'stakeholders' } });
  });
});
