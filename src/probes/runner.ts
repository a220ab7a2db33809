import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import type { Clock } from '../clock.js';
import type { EventStore } from '../events/store.js';
import type { NewEvent, StoredEvent } from '../events/types.js';
import type { Probe } from '../scenario/types.js';
import { runCheck, type CheckResult } from './kinds.js';
import { BROWSER_FLOOR_MS, BrowserProbes } from './browser.js';
import { countSli, initialProbeState, nextDue, observe, phaseFor, wallInterval, type ProbeState, type SliBucket } from './logic.js';

/** What the runner needs of the game clock (the game's GameClock satisfies it); probes sit below game/. */
export interface GameTime {
  /** Game ms now. */
  now(): number;
  readonly started: boolean;
  readonly running: boolean;
  readonly finished: boolean;
  readonly speed: number;
}

export interface ProbeRunnerOptions {
  store: EventStore;
  clock: Clock;
  gameClock: GameTime;
  probes: Probe[];
  /** Teams to probe right now. */
  teams: () => string[];
  /** The team's public base URL (undefined: not reachable yet, skip). */
  urlOf: (team: string) => string | undefined;
  /** Wall-time floor of the interval, so a fast game never hammers (or fails) a healthy service. */
  floorMs?: number;
  /** How often the scheduler looks for due checks (wall ms). */
  resolutionMs?: number;
  log?: { error(obj: object, msg: string): void };
}

/** One completed check, for observers (telemetry, /metrics). `lateMs`: how long after its due time it started. */
export interface CheckObservation {
  team: string;
  probe: Probe;
  result: CheckResult;
  atWall: number;
  lateMs?: number;
}

interface Slot {
  team: string;
  probe: Probe;
  state: ProbeState;
  interval: number;
  start: number;
  due: number;
  inFlight: boolean;
  /** Checks completed since this runner started. */
  checks: number;
}

/**
 * Runs every probe against every team on a fixed grid (`due = start + phase + n·interval`), one
 * check per slot at a time, and appends only transitions (probe.failed / probe.recovered with
 * evidence) and per-game-minute availability counts (sli.minute).
 */
export class ProbeRunner {
  private readonly slots = new Map<string, Slot>();
  private readonly sli = new Map<string, SliBucket>();
  /** Last announced state per team/probe, folded from the log (survives restarts). */
  private readonly announced = new Map<string, boolean>();
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 8, timeout: 30_000 });
  private readonly inFlight = new Set<Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private serial = 0;
  private readonly instance = randomBytes(4).toString('hex');
  private closed = false;
  private readonly observers = new Set<(o: CheckObservation) => void>();

  /** One Chromium for every team's browser probes, when the scenario has any. */
  private readonly browser: BrowserProbes | undefined;

  constructor(private readonly o: ProbeRunnerOptions) {
    const warn = (message: string) =>
      void o.store.append({ type: 'warning.raised', source: 'probe', key: 'probe:browser-unavailable', data: { code: 'browser_unavailable', message } }).catch(() => {});
    this.browser = o.probes.some((p) => p.kind === 'browser') ? new BrowserProbes({ onUnavailable: warn }) : undefined;
  }

  /** Fold the last transition of each team's probes; call with the log's history, then on each event. */
  apply(e: StoredEvent): void {
    if ((e.type === 'probe.failed' || e.type === 'probe.recovered') && e.team) {
      this.announced.set(`${e.team}/${e.data.probe}`, e.type === 'probe.recovered');
    }
  }

  /** Whether the game wants probes now: from start until finish (paused games keep watching). */
  private active(): boolean {
    return this.o.gameClock.started && !this.o.gameClock.finished;
  }

  private slot(team: string, probe: Probe, now: number): Slot {
    const id = `${team}/${probe.id}`;
    let s = this.slots.get(id);
    const floor = Math.max(this.o.floorMs ?? 1000, probe.kind === 'browser' ? BROWSER_FLOOR_MS : 0);
    const interval = wallInterval(probe.intervalMs, this.o.gameClock.speed, floor);
    if (!s) {
      const up = this.announced.get(id) ?? true;
      s = { team, probe, state: initialProbeState(up), interval, start: now, due: 0, inFlight: false, checks: 0 };
      s.due = now + phaseFor(id, probe.jitterMs, interval);
      this.slots.set(id, s);
    } else if (s.interval !== interval) {
      // The speed changed: re-anchor the grid here.
      s.interval = interval;
      s.start = now;
      s.due = nextDue(now, phaseFor(id, probe.jitterMs, interval), interval, now - 1);
    }
    return s;
  }

  /** Start every check that is due now (the timer calls this; tests may too). */
  poll(): void {
    if (this.closed || !this.active()) return;
    const now = this.o.clock.now();
    for (const team of this.o.teams()) {
      const base = this.o.urlOf(team);
      if (!base) continue;
      for (const probe of this.o.probes) {
        const s = this.slot(team, probe, now);
        if (s.inFlight || now < s.due) continue;
        const lateMs = now - s.due;
        s.due = nextDue(s.start, phaseFor(`${team}/${probe.id}`, probe.jitterMs, s.interval), s.interval, now);
        this.launch(s, base, lateMs);
      }
    }
  }

  private launch(s: Slot, base: string, lateMs: number): void {
    s.inFlight = true;
    const p = this.checkSlot(s, base, lateMs).finally(() => {
      s.inFlight = false;
      this.inFlight.delete(p);
    });
    this.inFlight.add(p);
  }

  private async checkSlot(s: Slot, base: string, lateMs: number): Promise<void> {
    const result = await runCheck(s.probe, { agent: this.agent, baseUrl: base, now: () => performance.now(), serial: this.nextSerial(), browser: this.browser, slot: `${s.team}/${s.probe.id}` });
    if (this.closed) return;
    await this.record(s, result, lateMs);
  }

  /** Unique across restarts and runners, so a canary never finds an older message with its id. */
  private nextSerial(): string {
    return `${this.instance}-${(++this.serial).toString(36)}`;
  }

  /** Run one check for a team's probe now and record its outcome (tests drive this directly). */
  async checkNow(team: string, probeId: string): Promise<CheckResult> {
    const probe = this.o.probes.find((p) => p.id === probeId);
    const base = this.o.urlOf(team);
    if (!probe || !base) throw new Error(`no probe ${probeId} or no URL for ${team}`);
    const s = this.slot(team, probe, this.o.clock.now());
    const result = await runCheck(probe, { agent: this.agent, baseUrl: base, now: () => performance.now(), serial: this.nextSerial(), browser: this.browser, slot: `${team}/${probeId}` });
    await this.record(s, result);
    return result;
  }

  /** Hear of every completed check (telemetry, /metrics); returns the unsubscribe. */
  onCheck(fn: (o: CheckObservation) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  private async record(s: Slot, result: CheckResult, lateMs?: number): Promise<void> {
    const obs: CheckObservation = { team: s.team, probe: s.probe, result, atWall: this.o.clock.now(), ...(lateMs !== undefined ? { lateMs } : {}) };
    for (const f of this.observers) {
      try {
        f(obs);
      } catch (err) {
        this.o.log?.error({ err }, 'a probe observer failed');
      }
    }
    const gameNow = this.o.gameClock.now();
    const { state, transition } = observe(s.state, result.ok, gameNow, s.probe);
    s.state = state;
    s.checks++;
    const batch: NewEvent[] = [];
    if (transition) {
      batch.push({
        type: transition.to === 'failed' ? 'probe.failed' : 'probe.recovered',
        team: s.team,
        source: 'probe',
        data: { probe: s.probe.id, evidence: result.evidence, since: transition.since },
      });
    }
    if (this.o.gameClock.running) {
      const { bucket, done } = countSli(this.sli.get(s.team), result.ok, gameNow);
      this.sli.set(s.team, bucket);
      if (done) {
        batch.push({ type: 'sli.minute', team: s.team, source: 'probe', key: `sli:${s.team}:${done.minute}`, data: { ...done } });
      }
    }
    if (!batch.length) return;
    try {
      await this.o.store.appendMany(batch);
    } catch (err) {
      this.o.log?.error({ err, team: s.team, probe: s.probe.id }, 'recording a probe result failed');
    }
  }

  /** How many checks of a team's probe have completed since this runner started. */
  checksOf(team: string, probe: string): number {
    return this.slots.get(`${team}/${probe}`)?.checks ?? 0;
  }

  /** The state each team's probes are in (organizer console). */
  snapshot(): Record<string, Record<string, { up: boolean; okStreak: number; failStreak: number }>> {
    const out: Record<string, Record<string, { up: boolean; okStreak: number; failStreak: number }>> = {};
    for (const s of this.slots.values()) {
      (out[s.team] ??= {})[s.probe.id] = { up: s.state.up, okStreak: s.state.okStreak, failStreak: s.state.failStreak };
    }
    return out;
  }

  start(): void {
    if (this.timer || this.closed) return;
    this.timer = setInterval(() => this.poll(), this.o.resolutionMs ?? 50);
    this.timer.unref();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.agent.destroy();
    await Promise.allSettled([...this.inFlight]);
    await this.browser?.close();
  }
}
