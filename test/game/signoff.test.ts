import { describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../src/events/types.js';
import { dueSignOffs, SIGN_OFF_ASK, SIGN_OFF_CONFIRM } from '../../src/comms/reactions.js';
import { createGameState, decide, reduce, type GameState } from '../../src/game/sequencer.js';
import { score } from '../../src/scoring/index.js';
import { defaultScoring } from '../../src/scenario/load.js';
import type { Scenario } from '../../src/scenario/types.js';
import { Log, testScenario } from './fixture.js';

/**
 * The business-side sign-off (issue 15), pure: the lifecycle fold, the sequencer's decide and the
 * persona director's decision (dueSignOffs) over one hand-driven log. Either order of notice and
 * recovery; the ask once; no notice → resolved at the grace period without the sign-off points.
 */

const MIN = 60_000;
const by = { kind: 'organizer' as const, name: 'org' };
const team = { kind: 'team' as const, name: 'Aiko' };

function signOffScenario(on = true): Scenario {
  const sc = testScenario();
  return {
    ...sc,
    game: { ...sc.game, signOff: on },
    personas: [{ id: 'support', name: { en: 'Mika (Support)', ja: 'ミカ（サポート）' }, role: { en: 'Customer Support', ja: 'カスタマーサポート' } }],
    scoring: defaultScoring(),
  };
}

class Sim {
  state: GameState = createGameState();
  log = new Log();
  now = 0;
  constructor(readonly sc: Scenario) {
    this.apply({ type: 'team.created', source: 'o', data: { id: 'red', name: 'Red', members: [], tokenHash: 'x', portBase: null, seed: 1, by } });
    this.apply({ type: 'game.started', source: 'o', data: { by } });
    this.apply({ type: 'fault.injected', team: 'red', source: 'game', data: { fault: 'route', attempt: 1, deadlineAt: 30 * MIN } });
    this.apply({ type: 'probe.failed', team: 'red', source: 'probe', data: { probe: 'page', evidence: { status: 502 } } });
  }
  apply(e: NewEvent): StoredEvent {
    const s = this.log.add(e, this.now);
    reduce(this.sc, this.state, s);
    return s;
  }
  /** The loop at `now`: the director, then the game's decide, appends applied at once, until nothing more is due. */
  tick(now = this.now): void {
    this.now = now;
    for (let i = 0; i < 5; i++) {
      const n = this.log.events.length;
      for (const e of dueSignOffs(this.sc, 'red', this.log.events.filter((x) => x.team === 'red'))) this.apply(e);
      for (const c of decide(this.sc, this.state, 'red', { now: this.now, maxInjectAttempts: 2 })) if (c.kind === 'append') c.events.forEach((e) => this.apply(e));
      if (this.log.events.length === n) break;
    }
  }
  green(at: number): void {
    this.now = at;
    this.apply({ type: 'probe.recovered', team: 'red', source: 'probe', data: { probe: 'page', evidence: { status: 200 }, since: at } });
  }
  say(text: string, channel: 'stakeholders' | 'incident' = 'stakeholders'): StoredEvent {
    return this.apply({ type: 'message.posted', team: 'red', source: 'team', data: { channel, author: team, text } });
  }
  status(text: string, resolved: boolean): StoredEvent {
    return this.apply({ type: 'status.published', team: 'red', source: 'team', data: { text, resolved, by: team } });
  }
  posted(key: string) {
    return this.log.events.filter((e) => e.key === key);
  }
  run() {
    return this.state.teams.red!.faults[0]!;
  }
  signOffScore() {
    const s = score(this.sc, this.log.events).teams[0]!.breakdown.faults[0]!.communication.automatic.signOff;
    return s;
  }
}

describe('business-side sign-off', () => {
  it('recovered first: the support persona asks once, confirms after a resolution notice in #stakeholders; the fault resolves by the sign-off', () => {
    const s = new Sim(signOffScenario());
    s.green(10 * MIN);
    s.tick();
    expect(s.run().state).toBe('recovered');
    const ask = s.posted('persona:red:route:signoff:ask');
    expect(ask).toHaveLength(1);
    expect(ask[0]!.data).toMatchObject({ channel: 'stakeholders', persona: 'support', text: SIGN_OFF_ASK.en, textJa: '直りましたか？ユーザーに伝えていいですか？' });
    s.tick(12 * MIN);
    expect(s.posted('persona:red:route:signoff:ask')).toHaveLength(1);
    // An incident resolve no longer resolves the fault, and neither do messages that say nothing or not that.
    s.apply({ type: 'incident.triggered', team: 'red', source: 'board', data: { incident: 'i1', via: 'board', title: 't', occurredAtWall: 60_000 } });
    s.apply({ type: 'incident.resolved', team: 'red', source: 'board', data: { incident: 'i1', via: 'board', occurredAtWall: 12 * MIN } });
    s.say('.');
    s.say('Chat is working again for all users now.', 'incident'); // the wrong channel
    s.status('ok', true); // no substance
    s.say('It is not fixed yet, we are still checking the routes.');
    s.tick(12.5 * MIN); // grace (3 min) not over
    expect(s.run().state).toBe('recovered');
    expect(s.log.events.some((e) => e.type === 'fault.signed_off')).toBe(false);
    const notice = s.say('Chat works again for all users; the route was restored.');
    s.tick(12.75 * MIN);
    const signed = s.log.events.filter((e) => e.type === 'fault.signed_off');
    expect(signed.map((e) => [e.key, e.data])).toEqual([['signoff:red:route:1', { fault: 'route', notice: notice.seq, persona: 'support' }]]);
    expect(s.posted('persona:red:route:signoff:1')[0]!.data).toMatchObject({ text: SIGN_OFF_CONFIRM.en, replyTo: notice.seq, persona: 'support' });
    expect(s.run()).toMatchObject({ state: 'resolved', resolvedBy: 'sign_off' });
    expect(s.signOffScore()).toMatchObject({ share: 1, evidence: [notice.seq, signed[0]!.seq] });
    // Deciding again posts nothing more (every event is keyed).
    const n = s.log.events.length;
    s.tick(20 * MIN);
    expect(s.log.events.length).toBe(n);
  });

  it('notice first: a status update marked resolved before the probes are green; the sign-off comes with the recovery, without asking', () => {
    const s = new Sim(signOffScenario());
    s.now = 8 * MIN;
    const upd = s.status('We restored the route; chat should load for everyone again.', true);
    s.tick();
    expect(s.log.events.some((e) => e.type === 'fault.signed_off')).toBe(false);
    s.green(9 * MIN);
    s.tick();
    expect(s.posted('persona:red:route:signoff:ask')).toHaveLength(0);
    expect(s.log.events.find((e) => e.type === 'fault.signed_off')!.data).toMatchObject({ notice: upd.seq });
    expect(s.run()).toMatchObject({ state: 'resolved', resolvedBy: 'sign_off' });
  });

  it('a notice before a relapse is forgotten: the persona asks after the next recovery', () => {
    const s = new Sim(signOffScenario());
    s.now = 5 * MIN;
    s.say('Chat works again for all users; the route was restored.');
    s.green(6 * MIN);
    s.apply({ type: 'fault.recovered', team: 'red', source: 'game', data: { fault: 'route', greenSince: 6 * MIN } });
    s.apply({ type: 'fault.relapsed', team: 'red', source: 'game', data: { fault: 'route', probe: 'page' } });
    s.apply({ type: 'probe.failed', team: 'red', source: 'probe', data: { probe: 'page', evidence: { status: 502 } } });
    s.green(9 * MIN);
    s.tick();
    expect(s.run().state).toBe('recovered');
    expect(s.log.events.some((e) => e.type === 'fault.signed_off')).toBe(false);
    expect(s.posted('persona:red:route:signoff:ask')).toHaveLength(1);
    s.say('二回目の修正を入れました。チャットは復旧しました。');
    s.tick(10 * MIN);
    expect(s.log.events.find((e) => e.type === 'fault.signed_off')!.key).toBe('signoff:red:route:2');
    expect(s.run().resolvedBy).toBe('sign_off');
  });

  it('without a notice the fault resolves only at the grace period, and the sign-off points are lost', () => {
    const s = new Sim(signOffScenario());
    s.green(10 * MIN);
    s.tick();
    s.tick(12 * MIN);
    expect(s.run().state).toBe('recovered');
    s.tick(13 * MIN); // grace is 3 min
    expect(s.run()).toMatchObject({ state: 'resolved', resolvedBy: 'grace' });
    expect(s.signOffScore()).toMatchObject({ share: 0, note: expect.stringContaining('grace') });
  });

  it('with game.signOff false nobody asks and the incident resolve resolves the fault, as before', () => {
    const s = new Sim(signOffScenario(false));
    s.green(10 * MIN);
    s.tick();
    s.apply({ type: 'incident.triggered', team: 'red', source: 'board', data: { incident: 'i1', via: 'board', title: 't', occurredAtWall: 60_000 } });
    s.apply({ type: 'incident.resolved', team: 'red', source: 'board', data: { incident: 'i1', via: 'board', occurredAtWall: 11 * MIN } });
    s.say('Chat works again for all users; the route was restored.');
    s.tick(11 * MIN);
    expect(s.log.events.some((e) => e.key?.includes('signoff'))).toBe(false);
    expect(s.run()).toMatchObject({ state: 'resolved', resolvedBy: 'incident' });
    expect(s.signOffScore().share).toBeNull();
  });
});
