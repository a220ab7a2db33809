import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { hashToken } from '../../src/tokens.js';
import { Channels, MessagePosted, StatusPublished } from '../../src/contract/channels.js';
import { IncidentAnswer, OrganizerIncidents, TeamIncidents } from '../../src/contract/incidents.js';
import { HintTaken, Hints, PostmortemSubmitted, TeamState } from '../../src/contract/team.js';
import { testApp } from '../helpers.js';

const TOKEN = 'team-contract-token-0123456789abcdef';
const MIN = 60_000;
const as = { authorization: `Bearer ${TOKEN}` };

/**
 * The war room's answers are exactly their contract (src/contract/): every field the schema names,
 * none it does not (the schemas are closed), so nothing leaks by accident — not the judges' flags,
 * not a fault's cause while other teams may still face it — and the web, typed by the same schemas,
 * reads what is there. (The ops console's answers are checked in test/platform/ops-http.test.ts.)
 */
describe('the team routes answer exactly their contract', () => {
  let t: Awaited<ReturnType<typeof testApp>>;
  const call = async (schema: TSchema, method: 'GET' | 'POST', url: string, payload?: object) => {
    const res = await t.app.inject({ method, url, headers: as, ...(payload ? { payload } : {}) });
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    const body: unknown = res.json();
    expect([...Value.Errors(schema, body)].map((e) => `${e.instancePath} ${e.message}`), `${method} ${url}`).toEqual([]);
    return body as Record<string, never>;
  };

  beforeAll(async () => {
    t = await testApp();
    const store = t.services.store;
    await store.append({
      type: 'team.created',
      source: 'organizer',
      team: 'c1',
      data: { id: 'c1', name: 'Contract', members: [{ name: 'Aiko', role: 'IC' }], tokenHash: hashToken(TOKEN), portBase: null, seed: 1, by: { kind: 'organizer', name: 'o' } },
    });
    const f = t.services.scenario.faults[0]!;
    await store.append({ type: 'fault.injected', source: 'test', team: 'c1', data: { fault: f.id, attempt: 1, deadlineAt: 30 * MIN } });
    // A question, then an escalation that flags the judges (the team must not see the flag).
    await store.append({ type: 'message.posted', source: 'test', team: 'c1', data: { channel: 'stakeholders', author: { kind: 'persona', name: 'CTO' }, persona: 'cto', text: 'When is it back?', expectsAnswer: true, expects: ['eta'], fault: f.id } });
    await store.append({
      type: 'message.posted',
      source: 'system',
      team: 'c1',
      data: { channel: 'stakeholders', author: { kind: 'persona', name: 'CTO' }, persona: 'cto', text: 'No answer?', kind: 'escalation', flagJudges: true, fault: f.id },
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('channels, status updates, hints and postmortems', async () => {
    const f = t.services.scenario.faults[0]!;
    const hint = f.hints[0]!;
    await call(MessagePosted, 'POST', '/api/team/messages', { channel: 'stakeholders', text: 'Back in 10 minutes', clientId: 'm1', name: 'Aiko' });
    await call(StatusPublished, 'POST', '/api/team/status', { text: 'Chat is down', impact: 'everyone', nextUpdateInMinutes: 15, clientId: 's1' });
    const ch = await call(Channels, 'GET', '/api/team/channels');
    const messages = ch.messages as unknown as Array<Record<string, unknown>>;
    expect(messages.map((m) => m.kind ?? null)).toEqual([null, 'escalation', null]);
    expect(messages.some((m) => 'flagJudges' in m)).toBe(false);
    expect(messages[0]).toMatchObject({ personaName: { en: expect.any(String) }, question: { state: 'answered' } });
    await call(Hints, 'GET', '/api/team/hints');
    await call(HintTaken, 'POST', `/api/team/hints/${f.id}/${hint.id}`);
    await call(PostmortemSubmitted, 'POST', '/api/team/postmortems', { fault: f.id, text: 'What happened' });
  });

  it('incidents, for the team and for organizers', async () => {
    const opened = await call(IncidentAnswer, 'POST', '/api/team/incidents', { title: 'Chat down', severity: 'SEV2', name: 'Aiko' });
    const id = (opened.incident as unknown as { id: string }).id;
    await call(IncidentAnswer, 'POST', `/api/team/incidents/${id}/acknowledge`, { name: 'Aiko' });
    await call(IncidentAnswer, 'POST', `/api/team/incidents/${id}/notes`, { text: 'looking', name: 'Aiko' });
    await call(IncidentAnswer, 'POST', `/api/team/incidents/${id}/severity`, { severity: 'SEV1' });
    await call(IncidentAnswer, 'POST', `/api/team/incidents/${id}/status-updates`, { message: 'We are on it' });
    await call(IncidentAnswer, 'POST', `/api/team/incidents/${id}/resolve`, {});
    await call(IncidentAnswer, 'POST', `/api/team/incidents/${id}/reopen`, {});
    const list = await call(TeamIncidents, 'GET', '/api/team/incidents');
    expect(list.incidents).toHaveLength(1);
    const all = await t.app.inject({ url: '/api/admin/incidents', headers: t.admin });
    expect([...Value.Errors(OrganizerIncidents, all.json())]).toEqual([]);
  });

  it('GET /api/team shows the symptom, never the cause, until the faults are revealed', async () => {
    const f = t.services.scenario.faults[0]!;
    expect(f.symptom).not.toEqual(f.title);
    const before = await call(TeamState, 'GET', '/api/team');
    expect(before.fault).toMatchObject({ id: f.id, title: f.symptom, briefing: f.briefing.team ?? null });
    expect(before.faults).toEqual([expect.objectContaining({ id: f.id, title: f.symptom })]);
    expect(JSON.stringify(before)).not.toContain(JSON.stringify(f.title));
    expect(JSON.stringify(before)).not.toContain(JSON.stringify(f.briefing.organizer));

    const reveal = await t.app.inject({ method: 'POST', url: '/api/admin/reveal', headers: t.admin });
    expect(reveal.statusCode, reveal.body).toBeLessThan(300);
    const after = await call(TeamState, 'GET', '/api/team');
    expect(after.fault).toMatchObject({ id: f.id, title: f.title });
  });
});
