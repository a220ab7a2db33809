import type { Clock } from '../clock.js';
import type { NewEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';
import { backoffMs, type AlertFold, type QueuedAlert, type TeamAlerting } from './alerts.js';
import type { PagerDutyClient, PdEventV2 } from './client.js';
import type { IncidentFold } from './fold.js';
import type { GameTime, IncidentsStore, PagerDutySettings, TeamNames } from './ports.js';

export interface OutboxOptions {
  alerts: AlertFold;
  incidents: IncidentFold;
  store: IncidentsStore;
  clock: Clock;
  gameClock: GameTime;
  teams: TeamNames;
  scenario: () => Scenario | undefined;
  settings: PagerDutySettings | undefined;
  client: PagerDutyClient | undefined;
  closed: () => boolean;
  /** Attempts per alert before the outbox gives up and warns the organizers. */
  maxAttempts?: number;
  backoffBaseMs?: number;
}

/**
 * Alerts for alerting faults: the due decisions (alerts.ts, pure) are appended — with the board's
 * incident in the same batch when there is no PagerDuty — and queued alerts are sent to the Events
 * API in the background, each attempt recorded, retried with backoff.
 */
export class AlertOutbox {
  private readonly inflight = new Map<number, Promise<void>>();

  constructor(private readonly o: OutboxOptions) {}

  private usesPagerDuty(): boolean {
    return !!this.o.settings && !!this.o.client;
  }

  private teamAlerting = (team: string): TeamAlerting | undefined => {
    const t = this.o.teams.get(team);
    if (!t) return undefined;
    // With PagerDuty the board is closed to teams, so alerts always go to PagerDuty (a team without a
    // routing key gets an organizer warning from the outbox instead of an incident it cannot touch).
    return { name: t.name, via: this.usesPagerDuty() ? 'pagerduty' : 'board' };
  };

  /** Append the alert decisions that are due now. */
  async decide(): Promise<void> {
    const scenario = this.o.scenario();
    if (!scenario || !this.o.gameClock.started) return;
    for (const decision of this.o.alerts.decide(scenario, this.o.gameClock.now(), this.teamAlerting)) {
      await this.o.store.appendMany(this.withBoardIncident(decision));
    }
  }

  /** A board alert opens (or resolves) a board incident in the same batch as the decision. */
  private withBoardIncident(decision: NewEvent): NewEvent[] {
    if (decision.type !== 'alert.queued' || decision.data.via !== 'board' || !decision.team) return [decision];
    const team = decision.team;
    const fault = this.o.scenario()?.faults.find((f) => f.id === decision.data.fault);
    const id = `alert-${(fault?.index ?? 0) + 1}-${decision.data.n}`;
    const now = this.o.clock.now();
    if (decision.data.action === 'trigger') {
      // A relapse while the team's incident of an earlier trigger is still open: that incident covers it.
      for (let n = 1; n < decision.data.n; n++) {
        const prev = this.o.incidents.get(team, `alert-${(fault?.index ?? 0) + 1}-${n}`);
        if (prev && prev.status !== 'resolved') return [decision];
      }
      return [
        decision,
        {
          type: 'incident.triggered',
          team,
          source: 'alerts',
          key: `board:${team}:${id}:triggered`,
          data: { incident: id, via: 'board', title: decision.data.summary.slice(0, 500), severity: 'SEV2', channel: 'alert', occurredAtWall: now },
        },
      ];
    }
    const inc = this.o.incidents.get(team, id);
    if (!inc || inc.status === 'resolved') return [decision];
    return [decision, { type: 'incident.resolved', team, source: 'alerts', data: { incident: id, via: 'board', agent: 'alert (auto-resolve)', occurredAtWall: now } }];
  }

  /** Start the sends that are due (each queued alert has at most one in flight). */
  kick(): void {
    const client = this.o.client;
    if (!client || this.o.closed()) return;
    for (const q of this.o.alerts.due(this.o.clock.now())) {
      if (this.inflight.has(q.seq)) continue;
      const p = this.send(client, q).finally(() => this.inflight.delete(q.seq));
      this.inflight.set(q.seq, p);
    }
  }

  running(): Promise<void>[] {
    return [...this.inflight.values()];
  }

  private async send(client: PagerDutyClient, q: QueuedAlert): Promise<void> {
    const routing = this.o.settings?.teams.find((t) => t.id === q.team)?.routingKey;
    const attempt = q.attempts + 1;
    const base = { fault: q.data.fault, dedupKey: q.data.dedupKey, action: q.data.action, queued: q.seq, attempt };
    if (!routing) {
      await this.o.store.appendMany([
        { type: 'alert.sent', team: q.team, source: 'alerts', data: { ...base, ok: false, detail: 'no PagerDuty routing key configured for this team' } },
        { type: 'warning.raised', team: q.team, source: 'alerts', data: { code: 'alert_failed', message: `alert for team ${q.team} not sent: no routing key configured`, fault: q.data.fault } },
      ]);
      return;
    }
    const publicUrl = this.o.settings?.publicUrl;
    const pdEvent: PdEventV2 = {
      routing_key: routing,
      event_action: q.data.action,
      dedup_key: q.data.dedupKey,
      ...(q.data.action === 'trigger'
        ? {
            payload: {
              summary: q.data.summary,
              source: `firedrill/${q.team}`,
              severity: q.data.severity,
              component: q.team,
              group: 'firedrill',
              class: 'probe failure',
              timestamp: new Date(this.o.clock.now()).toISOString(),
              custom_details: (q.data.details ?? {}) as object,
            },
            ...(publicUrl ? { links: [{ href: `${publicUrl.replace(/\/+$/, '')}/t/${q.team}/`, text: 'The team’s service' }] } : {}),
          }
        : {}),
    };
    const r = await client.sendEvent(pdEvent);
    if (this.o.closed()) return;
    const maxAttempts = this.o.maxAttempts ?? 10;
    const retry = !r.ok && r.retryable && attempt < maxAttempts;
    const events: NewEvent[] = [
      {
        type: 'alert.sent',
        team: q.team,
        source: 'alerts',
        key: `alert-sent:${q.seq}:${attempt}`,
        data: {
          ...base,
          ok: r.ok,
          detail: r.detail,
          status: r.status,
          ...(retry ? { retryAtWall: this.o.clock.now() + backoffMs(attempt, this.o.backoffBaseMs) } : {}),
        },
      },
    ];
    if (!r.ok && !retry) {
      events.push({
        type: 'warning.raised',
        team: q.team,
        source: 'alerts',
        data: { code: 'alert_failed', message: `PagerDuty ${q.data.action} for team ${q.team} failed for good after ${attempt} attempt(s): ${r.detail}`.slice(0, 1000), fault: q.data.fault },
      });
    }
    await this.o.store.appendMany(events);
  }
}
