import type { Actor, NewEvent, StoredEvent } from '../events/types.js';
import type { EventStore } from '../events/store.js';
import type { Scenario } from '../scenario/types.js';
import type { TargetAdapter } from '../targets/types.js';
import { Conflict, NotFound } from '../errors.js';
import { wallInterval } from '../probes/logic.js';
import type { GameClock } from './clock.js';
import { createGameState, currentFault, isOpen, reduce, type GameState } from '../lifecycle/index.js';
import { decide, decideGame, SYSTEM, type Command } from './sequencer.js';

export interface GameLogger {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface GameOptions {
  store: EventStore & { readSync?: () => StoredEvent[] };
  gameClock: GameClock;
  scenario: Scenario;
  /** Looked up on use: the target adapter may be wired after the game. */
  target: () => TargetAdapter | undefined;
  log?: GameLogger;
  /** Demo: cap on each fault's random delay, in game ms. */
  maxDelayMs?: number;
  /** Game ms between a failed attempt and the next. */
  retryAfterMs?: number;
  /** The probes' wall-time interval floor (see ProbeRunner), to size the verification window. */
  probeFloorMs?: number;
  /** Checks a team's probe has completed so far (ProbeRunner.checksOf): verification counts checks, not only time. */
  checksOf?: (team: string, probe: string) => number;
}

const errText = (err: unknown) => (err instanceof Error ? err.message : String(err)).slice(0, 900);

/** A target call that does not answer in time counts as failed (wall time): a hung target never wedges a lane. */
function within<T>(ms: number, what: string, p: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${Math.round(ms / 1000)} s`)), ms);
  });
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The thin effectful shell around the pure sequencer: it folds the log, and on `tick()` (the game
 * loop) or on a new event, appends each decision FIRST and only then acts on it (inject, revert).
 * Each team runs on its own lane so a slow target for one team never holds up the others.
 */
export class Game {
  readonly state: GameState = createGameState();
  private readonly lanes = new Map<string, { running: Promise<void>; again: boolean }>();
  private kickPending = false;
  /** Wall ms a target's plan/inject/revert may take before it counts as failed. */
  targetTimeoutMs = 120_000;
  private closed = false;
  private unsubscribe: () => void = () => {};
  /** Probe check counts when each fault was injected (in memory: after a restart, counted from then). */
  private readonly checksAtInjection = new Map<string, Record<string, number>>();

  constructor(private readonly o: GameOptions) {}

  get scenario(): Scenario {
    return this.o.scenario;
  }

  /** Replay the log, then follow it. Call once, before anything appends. */
  attach(history: Iterable<StoredEvent>): void {
    for (const e of history) reduce(this.o.scenario, this.state, e);
    this.unsubscribe = this.o.store.subscribe((e) => {
      reduce(this.o.scenario, this.state, e);
      // Count verification checks from the moment the fault is in place.
      if (e.type === 'fault.injected' && e.team) this.checksSinceInjection(e.team, e.data.fault);
      if (this.relevant(e)) this.kick();
    });
  }

  private relevant(e: StoredEvent): boolean {
    return !e.type.startsWith('sli.') && e.source !== 'game';
  }

  /** Decide again soon (after the current append's listeners have all run). */
  private kick(): void {
    if (this.kickPending || this.closed || this.state.phase === 'not_started') return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      void this.tick();
    });
  }

  /** Run every team's lane until nothing more is due; resolves when all of them are idle. */
  async tick(): Promise<void> {
    if (this.closed || this.state.phase === 'not_started') return;
    // The game ends by itself at the scenario's duration (before any team decides on a finished game).
    for (const c of decideGame(this.o.scenario, this.state, this.o.gameClock.now())) {
      try {
        await this.exec(c);
      } catch (err) {
        this.o.log?.error({ err, command: c.kind }, 'game command failed');
      }
    }
    await Promise.all(this.state.order.map((team) => this.lane(team)));
  }

  /** Wait for in-flight actions (tests, shutdown). */
  async idle(): Promise<void> {
    await Promise.all([...this.lanes.values()].map((l) => l.running));
  }

  close(): void {
    this.closed = true;
    this.unsubscribe();
  }

  private lane(team: string): Promise<void> {
    const l = this.lanes.get(team);
    if (l) {
      l.again = true;
      return l.running;
    }
    const entry = { running: Promise.resolve(), again: false };
    entry.running = (async () => {
      try {
        do {
          entry.again = false;
          await this.runTeam(team);
        } while (entry.again && !this.closed);
      } finally {
        this.lanes.delete(team);
      }
    })();
    this.lanes.set(team, entry);
    return entry.running;
  }

  /** Game ms the probes need, at the current speed, to see a failure (thresholds × floored interval + a timeout). */
  private minVerifyMs(): number {
    const speed = this.o.gameClock.speed;
    const wall = Math.max(0, ...this.o.scenario.probes.map((p) => (p.failureThreshold + 1) * wallInterval(p.intervalMs, speed, this.o.probeFloorMs ?? 1000) + p.timeoutMs));
    return Math.ceil(wall * speed);
  }

  private checksSinceInjection(team: string, fault: string): number {
    const checksOf = this.o.checksOf;
    const spec = this.o.scenario.faults.find((f) => f.id === fault);
    if (!checksOf || !spec) return Infinity;
    const id = `${team}/${fault}/${this.state.teams[team]?.faults.find((f) => f.id === fault)?.attempt ?? 0}`;
    let at = this.checksAtInjection.get(id);
    if (!at) this.checksAtInjection.set(id, (at = Object.fromEntries(spec.recoveredWhen.map((p) => [p, checksOf(team, p)]))));
    return Math.min(...spec.recoveredWhen.map((p) => checksOf(team, p) - (at[p] ?? 0)));
  }

  private ctx() {
    return {
      now: this.o.gameClock.now(),
      minVerifyMs: this.minVerifyMs(),
      ...(this.o.checksOf ? { checksSinceInjection: (team: string, fault: string) => this.checksSinceInjection(team, fault) } : {}),
      maxInjectAttempts: this.o.scenario.game.maxInjectAttempts,
      ...(this.o.maxDelayMs !== undefined ? { maxDelayMs: this.o.maxDelayMs } : {}),
      ...(this.o.retryAfterMs !== undefined ? { retryAfterMs: this.o.retryAfterMs } : {}),
    };
  }

  private async runTeam(team: string): Promise<void> {
    // Each round appends or acts, which changes the fold; a bound keeps a bug from spinning.
    for (let round = 0; round < 25 && !this.closed; round++) {
      const cmds = decide(this.o.scenario, this.state, team, this.ctx());
      if (!cmds.length) return;
      for (const c of cmds) {
        try {
          await this.exec(c);
        } catch (err) {
          this.o.log?.error({ err, team, command: c.kind }, 'game command failed');
          return; // try again on the next tick
        }
      }
    }
  }

  private async exec(c: Command): Promise<void> {
    switch (c.kind) {
      case 'append':
        await this.o.store.appendMany(c.events);
        return;
      case 'inject':
        return this.inject(c.team, c.fault, c.attempt, c.resume);
      case 'revert':
        return this.revert(c.team, c.fault, c.attempt, c.handle);
      case 'check_presence':
        return this.checkPresence(c.team, c.fault, c.attempt, c.handle);
    }
  }

  private async inject(team: string, faultId: string, attempt: number, resume: boolean): Promise<void> {
    const spec = this.o.scenario.faults.find((f) => f.id === faultId);
    if (!spec) return;
    const req = { team, fault: faultId, actions: spec.inject };
    const key = (what: string) => `game:${team}:${faultId}:${what}:${attempt}`;
    const target = this.o.target();
    const fail = async (reason: string) => {
      const retry = attempt < this.o.scenario.game.maxInjectAttempts;
      const now = this.o.gameClock.now();
      const batch: NewEvent[] = [
        { type: 'fault.injection_failed', team, source: 'game', key: key('failed'), data: { fault: faultId, attempt, reason, retry } },
        {
          type: 'warning.raised',
          team,
          source: 'game',
          key: key('warning:failed'),
          data: { code: 'injection_failed', fault: faultId, message: `${team}: injecting ${faultId} failed (attempt ${attempt}): ${reason}` },
        },
        retry
          ? { type: 'fault.armed', team, source: 'game', key: key('armed:retry'), data: { fault: faultId, dueAt: now + (this.o.retryAfterMs ?? 30_000) } }
          : { type: 'fault.voided', team, source: 'game', key: `game:${team}:${faultId}:voided`, data: { fault: faultId, reason: `injection failed ${attempt} times: ${reason}` } },
      ];
      await this.o.store.appendMany(batch);
    };
    if (!target) return fail('no target adapter is configured');

    let handle: unknown;
    if (resume) {
      handle = this.state.teams[team]?.faults.find((f) => f.id === faultId)?.handle;
    } else {
      try {
        handle = (await within(this.targetTimeoutMs, 'plan', target.plan(req))).handle;
      } catch (err) {
        return fail(`plan: ${errText(err)}`);
      }
      // The handle is in the log before anything changes, so a crash here can still be undone.
      await this.o.store.append({ type: 'fault.injecting', team, source: 'game', key: key('injecting'), data: { fault: faultId, attempt, handle } });
    }
    try {
      await within(this.targetTimeoutMs, 'inject', target.inject(req, handle));
    } catch (err) {
      return fail(`inject: ${errText(err)}`);
    }
    const deadlineAt = this.o.gameClock.now() + spec.timing.deadlineMs;
    await this.o.store.append({ type: 'fault.injected', team, source: 'game', key: key('injected'), data: { fault: faultId, attempt, deadlineAt } });
  }

  private async revert(team: string, faultId: string, attempt: number, handle: unknown): Promise<void> {
    const target = this.o.target();
    const key = `game:${team}:${faultId}:revert_result:${attempt}`;
    let ok = false;
    let detail: string;
    if (!target) detail = 'no target adapter is configured';
    else {
      try {
        const r = await within(this.targetTimeoutMs, 'revert', target.revert(team, handle));
        ok = true;
        detail = r.detail || (r.changed ? 'reverted' : 'nothing to revert');
      } catch (err) {
        detail = errText(err);
      }
    }
    const batch: NewEvent[] = [{ type: 'fault.revert_result', team, source: 'game', key, data: { fault: faultId, ok, detail } }];
    if (!ok) {
      batch.push({
        type: 'warning.raised',
        team,
        source: 'game',
        key: `${key}:warning`,
        data: { code: 'revert_failed', fault: faultId, message: `${team}: reverting ${faultId} failed: ${detail}` },
      });
    }
    await this.o.store.appendMany(batch);
  }

  /** Is the attempt's change still in place? The answer is logged before the sequencer acts on it. */
  private async checkPresence(team: string, faultId: string, attempt: number, handle: unknown): Promise<void> {
    const target = this.o.target();
    let inPlace = true;
    let detail: string | undefined;
    if (!target) detail = 'no target adapter is configured: assumed in place';
    else {
      try {
        inPlace = await within(this.targetTimeoutMs, 'inPlace', target.inPlace(team, handle));
      } catch (err) {
        // Unknown counts as in place: the old rule (not taken → retry) applies.
        detail = `could not check, assumed in place: ${errText(err)}`.slice(0, 500);
      }
    }
    await this.o.store.append({
      type: 'fault.presence_checked',
      team,
      source: 'game',
      key: `game:${team}:${faultId}:presence:${attempt}`,
      data: { fault: faultId, attempt, inPlace, ...(detail !== undefined ? { detail } : {}) },
    });
  }

  // ------------------------------------------------------------ organizer commands

  private team(id: string) {
    const t = this.state.teams[id];
    if (!t) throw new NotFound(`no team '${id}'`);
    return t;
  }

  private run(team: string, fault: string) {
    const t = this.team(team);
    const f = t.faults.find((x) => x.id === fault);
    if (!f) throw new NotFound(`no fault '${fault}' in the scenario (faults: ${t.faults.map((x) => x.id).join(', ')})`);
    return f;
  }

  async start(by: Actor): Promise<void> {
    if (this.state.phase !== 'not_started') throw new Conflict(this.state.phase === 'finished' ? 'the game is finished' : 'the game has already started');
    await this.o.store.append({ type: 'game.started', source: 'organizer', key: 'game.started', data: { by } });
    await this.tick();
  }

  async pause(by: Actor): Promise<void> {
    if (this.state.phase !== 'running') throw new Conflict(this.state.phase !== 'not_started' ? 'the game is not running' : 'the game has not started');
    await this.o.store.append({ type: 'game.paused', source: 'organizer', data: { by } });
  }

  async resume(by: Actor): Promise<void> {
    if (this.state.phase === 'not_started' || this.state.phase === 'finished') throw new Conflict(this.state.phase === 'finished' ? 'the game is finished' : 'the game has not started');
    if (this.state.phase === 'running') throw new Conflict('the game is already running');
    await this.o.store.append({ type: 'game.resumed', source: 'organizer', data: { by } });
    await this.tick();
  }

  async finish(by: Actor): Promise<void> {
    if (this.state.phase === 'not_started') throw new Conflict('the game has not started');
    if (this.state.phase === 'finished') throw new Conflict('the game is already finished');
    await this.o.store.append({ type: 'game.finished', source: 'organizer', key: 'game.finished', data: { by } });
  }

  async setSpeed(speed: number, by: Actor): Promise<void> {
    await this.o.store.append({ type: 'game.speed_set', source: by.kind === 'system' ? 'game' : 'organizer', data: { speed, by } });
  }

  /** Trigger the team's next fault now (it must be waiting, not in play). */
  async next(team: string, by: Actor): Promise<{ fault: string }> {
    if (this.state.phase !== 'running') throw new Conflict('the game is not running');
    const t = this.team(team);
    const f = currentFault(t);
    if (!f) throw new Conflict(`${team} has played every fault`);
    if (f.state !== 'pending' && f.state !== 'armed') throw new Conflict(`fault ${f.id} is already ${f.state} for ${team}`);
    await this.o.store.append({ type: 'fault.armed', team, source: 'organizer', data: { fault: f.id, dueAt: this.o.gameClock.now(), by } });
    await this.lane(team);
    return { fault: f.id };
  }

  async revertFault(team: string, fault: string, by: Actor, reason: string): Promise<void> {
    const f = this.run(team, fault);
    if (!isOpen(f.state)) throw new Conflict(`fault ${fault} is ${f.state} for ${team}: only an injected fault can be reverted`);
    await this.o.store.append({ type: 'fault.reverted', team, source: 'organizer', data: { fault, by, reason } });
    await this.lane(team);
  }

  async skip(team: string, fault: string, by: Actor, reason: string): Promise<void> {
    const f = this.run(team, fault);
    if (currentFault(this.team(team))?.id !== fault) throw new Conflict(`fault ${fault} is not ${team}'s current fault (it is ${f.state})`);
    await this.o.store.append({ type: 'fault.skipped', team, source: 'organizer', data: { fault, by, reason } });
    await this.lane(team);
  }

  async extend(team: string, fault: string, minutes: number, by: Actor): Promise<{ deadlineAt: number }> {
    const f = this.run(team, fault);
    if (!isOpen(f.state) || f.deadlineAt === null) throw new Conflict(`fault ${fault} is ${f.state} for ${team}: only an injected fault has a deadline`);
    const deadlineAt = f.deadlineAt + Math.round(minutes * 60_000);
    await this.o.store.append({ type: 'fault.deadline_extended', team, source: 'organizer', data: { fault, deadlineAt, by } });
    return { deadlineAt };
  }

  /**
   * The kill switch: pause the game and revert every injected fault of every team, as one batch,
   * so nothing new is injected while organizers look.
   */
  async revertAll(by: Actor, reason: string): Promise<{ reverted: Array<{ team: string; fault: string }> }> {
    const reverted: Array<{ team: string; fault: string }> = [];
    const batch: NewEvent[] = [{ type: 'game.revert_all', source: 'organizer', data: { by, reason } }];
    if (this.state.phase === 'running') batch.push({ type: 'game.paused', source: 'organizer', data: { by } });
    for (const id of this.state.order) {
      const f = currentFault(this.team(id));
      if (f && isOpen(f.state)) {
        batch.push({ type: 'fault.reverted', team: id, source: 'organizer', data: { fault: f.id, by, reason } });
        reverted.push({ team: id, fault: f.id });
      }
    }
    await this.o.store.appendMany(batch);
    // Reverts run even though the game is now paused (decide lets reverts through).
    await Promise.all(this.state.order.map((t) => this.lane(t)));
    return { reverted };
  }

  /** Used at start: record the configured speed when it differs from the log's. */
  async ensureSpeed(speed: number): Promise<void> {
    if (this.state.speed !== speed) await this.setSpeed(speed, SYSTEM);
  }
}
