import type { Clock } from '../clock.js';
import type { StoredEvent } from '../events/types.js';
import type { PagerDutyClient } from './client.js';
import type { FactRecorder } from './facts.js';
import type { IncidentFold } from './fold.js';
import type { Jobs } from './jobs.js';
import { factsFromLog, inSync } from './pagerduty.js';
import type { IncidentsLogger, IncidentsStore, PagerDutySettings } from './ports.js';

/**
 * The reconciliation poll: read every team service's incidents since the game started and record
 * what the webhooks missed. One organizer warning when it starts failing, none while it keeps failing.
 */
export class Reconciler {
  private gameStartedWall: number | undefined;
  private lastPollWall = -Infinity;
  private polling: Promise<void> | undefined;
  private failing = false;

  constructor(
    private readonly o: {
      settings: PagerDutySettings | undefined;
      client: PagerDutyClient | undefined;
      store: IncidentsStore;
      clock: Clock;
      incidents: IncidentFold;
      facts: FactRecorder;
      jobs: Jobs;
      closed: () => boolean;
      log?: IncidentsLogger;
    },
  ) {}

  apply(e: StoredEvent): void {
    if (e.type === 'game.started') this.gameStartedWall ??= e.at;
  }

  /** Whether pollSeconds have passed since the last poll (and there is a PagerDuty to ask). */
  due(): boolean {
    const s = this.o.settings;
    return !!s && !!this.o.client && this.o.clock.now() - this.lastPollWall >= s.pollSeconds * 1000;
  }

  poll(): Promise<void> {
    this.polling ??= this.o.jobs.enqueue(() => this.pollOnce()).finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const client = this.o.client;
    this.lastPollWall = this.o.clock.now();
    if (!client || this.gameStartedWall === undefined || this.o.closed()) return;
    const services = (this.o.settings?.teams ?? []).map((t) => t.serviceId);
    if (services.length === 0) return;
    try {
      const list = await client.listIncidents(services, new Date(this.gameStartedWall));
      for (const inc of list) {
        const team = inc?.service?.id ? this.o.facts.teamOfService(inc.service.id) : undefined;
        if (!team || inSync(this.o.incidents, team, inc)) continue;
        const facts = factsFromLog(inc, await client.listLogEntries(inc.id));
        for (const fact of facts) await this.o.facts.record(team, fact);
      }
      if (this.failing) this.failing = false;
    } catch (err) {
      const message = (err as Error).message;
      this.o.log?.warn({ err: message }, 'PagerDuty poll failed');
      if (!this.failing && !this.o.closed()) {
        this.failing = true;
        await this.o.store.append({ type: 'warning.raised', source: 'pagerduty', data: { code: 'pagerduty_poll_failed', message: `PagerDuty poll failed: ${message}`.slice(0, 1000) } });
      }
      throw err;
    }
  }
}
