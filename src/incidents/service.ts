import type { Clock } from '../clock.js';
import type { Actor, StoredEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';
import { AlertFold } from './alerts.js';
import { IncidentBoard } from './board.js';
import type { PagerDutyClient } from './client.js';
import { FactRecorder } from './facts.js';
import { IncidentFold, type Incident } from './fold.js';
import { Jobs } from './jobs.js';
import { AlertOutbox } from './outbox.js';
import { Reconciler } from './poll.js';
import type { RoleKey } from './roles.js';
import type { GameTime, IncidentsLogger, IncidentsStore, PagerDutySettings, TeamNames } from './ports.js';
import { WebhookIntake, type WebhookOutcome } from './webhooks.js';

export type { IncidentsLogger, PagerDutySettings } from './ports.js';
export type { WebhookOutcome } from './webhooks.js';

export interface IncidentsDeps {
  clock: Clock;
  gameClock: GameTime;
  store: IncidentsStore;
  teams: TeamNames;
  /** The loaded scenario (alerting rules); undefined until one is loaded. */
  scenario: () => Scenario | undefined;
  /** PagerDuty as configured; absent: teams use the built-in board. */
  pagerdutySettings?: PagerDutySettings;
  /** The PagerDuty API client (present when PagerDuty is configured). */
  pagerduty?: PagerDutyClient;
  log?: IncidentsLogger;
  /** Attempts per alert before the outbox gives up and warns the organizers. */
  maxAttempts?: number;
  backoffBaseMs?: number;
}

/**
 * Incident state for every team, as one facade over its parts: the built-in board's commands
 * (board.ts), the alert outbox (outbox.ts), PagerDuty's webhooks (webhooks.ts) and reconciliation
 * poll (poll.ts). The decisions are the pure folds in fold.ts, alerts.ts and pagerduty.ts.
 */
export class IncidentsService {
  readonly incidents = new IncidentFold();
  readonly alerts = new AlertFold();
  private readonly settings: PagerDutySettings | undefined;
  private readonly board: IncidentBoard;
  private readonly outbox: AlertOutbox;
  private readonly webhooks: WebhookIntake;
  private readonly reconciler: Reconciler;
  private readonly jobs: Jobs;
  private closed = false;

  constructor(deps: IncidentsDeps) {
    const settings = deps.pagerdutySettings;
    const client = deps.pagerduty;
    const closed = () => this.closed;
    const { incidents, alerts } = this;
    this.jobs = new Jobs(deps.log);
    const members = (t: string) => deps.teams.get(t)?.members ?? [];
    const facts = new FactRecorder({ incidents, store: deps.store, settings, closed, members });
    this.board = new IncidentBoard({ incidents, store: deps.store, clock: deps.clock, usesPagerDuty: () => !!settings, members });
    this.outbox = new AlertOutbox({
      alerts,
      incidents,
      store: deps.store,
      clock: deps.clock,
      gameClock: deps.gameClock,
      teams: deps.teams,
      scenario: deps.scenario,
      settings,
      client,
      closed,
      ...(deps.maxAttempts !== undefined ? { maxAttempts: deps.maxAttempts } : {}),
      ...(deps.backoffBaseMs !== undefined ? { backoffBaseMs: deps.backoffBaseMs } : {}),
    });
    const log = deps.log ? { log: deps.log } : {};
    this.webhooks = new WebhookIntake({ settings, store: deps.store, incidents, facts, jobs: this.jobs, client, ...log });
    this.reconciler = new Reconciler({ settings, client, store: deps.store, clock: deps.clock, incidents, facts, jobs: this.jobs, closed, ...log });
    this.settings = settings;
  }

  /** Fold one event (called for the log on start, then for each new event). */
  apply(e: StoredEvent): void {
    this.incidents.apply(e);
    this.alerts.apply(e);
    this.webhooks.apply(e);
    this.reconciler.apply(e);
  }

  get mode(): 'pagerduty' | 'board' {
    return this.settings ? 'pagerduty' : 'board';
  }

  list(team: string): Incident[] {
    return this.incidents.list(team);
  }

  all(): Incident[] {
    return this.incidents.all();
  }

  // --- the built-in board (kept here so callers need not know the parts)

  open(team: string, input: { title: string; severity?: string; name: string }): Promise<Incident> {
    return this.board.open(team, input);
  }
  acknowledge(team: string, id: string, name?: string): Promise<Incident> {
    return this.board.acknowledge(team, id, name);
  }
  resolve(team: string, id: string, name?: string): Promise<Incident> {
    return this.board.resolve(team, id, name);
  }
  reopen(team: string, id: string): Promise<Incident> {
    return this.board.reopen(team, id);
  }
  annotate(team: string, id: string, text: string, name?: string): Promise<Incident> {
    return this.board.annotate(team, id, text, name);
  }
  setSeverity(team: string, id: string, severity: string): Promise<Incident> {
    return this.board.setSeverity(team, id, severity);
  }
  publishStatusUpdate(team: string, id: string, message: string, opts: { resolved?: boolean; name?: string } = {}): Promise<Incident> {
    return this.board.publishStatusUpdate(team, id, message, opts);
  }
  setRoles(team: string, id: string, roles: Partial<Record<RoleKey, string | null>>, by: Actor): Promise<Incident> {
    return this.board.setRoles(team, id, roles, by);
  }

  /**
   * Called by the game loop: append due alert decisions (with the board's incidents, when there is
   * no PagerDuty), start due outbox sends in the background, and poll PagerDuty when due.
   */
  async tick(): Promise<void> {
    if (this.closed) return;
    await this.outbox.decide();
    this.outbox.kick();
    if (this.reconciler.due()) this.jobs.track(this.poll().catch(() => {}));
  }

  // --- webhooks v3 and the poll

  get webhooksEnabled(): boolean {
    return !!this.settings;
  }

  /** One delivery to /hooks/pagerduty; a rejection is not recorded here (see recordRejection). */
  receiveWebhook(raw: Buffer, headers: { signature?: string; webhookId?: string }): Promise<WebhookOutcome> {
    return this.webhooks.receive(raw, headers);
  }

  /** Record a rejected delivery for the organizers (`webhook.rejected` + `warning.raised`). */
  recordRejection(reason: string, remote: string): Promise<void> {
    return this.webhooks.recordRejection(reason, remote);
  }

  /** Read every team service's incidents since the game started and record what the webhooks missed. */
  poll(): Promise<void> {
    return this.reconciler.poll();
  }

  /** After a restart: process stored deliveries again, so a crash between storing and processing loses nothing. */
  async start(): Promise<void> {
    if (this.webhooksEnabled) await this.webhooks.reprocessStored();
  }

  /** Resolves when every background job (webhook processing, polls, outbox sends) has finished. */
  async idle(): Promise<void> {
    for (;;) {
      const running = [...this.jobs.running(), ...this.outbox.running()];
      if (!running.length) return;
      await Promise.allSettled(running);
    }
  }

  /** Stop starting work, then wait for what runs (a send cut short is sent again after a restart). */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
