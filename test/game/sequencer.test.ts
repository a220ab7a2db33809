import { describe, expect, it } from 'vitest';
import type { NewEvent, StoredEvent } from '../../src/events/types.js';
import { createGameState, currentFault, decide, decideGame, reduce, type Command, type GameState } from '../../src/game/sequencer.js';
import { seededDelay } from '../../src/game/rng.js';
import { Log, testScenario } from './fixture.js';

const scenario = testScenario();
const by = { kind: 'organizer' as const, name: 'org' };

/** The pure machine driven by hand: appends are applied at once; inject/revert are returned. */
class Sim {
  state: GameState = createGameState();
  log = new Log();
  now = 0;
  constructor(
    readonly team = 'red',
    seed = 42,
    readonly sc = scenario,
  ) {
    this.apply({ type: 'team.created', source: 'o', data: { id: team, name: 'Red', members: [], tokenHash: 'x', portBase: null, seed, by } });
  }
  apply(e: NewEvent, at?: number): StoredEvent {
    const s = this.log.add(e, this.now, at ?? this.now);
    reduce(this.sc, this.state, s);
    return s;
  }
  start() {
    this.apply({ type: 'game.started', source: 'o', data: { by } });
  }
  fault(id = this.cur().id) {
    return this.state.teams[this.team]!.faults.find((f) => f.id === id)!;
  }
  cur() {
    return currentFault(this.state.teams[this.team]!)!;
  }
  /** Decide at `now`, applying appends until only effects remain; returns those effects. */
  /** Probe checks since injection, as the game reports them; undefined: not counted. */
  checks: number | undefined;
  /** What the target answers to "is the change still in place?", and the attempts it was asked about. */
  inPlace = true;
  asked: string[] = [];
  step(now = this.now, max = 10): Command[] {
    this.now = now;
    const effects: Command[] = [];
    const counted = this.checks === undefined ? {} : { checksSinceInjection: () => this.checks as number };
    for (let i = 0; i < max; i++) {
      const cmds = decide(this.sc, this.state, this.team, { now: this.now, maxInjectAttempts: 2, ...counted });
      const appends = cmds.filter((c) => c.kind === 'append' || c.kind === 'check_presence');
      effects.push(...cmds.filter((c) => c.kind !== 'append' && c.kind !== 'check_presence'));
      if (!appends.length) break;
      for (const c of appends) {
        if (c.kind === 'append') for (const e of c.events) this.apply(e);
        // The target's answer, as the Game records it (an effect whose answer is an event).
        if (c.kind === 'check_presence') {
          this.asked.push(`${c.fault}#${c.attempt}`);
          this.apply({ type: 'fault.presence_checked', team: this.team, source: 'game', data: { fault: c.fault, attempt: c.attempt, inPlace: this.inPlace } });
        }
      }
    }
    return effects;
  }
  types(from = 0): string[] {
    return this.log.events.slice(from).map((e) => e.type);
  }
  inject(attempt = 1) {
    const f = this.cur();
    this.apply({ type: 'fault.injecting', team: this.team, source: 'game', data: { fault: f.id, attempt, handle: { h: attempt } } });
    this.apply({ type: 'fault.injected', team: this.team, source: 'game', data: { fault: f.id, attempt, deadlineAt: this.now + 30 * 60_000 } });
  }
  probe(probe: string, up: boolean, since = this.now) {
    this.apply({ type: up ? 'probe.recovered' : 'probe.failed', team: this.team, source: 'probe', data: { probe, evidence: {}, since } });
  }
  incident(kind: 'triggered' | 'acknowledged' | 'resolved' | 'reopened', id = 'inc1', occurredAtWall = this.now) {
    if (kind === 'triggered') this.apply({ type: 'incident.triggered', team: this.team, source: 'board', data: { incident: id, via: 'board', title: 't', occurredAtWall } });
    else this.apply({ type: `incident.${kind}`, team: this.team, source: 'board', data: { incident: id, via: 'board', occurredAtWall } } as NewEvent);
  }
  last<T extends StoredEvent['type']>(type: T): Extract<StoredEvent, { type: T }> | undefined {
    return this.log.events.filter((e) => e.type === type).at(-1) as Extract<StoredEvent, { type: T }> | undefined;
  }
}

/** A sim whose first fault is injected and has taken (page red) at game time `at`. */
function injectedSim(at = 100_000): Sim {
  const s = new Sim();
  s.start();
  s.step(0);
  s.now = at;
  s.inject();
  s.probe('page', false);
  return s;
}

describe('sequencer: arming and injecting', () => {
  it('does nothing before the game starts', () => {
    const s = new Sim();
    expect(s.step(0)).toEqual([]);
    expect(s.types()).toEqual(['team.created']);
  });

  it('arms the first fault at start with a delay drawn from the team seed, within the window', () => {
    const s = new Sim('red', 7);
    s.start();
    s.step(0);
    const armed = s.last('fault.armed')!;
    expect(armed.data.fault).toBe('route');
    expect(armed.data.dueAt).toBe(seededDelay(7, 'route', 60_000, 120_000));
    expect(armed.data.dueAt).toBeGreaterThanOrEqual(60_000);
    expect(armed.data.dueAt).toBeLessThanOrEqual(120_000);
    // Another seed, another (deterministic) delay: teams are not hit in lockstep.
    const other = new Sim('blue', 8);
    other.start();
    other.step(0);
    expect(other.last('fault.armed')!.data.dueAt).toBe(seededDelay(8, 'route', 60_000, 120_000));
  });

  it('caps the delay in demo mode', () => {
    const s = new Sim();
    s.start();
    decide(scenario, s.state, 'red', { now: 0, maxInjectAttempts: 2, maxDelayMs: 5_000 }).forEach((c) => c.kind === 'append' && c.events.forEach((e) => s.apply(e)));
    expect(s.last('fault.armed')!.data.dueAt).toBeLessThanOrEqual(5_000);
  });

  it('injects only when due and only while running', () => {
    const s = new Sim();
    s.start();
    s.step(0);
    const due = s.fault().dueAt!;
    expect(s.step(due - 1)).toEqual([]);
    s.apply({ type: 'game.paused', source: 'o', data: { by } });
    expect(s.step(due + 5)).toEqual([]);
    s.apply({ type: 'game.resumed', source: 'o', data: { by } });
    expect(s.step(due + 5)).toEqual([{ kind: 'inject', team: 'red', fault: 'route', attempt: 1, resume: false }]);
  });

  it('resumes an injection whose handle was recorded but not confirmed (crash between the two)', () => {
    const s = new Sim();
    s.start();
    s.step(0);
    s.apply({ type: 'fault.injecting', team: 'red', source: 'game', data: { fault: 'route', attempt: 1, handle: { a: 1 } } });
    expect(s.step(s.now)).toEqual([{ kind: 'inject', team: 'red', fault: 'route', attempt: 1, resume: true }]);
  });
});

describe('sequencer: detection and recovery, in either order', () => {
  it('maps incident facts to fault.detected / fault.acknowledged, once each', () => {
    const s = injectedSim();
    s.now = 130_000;
    s.incident('triggered', 'inc1', 130_000);
    s.step();
    s.now = 150_000;
    s.incident('acknowledged', 'inc1', 150_000);
    s.incident('triggered', 'inc2', 150_000);
    s.step();
    expect(s.types().filter((t) => t.startsWith('fault.'))).toEqual(['fault.armed', 'fault.injecting', 'fault.injected', 'fault.detected', 'fault.acknowledged']);
    expect(s.last('fault.detected')!.data).toEqual({ fault: 'route', incident: 'inc1', via: 'board', at: 130_000 });
    expect(s.last('fault.acknowledged')!.data.at).toBe(150_000);
  });

  it('dates a late-reported incident fact by its own timestamp (a webhook or poll that arrives late)', () => {
    const s = injectedSim();
    s.now = 200_000;
    s.incident('triggered', 'inc1', 140_000); // happened at 140 s, reported at 200 s
    s.step();
    expect(s.last('fault.detected')!.data.at).toBe(140_000);
  });

  it('recovered first, then incident resolved → resolved by incident; greenSince = when probes turned green', () => {
    const s = injectedSim();
    s.incident('triggered');
    s.now = 300_000;
    s.probe('page', true, 280_000);
    s.step();
    expect(s.last('fault.recovered')!.data).toEqual({ fault: 'route', greenSince: 280_000 });
    expect(s.fault('route').state).toBe('recovered');
    s.now = 320_000;
    s.incident('resolved');
    s.step();
    expect(s.last('fault.resolved')!.data).toEqual({ fault: 'route', by: 'incident' });
    expect(s.last('fault.premature_resolve')).toBeUndefined();
  });

  it('incident resolved while probes are red → premature (recorded, fault stays open); grace resolves after recovery', () => {
    const s = injectedSim();
    s.incident('triggered');
    s.now = 200_000;
    s.incident('resolved');
    s.step();
    expect(s.last('fault.premature_resolve')!.data).toMatchObject({ fault: 'route', incident: 'inc1', at: 200_000 });
    expect(s.fault('route').state).toBe('injected');
    s.now = 300_000;
    s.probe('page', true, 290_000);
    s.step();
    expect(s.fault('route').state).toBe('recovered');
    expect(s.step(300_000 + 3 * 60_000 - 1)).toEqual([]);
    expect(s.last('fault.resolved')).toBeUndefined();
    s.step(300_000 + 3 * 60_000);
    expect(s.last('fault.resolved')!.data.by).toBe('grace');
    // Exactly one premature record for that resolve.
    expect(s.types().filter((t) => t === 'fault.premature_resolve')).toHaveLength(1);
  });

  it('a reopened and re-resolved incident after recovery resolves the fault by incident', () => {
    const s = injectedSim();
    s.incident('triggered');
    s.incident('resolved'); // premature
    s.step();
    s.now = 250_000;
    s.probe('page', true);
    s.step();
    s.incident('reopened');
    s.incident('resolved');
    s.step();
    expect(s.last('fault.resolved')!.data.by).toBe('incident');
  });

  it('recovery without any incident resolves by grace; then the next fault is armed from that moment', () => {
    const s = injectedSim();
    s.now = 400_000;
    s.probe('page', true);
    s.step();
    s.step(400_000 + 180_000);
    const resolved = s.last('fault.resolved')!;
    expect(resolved.data.by).toBe('grace');
    const armed = s.last('fault.armed')!;
    expect(armed.data.fault).toBe('db');
    expect(armed.data.dueAt).toBe(resolved.gameTime + seededDelay(42, 'db', 60_000, 120_000));
  });

  it('a relapse before resolution reopens the fault; recovery needs green again', () => {
    const s = injectedSim();
    s.now = 200_000;
    s.probe('page', true);
    s.step();
    s.now = 220_000;
    s.probe('page', false);
    s.step();
    expect(s.last('fault.relapsed')!.data).toEqual({ fault: 'route', probe: 'page' });
    expect(s.fault('route').state).toBe('injected');
    s.now = 260_000;
    s.probe('page', true);
    s.step();
    expect(s.last('fault.recovered')!.data.greenSince).toBe(260_000);
    expect(s.types().filter((t) => t === 'fault.recovered')).toHaveLength(2);
  });

  it('does not count recovery before the injection took', () => {
    const s = new Sim();
    s.start();
    s.step(0);
    s.now = 100_000;
    s.inject();
    s.step(110_000);
    expect(s.last('fault.recovered')).toBeUndefined();
  });
});

describe('sequencer: deadline, failed injections, organizer actions', () => {
  it('deadline → timed_out and an auto-revert of the recorded handle; the next fault waits for the revert', () => {
    const s = injectedSim(100_000);
    const deadline = s.fault('route').deadlineAt!;
    expect(s.step(deadline - 1)).toEqual([]);
    const effects = s.step(deadline);
    expect(s.last('fault.timed_out')!.data.fault).toBe('route');
    expect(effects).toEqual([{ kind: 'revert', team: 'red', fault: 'route', attempt: 1, handle: { h: 1 } }]);
    // Nothing else happens until the revert result is in the log.
    expect(s.types().at(-1)).toBe('fault.timed_out');
    s.apply({ type: 'fault.revert_result', team: 'red', source: 'game', data: { fault: 'route', ok: true, detail: 'ok' } });
    s.step();
    expect(s.last('fault.armed')!.data.fault).toBe('db');
  });

  it('an extended deadline moves the timeout', () => {
    const s = injectedSim(100_000);
    const deadline = s.fault('route').deadlineAt!;
    s.apply({ type: 'fault.deadline_extended', team: 'red', source: 'o', data: { fault: 'route', deadlineAt: deadline + 60_000, by } });
    s.step(deadline + 1);
    expect(s.last('fault.timed_out')).toBeUndefined();
    s.step(deadline + 60_000);
    expect(s.last('fault.timed_out')).toBeDefined();
  });

  it('a recovered fault is not timed out (it resolves by grace)', () => {
    const s = injectedSim(100_000);
    const deadline = s.fault('route').deadlineAt!;
    s.now = deadline - 10_000;
    s.probe('page', true);
    s.step();
    s.step(deadline + 1);
    expect(s.last('fault.timed_out')).toBeUndefined();
  });

  it('an injection that does not take is reported, reverted and retried, then voided — never scored', () => {
    const s = new Sim();
    s.start();
    s.step(0);
    s.now = 100_000;
    s.inject(1);
    let effects = s.step(100_000 + 60_000);
    const failed = s.last('fault.injection_failed')!;
    expect(failed.data).toMatchObject({ fault: 'route', attempt: 1, retry: true });
    expect(s.last('warning.raised')!.data.code).toBe('injection_not_taken');
    expect(effects).toEqual([{ kind: 'revert', team: 'red', fault: 'route', attempt: 1, handle: { h: 1 } }]);
    s.apply({ type: 'fault.revert_result', team: 'red', source: 'game', data: { fault: 'route', ok: true, detail: '' } });
    const due = s.fault('route').dueAt!;
    expect(due).toBe(160_000 + 30_000);
    effects = s.step(due);
    expect(effects).toEqual([{ kind: 'inject', team: 'red', fault: 'route', attempt: 2, resume: false }]);
    s.inject(2);
    effects = s.step(due + 60_000);
    expect(s.last('fault.injection_failed')!.data).toMatchObject({ attempt: 2, retry: false });
    expect(s.last('fault.voided')!.data.fault).toBe('route');
    expect(s.fault('route').state).toBe('voided');
    expect(s.last('fault.recovered')).toBeUndefined();
    expect(effects).toEqual([{ kind: 'revert', team: 'red', fault: 'route', attempt: 2, handle: { h: 2 } }]);
  });

  it('does not call an injection failed before the recovery probes have checked enough times (a loaded machine)', () => {
    const s = new Sim();
    s.start();
    s.step(0);
    s.now = 100_000;
    s.inject(1);
    const threshold = Math.max(...scenario.faults[0]!.recoveredWhen.map((id) => scenario.probes.find((p) => p.id === id)!.failureThreshold));
    s.checks = threshold; // the probes ran late: one check short of seeing a failure twice plus one
    s.step(100_000 + 10 * 60_000);
    expect(s.last('fault.injection_failed')).toBeUndefined();
    s.checks = threshold + 1;
    s.step(100_000 + 10 * 60_000 + 1);
    expect(s.last('fault.injection_failed')!.data).toMatchObject({ attempt: 1, retry: true });
  });

  it('organizer revert and skip end the fault, revert its handle, and move on', () => {
    const s = injectedSim();
    s.apply({ type: 'fault.reverted', team: 'red', source: 'o', data: { fault: 'route', by, reason: 'broken' } });
    expect(s.step()).toEqual([{ kind: 'revert', team: 'red', fault: 'route', attempt: 1, handle: { h: 1 } }]);
    s.apply({ type: 'fault.revert_result', team: 'red', source: 'game', data: { fault: 'route', ok: true, detail: '' } });
    s.step();
    expect(s.cur().id).toBe('db');
    expect(s.cur().state).toBe('armed');
    // Skipping an armed fault needs no revert.
    s.apply({ type: 'fault.skipped', team: 'red', source: 'o', data: { fault: 'db', by, reason: 'time' } });
    expect(s.step()).toEqual([]);
    expect(currentFault(s.state.teams.red!)).toBeUndefined();
  });

  it('replaying the same log gives the same state (restart)', () => {
    const s = injectedSim();
    s.incident('triggered');
    s.now = 300_000;
    s.probe('page', true, 280_000);
    s.step();
    const replay = createGameState();
    for (const e of s.log.events) reduce(scenario, replay, e);
    expect(replay).toEqual(s.state);
    expect(decide(scenario, replay, 'red', { now: 300_000, maxInjectAttempts: 2 })).toEqual(decide(scenario, s.state, 'red', { now: 300_000, maxInjectAttempts: 2 }));
  });
});

describe('sequencer: defects of the first release', () => {
  it('defect 1: a recovery probe red for another reason when the change lands does not make the fault taken, so its recovery earns nothing', () => {
    // site-unreachable breaks only the page, but recovery needs page and api green.
    const sc = testScenario();
    sc.faults[0]!.recoveredWhen = ['page', 'api'];
    const s = new Sim('red', 42, sc);
    s.start();
    s.step(0);
    s.now = 99_000;
    s.probe('api', false); // kill -9 of the backend just before the injection
    s.now = 100_000;
    s.inject();
    s.step();
    s.now = 101_000;
    s.probe('api', true); // the backend restarts; the page probe has not seen the change yet
    s.step();
    expect(s.last('fault.recovered')).toBeUndefined();
    expect(s.fault('route').state).toBe('injected');
    // Then the page probe sees the fault; fixing it recovers, greenSince = the fix, not the injection.
    s.now = 110_000;
    s.probe('page', false);
    s.step();
    s.now = 200_000;
    s.probe('page', true);
    s.step();
    expect(s.last('fault.recovered')!.data.greenSince).toBe(200_000);
  });

  it('defect 9: a change the team undid before any probe turned red is not injected again: voided, not scored', () => {
    const s = new Sim();
    s.start();
    s.step(0);
    s.now = 100_000;
    s.inject(1);
    s.inPlace = false; // the team fixed it silently
    const effects = s.step(100_000 + 60_000);
    expect(s.asked).toEqual(['route#1']);
    expect(s.last('fault.presence_checked')!.data).toMatchObject({ fault: 'route', attempt: 1, inPlace: false });
    expect(s.last('fault.injection_failed')).toBeUndefined();
    expect(s.last('fault.voided')!.data.reason).toMatch(/fixed before any probe saw it/);
    expect(s.last('warning.raised')!.data.code).toBe('fixed_before_seen');
    expect(s.fault('route').state).toBe('voided');
    expect(effects.filter((c) => c.kind === 'inject')).toEqual([]);
    // The sequence goes on with the next fault (the revert is a compare-and-swap: nothing to undo).
    s.apply({ type: 'fault.revert_result', team: 'red', source: 'game', data: { fault: 'route', ok: true, detail: 'nothing to restore' } });
    s.step();
    expect(s.cur().id).toBe('db');
  });

  it('defect 9: a change still in place that no probe saw is retried as before (the answer is asked once per attempt)', () => {
    const s = new Sim();
    s.start();
    s.step(0);
    s.now = 100_000;
    s.inject(1);
    s.step(100_000 + 60_000);
    s.step(100_000 + 61_000);
    expect(s.asked).toEqual(['route#1']);
    expect(s.last('fault.injection_failed')!.data).toMatchObject({ attempt: 1, retry: true });
  });

  it('defect 3: the game finishes by itself at the scenario duration (game time), once', () => {
    const s = new Sim();
    s.start();
    const end = scenario.game.durationMs;
    expect(decideGame(scenario, s.state, end - 1)).toEqual([]);
    const cmds = decideGame(scenario, s.state, end);
    expect(cmds).toEqual([{ kind: 'append', events: [{ type: 'game.finished', source: 'game', key: 'game.finished', data: { by: { kind: 'system', name: 'firedrill' } } }] }]);
    for (const c of cmds) if (c.kind === 'append') for (const e of c.events) s.apply(e);
    expect(s.state.phase).toBe('finished');
    expect(s.state.finishedBy).toBe('duration');
    expect(decideGame(scenario, s.state, end + 1)).toEqual([]);
  });

  it('defect 3: paused game time does not count toward the duration; a paused game is not finished', () => {
    const s = new Sim();
    s.start();
    s.apply({ type: 'game.paused', source: 'o', data: { by } });
    expect(decideGame(scenario, s.state, scenario.game.durationMs + 1)).toEqual([]);
  });
});
