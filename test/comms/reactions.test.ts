import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { hashToken } from '../../src/tokens.js';
import type { ManualClock } from '../../src/clock.js';
import type { EventStore } from '../../src/events/store.js';
import { testApp } from '../helpers.js';

/** Personas that react, on a real event log: follow-ups and escalations posted once each (restart-safe), spectator reports forwarded as quoted text. */
const MIN = 60_000;
const by = { kind: 'organizer' as const, name: 'o' };
const scenario = fromRoot('test/fixtures/scenarios/reactions.yaml');
const dirs: string[] = [];
type Posted = { key: string | null; data: { kind?: string; text: string; expectsAnswer?: boolean } };
const reports = async (store: EventStore) => ((await store.read({ types: ['message.posted'] })) as unknown as Posted[]).filter((e) => e.data.kind === 'report');
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

async function start(dir: string, clock?: ManualClock) {
  return testApp({ scenario }, { dataDir: dir, ...(clock ? { clock } : {}) });
}

describe('personas that react', () => {
  it('follows up once on an answer that lacks what was asked, escalates an unanswered question once, and neither again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-react-'));
    dirs.push(dir);
    const rt = await start(dir);
    const { store, comms } = rt.services;
    await store.append({ type: 'team.created', source: 'organizer', team: 't1', data: { id: 't1', name: 'Team One', members: [], tokenHash: hashToken('t1-token'), portBase: null, seed: 1, by } });
    await store.append({ type: 'game.started', source: 'organizer', data: { by } });
    await store.append({ type: 'fault.injected', source: 'test', team: 't1', data: { fault: 'unreachable', attempt: 1, deadlineAt: 30 * MIN } });
    rt.clock.advance(4 * MIN);
    await comms.tick();
    const [q] = await store.read({ types: ['message.posted'] });
    expect(q).toMatchObject({ key: 'persona:t1:unreachable:0', data: { expects: ['eta', 'impact'], answerWithinMs: 5 * MIN } });
    // An answer with the impact but no ETA: the CTO asks for the ETA, once.
    const a = await store.append({ type: 'message.posted', source: 'team', team: 't1', data: { channel: 'incident', author: { kind: 'team', name: 'Aiko' }, text: 'All users are affected; we are looking at the ingress routes.', replyTo: q!.seq } });
    await comms.tick();
    await comms.tick();
    const follow = (await store.read({ types: ['message.posted'] })).filter((e) => e.key?.includes(':followup:'));
    expect(follow).toHaveLength(1);
    expect(follow[0]).toMatchObject({ key: 'persona:t1:unreachable:0:followup:1', data: { kind: 'followup', expectsAnswer: true, expects: ['eta'], replyTo: a.event.seq, text: 'So when will it be back?', textJa: 'で、いつ直るの？' } });

    // The support question (at 5m, window 3m) goes unanswered: one escalation after 8m, flagged for judges.
    rt.clock.advance(MIN);
    await comms.tick();
    rt.clock.advance(4 * MIN);
    await comms.tick();
    await comms.tick();
    const esc = (await store.read({ types: ['message.posted'] })).filter((e) => e.key?.endsWith(':escalation'));
    // The support question's own, and the CTO's chain (its follow-up went unanswered too).
    expect(esc.map((e) => e.key).sort()).toEqual(['persona:t1:unreachable:0:escalation', 'persona:t1:unreachable:1:escalation']);
    expect(esc.find((e) => e.key!.includes(':1:'))).toMatchObject({ data: { kind: 'escalation', flagJudges: true, channel: 'stakeholders', persona: 'support' } });
    const count = (await store.read({ types: ['message.posted'] })).length;
    await rt.close();

    const again = await start(dir, rt.clock);
    again.clock.advance(MIN);
    expect(await again.services.comms.tick()).toBe(0);
    expect(await again.services.store.read({ types: ['message.posted'] })).toHaveLength(count);
    await again.close();
  });

  it('forwards spectator reports to #stakeholders as quoted text from customer support, at most 2 per game minute, then one summary', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-react-'));
    dirs.push(dir);
    const rt = await start(dir);
    const { store, comms } = rt.services;
    await store.append({ type: 'team.created', source: 'organizer', team: 't1', data: { id: 't1', name: 'Team One', members: [], tokenHash: hashToken('t1-token'), portBase: null, seed: 1, by } });
    await store.append({ type: 'game.started', source: 'organizer', data: { by } });
    for (const text of ['<b>chat</b> is down for me', 'cannot log in', 'page is blank', 'still broken']) {
      await rt.app.inject({ method: 'POST', url: '/api/teams/t1/reports', payload: { text } });
    }
    await comms.tick();
    let fwd = await reports(store);
    expect(fwd.map((e) => e.data.text)).toEqual(['User report (forwarded by customer support, quoted as written): “<b>chat</b> is down for me”', 'User report (forwarded by customer support, quoted as written): “cannot log in”']);
    expect(fwd[0]).toMatchObject({ data: { channel: 'stakeholders', persona: 'support', author: { kind: 'persona', name: 'Mika Ito (Customer Support)' } } });
    expect(fwd[0]!.data.expectsAnswer).toBeUndefined();
    rt.clock.advance(MIN);
    await comms.tick();
    await comms.tick();
    fwd = await reports(store);
    expect(fwd).toHaveLength(3);
    expect(fwd[2]!.data.text).toBe('2 more user reports came in that minute (not forwarded one by one).');
    // The organizer console still sees every raw report.
    expect(await store.read({ types: ['report.filed'] })).toHaveLength(4);
    await rt.close();
  });
});
