import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { hashToken } from '../../src/tokens.js';
import type { ManualClock } from '../../src/clock.js';
import { testApp } from '../helpers.js';

/** The sign-off persona on a real event log: the ask and the confirmation posted once each, also across a restart. */
const MIN = 60_000;
const by = { kind: 'organizer' as const, name: 'o' };
const scenario = fromRoot('test/fixtures/scenarios/reactions.yaml');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const start = (dir: string, clock?: ManualClock) => testApp({ scenario }, { dataDir: dir, ...(clock ? { clock } : {}) });

describe('sign-off on a real log', () => {
  it('asks "Is it fixed?" once after recovery, signs off once after the notice, and posts nothing again after a restart', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-signoff-'));
    dirs.push(dir);
    const rt = await start(dir);
    const { store, comms } = rt.services;
    expect(rt.services.scenario.game.signOff).toBe(true); // on by default
    await store.append({ type: 'team.created', source: 'organizer', team: 't1', data: { id: 't1', name: 'Team One', members: [], tokenHash: hashToken('t1-token'), portBase: null, seed: 1, by } });
    await store.append({ type: 'game.started', source: 'organizer', data: { by } });
    await store.append({ type: 'fault.injected', source: 'test', team: 't1', data: { fault: 'unreachable', attempt: 1, deadlineAt: 30 * MIN } });
    rt.clock.advance(2 * MIN);
    await store.append({ type: 'fault.recovered', source: 'test', team: 't1', data: { fault: 'unreachable', greenSince: 2 * MIN } });
    await comms.tick();
    await comms.tick();
    const asks = (await store.read({ types: ['message.posted'] })).filter((e) => e.key?.includes(':signoff:ask'));
    expect(asks.map((e) => [e.key, e.data])).toMatchObject([['persona:t1:unreachable:signoff:ask', { channel: 'stakeholders', persona: 'support', text: 'Is it fixed? Can I tell users?' }]]);
    const rt1count = (await store.read({ types: ['message.posted'] })).length;
    await rt.close();

    // Restart before the notice: no second ask.
    const rt2 = await start(dir, rt.clock);
    expect(await rt2.services.comms.tick()).toBe(0);
    expect((await rt2.services.store.read({ types: ['message.posted'] })).length).toBe(rt1count);
    const notice = await rt2.services.store.append({ type: 'message.posted', source: 'team', team: 't1', data: { channel: 'stakeholders', author: { kind: 'team', name: 'Aiko' }, text: 'チャットは全ユーザーで復旧しました。原因はルート設定でした。' } });
    await rt2.services.comms.tick();
    await rt2.services.comms.tick();
    const signed = await rt2.services.store.read({ types: ['fault.signed_off'] });
    expect(signed.map((e) => e.data)).toEqual([{ fault: 'unreachable', notice: notice.event.seq, persona: 'support' }]);
    const count = (await rt2.services.store.read({ types: ['message.posted', 'fault.signed_off'] })).length;
    await rt2.close();

    const rt3 = await start(dir, rt.clock);
    rt3.clock.advance(MIN);
    expect(await rt3.services.comms.tick()).toBe(0);
    expect((await rt3.services.store.read({ types: ['message.posted', 'fault.signed_off'] })).length).toBe(count);
    await rt3.close();
  });
});
