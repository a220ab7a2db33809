import type { EventData, NewEvent, StoredEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';

/**
 * When to alert, as a pure fold of the log: a fault with `alerting: pagerduty` whose recovery
 * probes have been failing for `alertAfterMs` of game time is alerted once per outage (a relapse
 * alerts again). With `game.autoResolveAlerts` the alert is resolved when the fault recovers or
 * ends; without it (the default) only when the game or the organizers end the fault — the team
 * resolves its incident, as an on-call engineer must. Also the outbox's
 * queue: which queued PagerDuty sends are still owed and when the next attempt is due.
 */

type Key = string; // `${team}\u0000${id}`
const k = (team: string, id: string): Key => `${team}\u0000${id}`;

interface FaultTrack {
  team: string;
  fault: string;
  injectedAt: number;
  open: boolean;
  recovered: boolean;
  /** The fault ended by recovering (fault.resolved), not by the game or the organizers. */
  resolved: boolean;
}

interface AlertTrack {
  /** Triggers queued so far. */
  n: number;
  /** A trigger is queued without a later resolve. */
  open: boolean;
  /** The fault recovered since the latest trigger (without auto-resolve the alert stays open; a relapse alerts again). */
  recoveredSince: boolean;
}

export interface QueuedAlert {
  seq: number;
  team: string;
  data: EventData<'alert.queued'>;
  attempts: number;
  nextAtWall: number;
  done: boolean;
}

export interface TeamAlerting {
  name: string;
  /** Where this team's alerts go: PagerDuty needs the team's routing key. */
  via: 'pagerduty' | 'board';
}

export class AlertFold {
  private readonly faults = new Map<Key, FaultTrack>();
  /** Probe failures per team+probe: game time the failing streak began, and its evidence. */
  private readonly failing = new Map<Key, { since: number; evidence: EventData<'probe.failed'>['evidence'] }>();
  private readonly alerts = new Map<Key, AlertTrack>();
  private readonly queue = new Map<number, QueuedAlert>();

  apply(e: StoredEvent): void {
    const team = e.team;
    if (!team) return;
    switch (e.type) {
      case 'fault.injected':
        this.faults.set(k(team, e.data.fault), { team, fault: e.data.fault, injectedAt: e.gameTime, open: true, recovered: false, resolved: false });
        break;
      case 'fault.recovered':
      case 'fault.relapsed': {
        const f = this.faults.get(k(team, e.data.fault));
        if (f) f.recovered = e.type === 'fault.recovered';
        const a = this.alerts.get(k(team, e.data.fault));
        if (a?.open && e.type === 'fault.recovered') a.recoveredSince = true;
        break;
      }
      case 'fault.resolved':
      case 'fault.timed_out':
      case 'fault.skipped':
      case 'fault.reverted':
      case 'fault.voided': {
        const f = this.faults.get(k(team, e.data.fault));
        if (f) {
          f.open = false;
          f.resolved = e.type === 'fault.resolved';
        }
        break;
      }
      case 'probe.failed':
        this.failing.set(k(team, e.data.probe), { since: e.data.since ?? e.gameTime, evidence: e.data.evidence });
        break;
      case 'probe.recovered':
        this.failing.delete(k(team, e.data.probe));
        break;
      case 'alert.queued': {
        const a = this.alert(team, e.data.fault);
        if (e.data.action === 'trigger') {
          a.n = Math.max(a.n, e.data.n);
          a.open = true;
          a.recoveredSince = false;
        } else a.open = false;
        if (e.data.via === 'pagerduty') this.queue.set(e.seq, { seq: e.seq, team, data: e.data, attempts: 0, nextAtWall: 0, done: false });
        break;
      }
      case 'alert.sent': {
        const q = e.data.queued !== undefined ? this.queue.get(e.data.queued) : undefined;
        if (!q) break;
        q.attempts = Math.max(q.attempts, e.data.attempt ?? q.attempts + 1);
        if (e.data.ok || e.data.retryAtWall === undefined) q.done = true;
        else q.nextAtWall = e.data.retryAtWall;
        break;
      }
      default:
    }
  }

  private alert(team: string, fault: string): AlertTrack {
    let a = this.alerts.get(k(team, fault));
    if (!a) this.alerts.set(k(team, fault), (a = { n: 0, open: false, recoveredSince: false }));
    return a;
  }

  /**
   * The alert decisions due at game time `now`. Pure: the caller appends them (and the board's
   * incident events with them) and the fold learns of them through the log.
   */
  decide(scenario: Scenario, now: number, teamInfo: (team: string) => TeamAlerting | undefined): NewEvent[] {
    const out: NewEvent[] = [];
    for (const f of this.faults.values()) {
      const def = scenario.faults.find((x) => x.id === f.fault);
      if (!def || def.alerting !== 'pagerduty') continue;
      const info = teamInfo(f.team);
      if (!info) continue;
      const a = this.alerts.get(k(f.team, f.fault)) ?? { n: 0, open: false, recoveredSince: false };
      const active = f.open && !f.recovered;
      const dedupKey = alertDedupKey(f.team, def.index);
      // Without auto-resolve (the default) the team resolves its incident: the system resolves an
      // alert only when the game or the organizers ended the fault (timed out, skipped, reverted,
      // voided), and a relapse after a recovery alerts again.
      const auto = scenario.game.autoResolveAlerts;
      const stale = !auto && a.open && a.recoveredSince;
      if (active && (!a.open || stale)) {
        const failing = def.recoveredWhen
          .map((p) => ({ probe: p, f: this.failing.get(k(f.team, p)) }))
          .filter((x): x is { probe: string; f: NonNullable<typeof x.f> } => !!x.f);
        if (failing.length === 0) continue;
        const since = Math.min(...failing.map((x) => Math.max(x.f.since, f.injectedAt)));
        if (now < since + def.alertAfterMs) continue;
        out.push({
          type: 'alert.queued',
          team: f.team,
          source: 'alerts',
          key: `alert:${f.team}:${f.fault}:trigger:${a.n + 1}`,
          data: {
            fault: f.fault,
            dedupKey,
            action: 'trigger',
            via: info.via,
            n: a.n + 1,
            // Symptoms only: the fault's title would give the cause away.
            summary: `${info.name}: ${failing.map((x) => x.probe).join(', ')} failing`.slice(0, 1024),
            severity: 'critical',
            details: {
              team: f.team,
              failingForMs: now - since,
              probes: failing.map((x) => ({ probe: x.probe, failingSinceGameMs: x.f.since, ...x.f.evidence })),
            },
          },
        });
      } else if (a.open && !active && (auto || (!f.open && !f.resolved))) {
        out.push({
          type: 'alert.queued',
          team: f.team,
          source: 'alerts',
          key: `alert:${f.team}:${f.fault}:resolve:${a.n}`,
          data: { fault: f.fault, dedupKey, action: 'resolve', via: info.via, n: a.n, summary: `${info.name}: recovered`, severity: 'info' },
        });
      }
    }
    return out;
  }

  /** PagerDuty sends owed and due at wall time `nowWall`: per dedup key, only the oldest unfinished one. */
  due(nowWall: number): QueuedAlert[] {
    const firstPerKey = new Map<string, QueuedAlert>();
    for (const q of [...this.queue.values()].sort((a, b) => a.seq - b.seq)) {
      if (q.done || firstPerKey.has(q.data.dedupKey)) continue;
      firstPerKey.set(q.data.dedupKey, q);
    }
    return [...firstPerKey.values()].filter((q) => q.nextAtWall <= nowWall);
  }

  pending(): QueuedAlert[] {
    return [...this.queue.values()].filter((q) => !q.done);
  }
}

/** One PagerDuty alert per team and fault; the fault's position, not its id, so the key hints at nothing. */
export const alertDedupKey = (team: string, faultIndex: number): string => `firedrill-${team}-fault-${faultIndex + 1}`;

/** Exponential backoff for retryable sends: 1 s, 2 s, 4 s … capped at 5 min. */
export function backoffMs(attempt: number, baseMs = 1_000, capMs = 300_000): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
