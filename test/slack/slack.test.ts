import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ManualClock } from '../../src/clock.js';
import { lineEvent, personaKey } from '../../src/comms/index.js';
import type { SqliteEventStore } from '../../src/events/store.js';
import type { StoredEvent, StoredEventOf } from '../../src/events/types.js';
import { FakeSlack } from '../fakes/slack.js';
import { testApp, T0 } from '../helpers.js';

/**
 * Slack as the war room (issue 17), against a local Slack speaking the real shapes over real HTTP and
 * a real WebSocket: team alpha plays in Slack, team beta in the built-in channels, in the same game.
 */

const INC = 'C0ALPHAINC';
const STK = 'C0ALPHASTK';

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanup.reverse()) await c();
  cleanup = [];
});

async function setup(slackExtra: Record<string, unknown> = {}, opts: { dataDir?: string; fake?: FakeSlack; clock?: ManualClock } = {}) {
  const fake = opts.fake ?? (await new FakeSlack().start());
  fake.users.U0CAROL = { name: 'carol', real_name: 'Carol Diaz', display_name: 'carol' };
  const t = await testApp({
    teams: [
      { id: 'alpha', name: 'Alpha', members: [{ name: 'Alice', slackUser: 'U0ALICE' }, { name: 'Carol' }] },
      { id: 'beta', name: 'Beta', members: [{ name: 'Bob' }] },
    ],
    slack: { botToken: 'xoxb-test-bot', appToken: 'xapp-test-app', apiUrl: fake.apiUrl, reconnectMs: 250, teams: [{ team: 'alpha', incident: INC, stakeholders: STK, lang: 'en' }], ...slackExtra },
  } as never, { ...(opts.dataDir ? { dataDir: opts.dataDir } : {}), ...(opts.clock ? { clock: opts.clock } : {}) });
  if (!opts.fake) cleanup.push(() => fake.close());
  cleanup.push(() => t.close());
  await t.slack!.start();
  // The runtime's store is the SQLite one; its synchronous read suits the polled conditions below.
  const store = t.services.store as SqliteEventStore;
  const events = <T extends StoredEvent['type']>(type: T, team?: string) =>
    store.readSync({ types: [type], ...(team ? { team } : {}) }) as unknown as StoredEventOf<T>[];
  /** The scenario's first CTO line that expects an answer, for this team, as the director posts it. */
  const ctoQuestion = async (team: string) => {
    const scenario = t.services.scenario;
    for (const fault of scenario.faults) {
      const index = fault.personas.findIndex((l) => l.persona === 'cto' && l.expectsAnswer);
      if (index < 0) continue;
      await store.append({ type: 'fault.injected', team, source: 'game', data: { fault: fault.id, attempt: 1, deadlineAt: 30 * 60_000 } });
      const line = fault.personas[index]!;
      return (await store.append(lineEvent(scenario, { key: personaKey(team, fault.id, index), team, fault: fault.id, index, dueAt: 0, line }))).event;
    }
    throw new Error('the scenario has no CTO question');
  };
  const delivered = (seq: number) => events('message.delivered').filter((e) => e.data.message === seq);
  const until = (cond: () => boolean, what: string) => fake.until(cond, what);
  return { fake, t, store, events, ctoQuestion, delivered, until };
}

const msg = (over: Record<string, unknown>) => ({ type: 'message', channel: INC, user: 'U0ALICE', channel_type: 'channel', event_ts: over.ts, ...over });

describe('Slack war room', () => {
  it('posts a scripted CTO question in character, takes the answer in its thread as replyTo, and scores it like a built-in answer', async () => {
    const { fake, t, store, events, ctoQuestion, delivered, until } = await setup();
    const qa = await ctoQuestion('alpha');
    const qb = await ctoQuestion('beta');

    await until(() => delivered(qa.seq).some((e) => e.data.ok), 'the question delivered');
    const posts = fake.posts();
    // Only the Slack team's line goes to Slack; beta's stays in the built-in channel.
    expect(posts).toHaveLength(1);
    expect(posts[0]).toMatchObject({ channel: INC, username: 'Kenji Sato (CTO)', icon_emoji: ':speech_balloon:' });
    expect(posts[0]!.text).toBe(qa.data.text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;'));
    expect(fake.calls.find((c) => c.method === 'chat.postMessage')!.auth).toBe('Bearer xoxb-test-bot');
    const ts = delivered(qa.seq)[0]!.data.external!.slack.ts;

    const answer = 'Checkout is down for all users since 10:02; we are rolling back the deploy, ETA 15 minutes.';
    const env = fake.sendEvent(msg({ text: answer, ts: '1700000500.000200', thread_ts: ts }), 'Ev0ANSWER');
    await until(() => fake.acked(env), 'the answer acknowledged');
    const posted = events('message.posted', 'alpha').filter((e) => e.data.author.kind === 'team');
    expect(posted).toHaveLength(1);
    expect(posted[0]!.data).toMatchObject({ channel: 'incident', author: { kind: 'team', name: 'Alice' }, text: answer, replyTo: qa.seq, external: { slack: { channel: INC, ts: '1700000500.000200', threadTs: ts } } });
    expect(posted[0]!.key).toBe('slack:Ev0ANSWER');

    // The built-in team answers the same question with the same words through the war room's route.
    const beta = t.newTeams.find((n) => n.id === 'beta')!;
    const r = await t.app.inject({ method: 'POST', url: '/api/team/messages', headers: { authorization: `Bearer ${beta.token}` }, payload: { channel: 'incident', text: answer, clientId: 'b1', name: 'Bob', replyTo: qb.seq } });
    expect(r.statusCode).toBe(201);

    const lb = t.services.leaderboard!;
    const a = lb.standingOf('alpha')!;
    const b = lb.standingOf('beta')!;
    // The same facts, only the evidence seqs differ (the two teams' events interleave in the log).
    // Notes name the answering message by its seq ("by #10"): that number differs too.
    const facts = (x: unknown): unknown =>
      JSON.parse(JSON.stringify(x, (k, v: unknown) => (k === 'evidence' || k === 'team' || k === 'seq' ? undefined : typeof v === 'string' ? v.replace(/#\d+/g, '#n') : v)));
    expect(facts(a.breakdown)).toEqual(facts(b.breakdown));
    expect(a.total).toBe(b.total);
    expect(a.total).toBeGreaterThan(0);
    // Without the answer the Slack team would score less: the answer is what the score counts.
    expect(JSON.stringify(a.breakdown)).toContain(String(posted[0]!.seq));
    // Nothing else went to Slack: the team's own message is not echoed, beta's never.
    expect(fake.posts()).toHaveLength(1);
    // The tokens never reach the log.
    const log = JSON.stringify(store.readSync());
    expect(log).not.toContain('xoxb-test-bot');
    expect(log).not.toContain('xapp-test-app');
  });

  it('posts a follow-up into the question\'s thread, and a later reply there answers the follow-up', async () => {
    const { fake, store, events, ctoQuestion, delivered, until } = await setup();
    const q = await ctoQuestion('alpha');
    await until(() => delivered(q.seq).some((e) => e.data.ok), 'question delivered');
    const qts = delivered(q.seq)[0]!.data.external!.slack.ts;
    const e1 = fake.sendEvent(msg({ text: 'we are on it', ts: '1700000900.000100', thread_ts: qts }), 'Ev0F1');
    await until(() => fake.acked(e1), 'first reply acked');
    const follow = (await store.append({ type: 'message.posted', team: 'alpha', source: 'persona', key: 'persona:alpha:x:followup:1', data: { channel: 'incident', author: { kind: 'persona', name: 'Kenji Sato (CTO)' }, persona: 'cto', text: 'So when will it be back?', replyTo: q.seq, expectsAnswer: true, fault: q.data.fault! } })).event;
    await until(() => delivered(follow.seq).some((e) => e.data.ok), 'follow-up delivered');
    expect(fake.posts()[1]).toMatchObject({ thread_ts: qts, text: 'So when will it be back?' });
    const e2 = fake.sendEvent(msg({ text: 'in 15 minutes', ts: '1700000901.000100', thread_ts: qts }), 'Ev0F2');
    await until(() => fake.acked(e2), 'second reply acked');
    const team = events('message.posted', 'alpha').filter((e) => e.data.author.kind === 'team');
    expect(team.map((e) => [e.data.text, e.data.replyTo])).toEqual([
      ['we are on it', q.seq],
      ['in 15 minutes', follow.seq],
    ]);
  });

  it('stores a redelivered envelope once, acknowledging each only after the event is in the log', async () => {
    const { fake, events, until } = await setup();
    const storedAtAck: number[] = [];
    fake.onAck = (id) => {
      if (id === e1 || id === e2) storedAtAck.push(events('message.posted', 'alpha').length);
    };
    // Carol has no configured Slack id: her name comes from users.info, so the append waits on HTTP.
    const e1 = fake.sendEvent(msg({ text: 'looking into it', ts: '1700000600.000100', user: 'U0CAROL' }), 'Ev0DUP');
    const e2 = fake.sendEvent(msg({ text: 'looking into it', ts: '1700000600.000100', user: 'U0CAROL' }), 'Ev0DUP');
    await until(() => fake.acked(e1) && fake.acked(e2), 'both envelopes acknowledged');
    expect(events('message.posted', 'alpha').map((e) => e.data.author)).toEqual([{ kind: 'team', name: 'carol' }]);
    expect(storedAtAck).toEqual([1, 1]);
    // An event type firedrill does not use is acknowledged (not redelivered forever) and stores nothing.
    const other = fake.sendEvent({ type: 'reaction_added', user: 'U0ALICE', reaction: 'eyes', item: { type: 'message', channel: INC, ts: '1700000600.000100' }, event_ts: '1700000601.000100' }, 'Ev0OTHER');
    await until(() => fake.acked(other), 'other event acked');
    expect(events('message.posted', 'alpha')).toHaveLength(1);
  });

  it('resumes after a disconnect envelope and after a dropped socket, without losing or doubling a message', async () => {
    const { fake, events, until } = await setup();
    const e1 = fake.sendEvent(msg({ text: 'first', ts: '1700000700.000100' }), 'Ev0R1');
    await until(() => fake.acked(e1), 'first acked');

    fake.askToReconnect();
    await until(() => fake.connections === 2, 'a second connection');
    const e2 = fake.sendEvent(msg({ text: 'second', ts: '1700000701.000100', channel: STK }), 'Ev0R2');
    await until(() => fake.acked(e2), 'second acked');

    // An ack lost on the wire, then the socket drops: Slack redelivers on the next connection.
    fake.loseAcks = true;
    const e3 = fake.sendEvent(msg({ text: 'third', ts: '1700000702.000100' }), 'Ev0R3');
    await until(() => fake.acked(e3), 'third acked (lost)');
    fake.loseAcks = false;
    fake.drop();
    // Written while the app is away: queued by Slack, delivered after the reconnect.
    const e4 = fake.sendEvent(msg({ text: 'fourth', ts: '1700000703.000100' }), 'Ev0R4');
    await until(() => fake.connections === 3 && fake.acks.filter((a) => a.envelope_id === e3).length === 2 && fake.acked(e4), 'redelivery acked');

    const texts = events('message.posted', 'alpha').map((e) => [e.data.channel, e.data.text]);
    expect(texts).toEqual([
      ['incident', 'first'],
      ['stakeholders', 'second'],
      ['incident', 'third'],
      ['incident', 'fourth'],
    ]);
  });

  it('holds a rate-limited persona post until Retry-After, records each attempt, and posts it once', async () => {
    const { fake, t, ctoQuestion, delivered, until } = await setup();
    fake.rateLimit = { count: 1, retryAfter: 3 };
    const q = await ctoQuestion('alpha');
    // A second line while the first waits: the rate limit holds every send, and the order is kept.
    const q2 = (await t.services.store.append({ type: 'message.posted', team: 'alpha', source: 'organizer', key: 'staff:alpha:s1', data: { channel: 'stakeholders', author: { kind: 'persona', name: 'Yui Tanaka (Customer Support)' }, persona: 'support', text: 'Any news for users?' } })).event;
    await until(() => delivered(q.seq).length === 1, 'the first attempt recorded');
    expect(delivered(q.seq)[0]!.data).toMatchObject({ ok: false, status: 429, attempt: 1, retryAtWall: T0 + 3000 });

    t.clock.advance(2999);
    t.slack!.tick();
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.calls.filter((c) => c.method === 'chat.postMessage')).toHaveLength(1);

    t.clock.advance(1);
    t.slack!.tick();
    await until(() => delivered(q.seq).length === 2 && delivered(q2.seq).length === 1, 'the retry and the next line recorded');
    expect(delivered(q.seq)[1]!.data).toMatchObject({ ok: true, attempt: 2 });
    expect(delivered(q2.seq)[0]!.data).toMatchObject({ ok: true, attempt: 1 });
    t.slack!.tick();
    await new Promise((r) => setTimeout(r, 100));
    expect(fake.posts().map((p) => [p.channel, p.username])).toEqual([
      [INC, 'Kenji Sato (CTO)'],
      [STK, 'Yui Tanaka (Customer Support)'],
    ]);
  });

  it('records edits and deletions as their own events, the first version kept', async () => {
    const { fake, events, until } = await setup();
    const e1 = fake.sendEvent(msg({ text: 'ETA 10 minutes', ts: '1700000800.000100' }), 'Ev0E1');
    await until(() => fake.acked(e1), 'posted');
    const seq = events('message.posted', 'alpha')[0]!.seq;
    const e2 = fake.sendEvent(
      { type: 'message', subtype: 'message_changed', channel: INC, hidden: true, ts: '1700000801.000100', event_ts: '1700000801.000100', message: { type: 'message', user: 'U0ALICE', text: 'ETA 30 minutes', ts: '1700000800.000100', edited: { user: 'U0ALICE', ts: '1700000801.000000' } }, previous_message: { type: 'message', user: 'U0ALICE', text: 'ETA 10 minutes', ts: '1700000800.000100' } },
      'Ev0E2',
    );
    const e3 = fake.sendEvent({ type: 'message', subtype: 'message_deleted', channel: INC, hidden: true, ts: '1700000802.000100', event_ts: '1700000802.000100', deleted_ts: '1700000800.000100', previous_message: { type: 'message', user: 'U0ALICE', text: 'ETA 30 minutes', ts: '1700000800.000100' } }, 'Ev0E3');
    await until(() => fake.acked(e2) && fake.acked(e3), 'edit and delete acked');
    expect(events('message.edited', 'alpha').map((e) => e.data)).toEqual([{ message: seq, text: 'ETA 30 minutes', external: { slack: { channel: INC, ts: '1700000800.000100' } } }]);
    expect(events('message.deleted', 'alpha').map((e) => e.data.message)).toEqual([seq]);
    expect(events('message.posted', 'alpha').map((e) => e.data.text)).toEqual(['ETA 10 minutes']);
  });

  it('opens the status modal on /status and publishes the submitted view as a status update (once)', async () => {
    const { fake, t, events, until } = await setup();
    const env = fake.send('slash_commands', { token: 'v', team_id: 'T0FIRE', channel_id: STK, user_id: 'U0CAROL', command: '/status', text: 'Checkout down', trigger_id: '123.456.abc', response_url: 'https://hooks.slack.invalid/x' }, { acceptsResponse: true });
    await until(() => fake.acked(env), 'slash command acked');
    const open = fake.calls.find((c) => c.method === 'views.open')!;
    expect(open.args.trigger_id).toBe('123.456.abc');
    const view = JSON.parse(String(open.args.view)) as { callback_id: string; private_metadata: string };
    const submission = {
      type: 'view_submission',
      team: { id: 'T0FIRE' },
      user: { id: 'U0CAROL' },
      view: {
        id: 'V0SUBMIT',
        callback_id: view.callback_id,
        private_metadata: view.private_metadata,
        state: { values: { text: { text: { type: 'plain_text_input', value: 'Checkout is down' } }, impact: { impact: { type: 'plain_text_input', value: 'All shoppers' } }, current_action: { current_action: { type: 'plain_text_input', value: 'Rolling back' } }, next_update: { next_update: { type: 'number_input', value: '15' } } } },
      },
    };
    const s1 = fake.send('interactive', submission);
    const s2 = fake.send('interactive', submission);
    await until(() => fake.acked(s1) && fake.acked(s2), 'submissions acked');
    const st = events('status.published', 'alpha');
    expect(st).toHaveLength(1);
    expect(st[0]!.data).toEqual({ text: 'Checkout is down', impact: 'All shoppers', currentAction: 'Rolling back', nextUpdateAt: t.services.gameClock.now() + 15 * 60_000, resolved: false, by: { kind: 'team', name: 'carol' } });
    // The resolution notice: the checkbox sets `resolved`.
    const done = fake.send('interactive', { ...submission, view: { ...submission.view, id: 'V0DONE', state: { values: { text: { text: { type: 'plain_text_input', value: 'Fixed: checkout works again for everyone' } }, resolved: { resolved: { type: 'checkboxes', selected_options: [{ value: 'resolved' }] } } } } } });
    await until(() => fake.acked(done), 'resolution notice acked');
    expect(events('status.published', 'alpha').map((e) => [e.data.text, e.data.resolved])).toEqual([
      ['Checkout is down', false],
      ['Fixed: checkout works again for everyone', true],
    ]);
    // A blank text is refused in the modal itself, nothing stored.
    const bad = fake.send('interactive', { ...submission, view: { ...submission.view, id: 'V0BAD', state: { values: { text: { text: { type: 'plain_text_input', value: '  ' } } } } } });
    await until(() => fake.acked(bad), 'bad submission acked');
    expect(fake.acks.find((a) => a.envelope_id === bad)!.payload).toMatchObject({ response_action: 'errors' });
    expect(events('status.published', 'alpha')).toHaveLength(2);
  });

  it('creates the two channels and invites the team once (create: true), and after a restart neither recreates them nor loses or doubles a persona line', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'firedrill-slack-'));
    cleanup.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const create = { teams: [{ team: 'alpha', create: true, lang: 'ja' }] };
    const first = await setup(create, { dataDir });
    const { fake } = first;
    const linked = first.events('channel.linked', 'alpha');
    expect(linked.map((e) => [e.data.channel, e.data.name, e.data.created])).toEqual([
      ['incident', 'alpha-incident', true],
      ['stakeholders', 'alpha-stakeholders', true],
    ]);
    expect(fake.calls.filter((c) => c.method === 'conversations.invite').map((c) => [c.args.channel, c.args.users])).toEqual([
      [linked[0]!.data.id, 'U0ALICE'],
      [linked[1]!.data.id, 'U0ALICE'],
    ]);
    // One line delivered, one still owed (rate-limited) when the server stops.
    const q1 = await first.ctoQuestion('alpha');
    await first.until(() => first.delivered(q1.seq).some((e) => e.data.ok), 'first line delivered');
    fake.rateLimit = { count: 1, retryAfter: 5 };
    const q2 = (await first.store.append({ type: 'message.posted', team: 'alpha', source: 'organizer', key: 'staff:alpha:r1', data: { channel: 'incident', author: { kind: 'persona', name: 'Kenji Sato (CTO)' }, persona: 'cto', text: 'Well?', textJa: 'で？' } })).event;
    await first.until(() => first.delivered(q2.seq).length === 1, 'second line rate-limited');
    await first.t.close();

    const second = await setup(create, { dataDir, fake, clock: first.t.clock });
    second.t.clock.advance(5000);
    second.t.slack!.tick();
    await second.until(() => second.delivered(q2.seq).some((e) => e.data.ok), 'owed line delivered after the restart');
    expect(fake.calls.filter((c) => c.method === 'conversations.create')).toHaveLength(2);
    // Japanese team: the persona speaks Japanese, under its Japanese name, in the created channel.
    expect(fake.posts().map((p) => [p.channel, p.username, p.text])).toEqual([
      [linked[0]!.data.id, '佐藤 健二（CTO）', q1.data.textJa],
      [linked[0]!.data.id, '佐藤 健二（CTO）', 'で？'],
    ]);
  });
});
