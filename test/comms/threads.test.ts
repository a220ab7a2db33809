import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/tokens.js';
import { testApp } from '../helpers.js';

/** Issue 15 through the real routes: replies thread to questions of the same channel, and the channel shows each thread's state. */
const T1 = 'team-one-token-0123456789abcdef';
const by = { kind: 'organizer' as const, name: 'o' };
type App = Awaited<ReturnType<typeof testApp>>;
let t: App;
const as = { authorization: `Bearer ${T1}` };

beforeEach(async () => {
  t = await testApp();
  await t.services.store.append({ type: 'team.created', source: 'organizer', team: 't1', data: { id: 't1', name: 'Team t1', members: [], tokenHash: hashToken(T1), portBase: null, seed: 1, by } });
});
afterEach(async () => {
  await t.close();
});

const staff = async (payload: Record<string, unknown>) => (await t.app.inject({ method: 'POST', url: '/api/admin/messages', headers: t.admin, payload: { team: 't1', persona: 'cto', channel: 'incident', ...payload } })).json().message;
const post = (payload: Record<string, unknown>) => t.app.inject({ method: 'POST', url: '/api/team/messages', headers: as, payload: { channel: 'incident', ...payload } });
const channel = async () => (await t.app.inject({ url: '/api/team/channels', headers: as })).json().messages as Array<Record<string, any>> // eslint-disable-line @typescript-eslint/no-explicit-any -- loose JSON view in a test;

describe('questions and answers through the HTTP routes', () => {
  it('accepts replyTo only for a question of the same channel (400 otherwise, nothing written)', async () => {
    const q = await staff({ text: 'When will chat be back?', expects: ['eta'] });
    const remark = await staff({ text: 'I am in a meeting until noon.' });
    const before = t.services.store.lastSeq();
    const notQuestion = await post({ text: 'Noted, thanks for telling us', clientId: 'a', replyTo: remark.seq });
    expect(notQuestion.statusCode).toBe(400);
    expect(notQuestion.json().error.message).toContain('not a question');
    const otherChannel = await post({ channel: 'stakeholders', text: 'Back within 15 minutes', clientId: 'b', replyTo: q.seq });
    expect(otherChannel.statusCode).toBe(400);
    expect(otherChannel.json().error.message).toContain('#incident');
    expect(t.services.store.lastSeq()).toBe(before);
  });

  it('shows each question its thread: an attempt without substance, then the answer with its findings', async () => {
    const q = await staff({ text: 'When will chat be back, and who is affected?', expects: ['eta', 'impact'] });
    let view = (await channel()).find((m) => m.seq === q.seq)!;
    expect(view.personaName).toEqual({ en: 'Kenji Sato (CTO)', ja: expect.any(String) });
    expect(view.personaName.ja).not.toBe(view.personaName.en);
    expect(view.question).toMatchObject({ state: 'open', closesAt: expect.any(Number) });

    expect((await post({ text: '.', clientId: 'd', replyTo: q.seq })).statusCode).toBe(201);
    view = (await channel()).find((m) => m.seq === q.seq)!;
    expect(view.question).toMatchObject({ state: 'open', substance: { ok: false, reason: { en: 'only punctuation' } } });

    const a = (await post({ text: 'We expect chat back within 15 minutes; we are restarting it now.', clientId: 'e', replyTo: q.seq })).json().message;
    view = (await channel()).find((m) => m.seq === q.seq)!;
    expect(view.question).toMatchObject({ state: 'answered', answer: a.seq, substance: { ok: true } });
    expect(view.question.findings.map((f: { element: string; found: boolean }) => [f.element, f.found])).toEqual([
      ['eta', true],
      ['impact', false],
    ]);
    expect(view.question.findings[1].explanation.en).toContain('no impact found');
  });

  it('a message without replyTo answers the single oldest open question of its channel', async () => {
    const q1 = await staff({ text: 'What is broken?', expectsAnswer: true });
    const q2 = await staff({ text: 'What are you doing about it?', expectsAnswer: true });
    const m = (await post({ text: 'The ingress lost its port; we are restoring it.', clientId: 'f' })).json().message;
    const view = await channel();
    expect(view.find((x) => x.seq === q1.seq)!.question).toMatchObject({ state: 'answered', answer: m.seq });
    expect(view.find((x) => x.seq === q2.seq)!.question).toMatchObject({ state: 'open' });
  });
});
