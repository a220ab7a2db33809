import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { Conflict, NotFound } from '../errors.js';
import type { EventStore } from '../events/store.js';
import type { NewEvent, StoredEvent, StoredEventOf } from '../events/types.js';
import type { GameClock } from '../game/clock.js';
import type { TeamRegistry } from '../game/teams.js';
import type { Scenario } from '../scenario/types.js';
import { AlertFold, backoffMs, type QueuedAlert, type TeamAlerting } from './alerts.js';
import type { PagerDutyClient, PdEventV2 } from './client.js';
import { IncidentFold, type Incident } from './fold.js';
import { envelope, eventsForFact, factsFromLog, inSync, parseDelivery, triggerChannel, type PdFact } from './pagerduty.js';
import { verifySignature } from './signature.js';

export interface IncidentsLogger {
  warn(obj: object, msg: string): void;
}

export interface IncidentsDeps {
  config: Config;
  clock: Clock;
  gameClock: GameClock;
  store: EventStore;
  teams: TeamRegistry;
  /** The loaded scenario (alerting rules); undefined until one is loaded. */
  scenario: () => Scenario | undefined;
  /** Present when PagerDuty is configured. */
  pagerduty?: PagerDutyClient;
  log?: IncidentsLogger;
  /** Attempts per alert before the outbox gives up and warns the organizers. */
  maxAttempts?: number;
  backoffBaseMs?: number;
}

export type WebhookOutcome =
  | { status: 'accepted'; duplicate: boolean }
  | { status: 'rejected'; code: 401 | 400; message: string };

/** How many rejected deliveries may become events per minute: a flood must not flood the log. */
const REJECT_EVENTS_PER_MINUTE = 6;

/**
 * Incident state for every team: the built-in board (when no PagerDuty is configured), PagerDuty's
 * webhooks and reconciliation poll (when it is), and the alerts raised for alerting faults. A thin
 * shell: the decisions are the pure folds in fold.ts, alerts.ts and pagerduty.ts.
 */
export class IncidentsService {
  readonly incidents = new IncidentFold();
  readonly alerts = new AlertFold();
  private readonly seenEventIds = new Set<string>();
  private readonly seenDeliveryIds = new Set<string>();
  private gameStartedWall: number | undefined;
  /** Work on PagerDuty facts runs one at a time, in order: fold checks and appends never interleave. */
  private chain: Promise<void> = Promise.resolve();
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly background = new Set<Promise<unknown>>();
  private lastPollWall = -Infinity;
  private polling: Promise<void> | undefined;
  private pollFailing = false;
  private rejectWindow = { start: 0, count: 0 };
  private closed = false;

  constructor(private readonly deps: IncidentsDeps) {}

  /** Fold one event (called for the log on start, then for each new event). */
  apply(e: StoredEvent): void {
    this.incidents.apply(e);
    this.alerts.apply(e);
    if (e.type === 'game.started') this.gameStartedWall ??= e.at;
    else if (e.type === 'webhook.received') {
      this.seenEventIds.add(e.data.eventId);
      this.seenDeliveryIds.add(e.data.deliveryId);
    }
  }

  get mode(): 'pagerduty' | 'board' {
    return this.deps.config.pagerduty ? 'pagerduty' : 'board';
  }

  // --- the built-in board -------------------------------------------------------------------------

  list(team: string): Incident[] {
    return this.incidents.list(team);
  }

  all(): Incident[] {
    return this.incidents.all();
  }

  private board(team: string, id: string): Incident {
    if (this.mode === 'pagerduty') throw new Conflict('this game uses PagerDuty: open, acknowledge and resolve incidents in PagerDuty');
    const inc = this.incidents.get(team, id);
    if (!inc) throw new NotFound(`no incident '${id}' on your board`);
    return inc;
  }

  private async appendBoard(team: string, ev: Omit<NewEvent, 'team' | 'source'>): Promise<void> {
    await this.deps.store.append({ ...ev, team, source: 'team' } as NewEvent);
  }

  async open(team: string, input: { title: string; severity?: string; name: string }): Promise<Incident> {
    if (this.mode === 'pagerduty') throw new Conflict('this game uses PagerDuty: open incidents in PagerDuty');
    // Synchronous up to the append: two opens at once still get different numbers.
    const id = `inc-${this.incidents.count(team) + 1}`;
    await this.appendBoard(team, {
      type: 'incident.triggered',
      key: `board:${team}:${id}:triggered`,
      data: {
        incident: id,
        via: 'board',
        title: input.title,
        ...(input.severity ? { severity: input.severity } : {}),
        channel: 'web_trigger',
        agent: input.name,
        occurredAtWall: this.deps.clock.now(),
      },
    });
    return this.incidents.get(team, id)!;
  }

  async acknowledge(team: string, id: string, name?: string): Promise<Incident> {
    const inc = this.board(team, id);
    if (inc.status === 'acknowledged') throw new Conflict(`incident ${id} is already acknowledged`);
    if (inc.status === 'resolved') throw new Conflict(`incident ${id} is resolved; reopen it first`);
    await this.appendBoard(team, { type: 'incident.acknowledged', data: { incident: id, via: 'board', ...(name ? { agent: name } : {}), occurredAtWall: this.deps.clock.now() } });
    return inc;
  }

  async resolve(team: string, id: string, name?: string): Promise<Incident> {
    const inc = this.board(team, id);
    if (inc.status === 'resolved') throw new Conflict(`incident ${id} is already resolved`);
    await this.appendBoard(team, { type: 'incident.resolved', data: { incident: id, via: 'board', ...(name ? { agent: name } : {}), occurredAtWall: this.deps.clock.now() } });
    return inc;
  }

  async reopen(team: string, id: string): Promise<Incident> {
    const inc = this.board(team, id);
    if (inc.status !== 'resolved') throw new Conflict(`incident ${id} is not resolved`);
    await this.appendBoard(team, { type: 'incident.reopened', data: { incident: id, via: 'board', occurredAtWall: this.deps.clock.now() } });
    return inc;
  }

  async annotate(team: string, id: string, text: string, name?: string): Promise<Incident> {
    const inc = this.board(team, id);
    await this.appendBoard(team, { type: 'incident.annotated', data: { incident: id, via: 'board', note: text, ...(name ? { agent: name } : {}), occurredAtWall: this.deps.clock.now() } });
    return inc;
  }

  async setSeverity(team: string, id: string, severity: string): Promise<Incident> {
    const inc = this.board(team, id);
    await this.appendBoard(team, { type: 'incident.severity_set', data: { incident: id, via: 'board', severity, occurredAtWall: this.deps.clock.now() } });
    return inc;
  }

  async publishStatusUpdate(team: string, id: string, message: string): Promise<Incident> {
    const inc = this.board(team, id);
    await this.appendBoard(team, { type: 'incident.status_update_published', data: { incident: id, via: 'board', message, occurredAtWall: this.deps.clock.now() } });
    return inc;
  }

  // --- alerting -----------------------------------------------------------------------------------

  private teamAlerting = (team: string): TeamAlerting | undefined => {
    const t = this.deps.teams.get(team);
    if (!t) return undefined;
    // With PagerDuty the board is closed to teams, so alerts always go to PagerDuty (a team without a
    // routing key gets an organizer warning from the outbox instead of an incident it cannot touch).
    return { name: t.name, via: this.mode === 'pagerduty' && this.deps.pagerduty ? 'pagerduty' : 'board' };
  };

  /**
   * Called by the game loop: append due alert decisions (with the board's incidents, when there is
   * no PagerDuty), start due outbox sends in the background, and poll PagerDuty when due.
   */
  async tick(): Promise<void> {
    if (this.closed) return;
    const scenario = this.deps.scenario();
    if (scenario && this.deps.gameClock.started) {
      for (const decision of this.alerts.decide(scenario, this.deps.gameClock.now(), this.teamAlerting)) {
        await this.deps.store.appendMany(this.withBoardIncident(decision));
      }
    }
    this.kickOutbox();
    const pd = this.deps.config.pagerduty;
    if (pd && this.deps.pagerduty && this.deps.clock.now() - this.lastPollWall >= pd.pollSeconds * 1000) {
      this.track(this.poll().catch(() => {}));
    }
  }

  /** A board alert opens (or resolves) a board incident in the same batch as the decision. */
  private withBoardIncident(decision: NewEvent): NewEvent[] {
    if (decision.type !== 'alert.queued' || decision.data.via !== 'board' || !decision.team) return [decision];
    const team = decision.team;
    const fault = this.deps.scenario()?.faults.find((f) => f.id === decision.data.fault);
    const id = `alert-${(fault?.index ?? 0) + 1}-${decision.data.n}`;
    const now = this.deps.clock.now();
    if (decision.data.action === 'trigger') {
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
    const inc = this.incidents.get(team, id);
    if (!inc || inc.status === 'resolved') return [decision];
    return [decision, { type: 'incident.resolved', team, source: 'alerts', data: { incident: id, via: 'board', agent: 'alert (auto-resolve)', occurredAtWall: now } }];
  }

  private kickOutbox(): void {
    const client = this.deps.pagerduty;
    if (!client || this.closed) return;
    for (const q of this.alerts.due(this.deps.clock.now())) {
      if (this.inflight.has(q.seq)) continue;
      const p = this.send(client, q).finally(() => this.inflight.delete(q.seq));
      this.inflight.set(q.seq, p);
    }
  }

  private async send(client: PagerDutyClient, q: QueuedAlert): Promise<void> {
    const routing = this.deps.config.teams.find((c) => c.id === q.team)?.pagerduty?.routingKey;
    const attempt = q.attempts + 1;
    const base = { fault: q.data.fault, dedupKey: q.data.dedupKey, action: q.data.action, queued: q.seq, attempt };
    if (!routing) {
      await this.deps.store.appendMany([
        { type: 'alert.sent', team: q.team, source: 'alerts', data: { ...base, ok: false, detail: 'no PagerDuty routing key configured for this team' } },
        { type: 'warning.raised', team: q.team, source: 'alerts', data: { code: 'alert_failed', message: `alert for team ${q.team} not sent: no routing key configured`, fault: q.data.fault } },
      ]);
      return;
    }
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
              timestamp: new Date(this.deps.clock.now()).toISOString(),
              custom_details: (q.data.details ?? {}) as object,
            },
            ...(this.deps.config.publicUrl ? { links: [{ href: `${this.deps.config.publicUrl.replace(/\/+$/, '')}/t/${q.team}/`, text: 'The team’s service' }] } : {}),
          }
        : {}),
    };
    const r = await client.sendEvent(pdEvent);
    if (this.closed) return;
    const maxAttempts = this.deps.maxAttempts ?? 10;
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
          ...(retry ? { retryAtWall: this.deps.clock.now() + backoffMs(attempt, this.deps.backoffBaseMs) } : {}),
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
    await this.deps.store.appendMany(events);
  }

  // --- webhooks v3 --------------------------------------------------------------------------------

  get webhooksEnabled(): boolean {
    return !!this.deps.config.pagerduty;
  }

  /**
   * One delivery to /hooks/pagerduty. Verified, then the raw delivery is appended (deduplicated on
   * the event id and the X-Webhook-Id) before the caller answers 2xx; it is processed after.
   */
  async receiveWebhook(raw: Buffer, headers: { signature?: string; webhookId?: string }, remote: string): Promise<WebhookOutcome> {
    const secrets = this.deps.config.pagerduty?.webhookSecrets ?? [];
    if (!verifySignature(raw, headers.signature, secrets)) {
      const reason = !headers.signature
        ? 'no X-PagerDuty-Signature header'
        : secrets.length === 0
          ? 'no webhook secret configured'
          : 'X-PagerDuty-Signature matches no configured secret (was the secret changed in PagerDuty?)';
      await this.reject(reason, remote);
      return { status: 'rejected', code: 401, message: `signature check failed: ${reason}` };
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      await this.reject('signed delivery is not JSON', remote);
      return { status: 'rejected', code: 400, message: 'the body is not JSON' };
    }
    const env = envelope(body);
    if ('error' in env) {
      await this.reject(env.error, remote);
      return { status: 'rejected', code: 400, message: env.error };
    }
    const deliveryId = (headers.webhookId ?? env.id).slice(0, 200);
    if (this.seenEventIds.has(env.id) || this.seenDeliveryIds.has(deliveryId)) return { status: 'accepted', duplicate: true };
    let text = raw.toString('utf8');
    if (text.length > 200_000) text = JSON.stringify({ event: { ...env.event, data: null } }).slice(0, 200_000);
    const appended = await this.deps.store.append({
      type: 'webhook.received',
      source: 'pagerduty',
      key: `pd-webhook:${env.id}`,
      data: { deliveryId, eventId: env.id.slice(0, 200), eventType: env.type.slice(0, 100), body: text },
    });
    if (!appended.duplicate) this.enqueue(() => this.processDelivery(appended.event));
    return { status: 'accepted', duplicate: appended.duplicate };
  }

  private async reject(reason: string, remote: string): Promise<void> {
    const now = this.deps.clock.now();
    if (now - this.rejectWindow.start >= 60_000) this.rejectWindow = { start: now, count: 0 };
    if (++this.rejectWindow.count > REJECT_EVENTS_PER_MINUTE) return;
    await this.deps.store.appendMany([
      { type: 'webhook.rejected', source: 'pagerduty', data: { reason, remote: remote.slice(0, 100) } },
      { type: 'warning.raised', source: 'pagerduty', data: { code: 'webhook_rejected', message: `PagerDuty webhook rejected from ${remote}: ${reason}`.slice(0, 1000) } },
    ]);
  }

  private teamOfService(serviceId: string): string | undefined {
    return this.deps.config.teams.find((t) => t.pagerduty?.serviceId === serviceId)?.id;
  }

  private async processDelivery(e: StoredEventOf<'webhook.received'>): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(e.data.body);
    } catch {
      return;
    }
    const parsed = parseDelivery(body);
    if ('error' in parsed || !parsed.fact) return; // pagey.ping, service.*, new types: accepted, ignored
    const fact = parsed.fact;
    const team = (parsed.serviceId && this.teamOfService(parsed.serviceId)) ?? this.incidents.teamOfIncident(fact.incident);
    if (!team) return;
    if (fact.kind === 'triggered' && !fact.channel && !this.incidents.get(team, fact.incident) && this.deps.pagerduty) {
      // v3 bodies do not name the channel; the REST log does.
      try {
        const channel = triggerChannel(await this.deps.pagerduty.listLogEntries(fact.incident));
        if (channel) fact.channel = channel;
      } catch (err) {
        this.deps.log?.warn({ err: (err as Error).message, incident: fact.incident }, 'could not read the trigger channel');
      }
    }
    await this.record(team, fact);
  }

  private async record(team: string, fact: PdFact): Promise<void> {
    const events = eventsForFact(this.incidents, team, fact);
    if (events.length === 0 || this.closed) return;
    try {
      await this.deps.store.appendMany(events);
    } catch (err) {
      // Someone stored the same fact first with other details: the first one stands.
      if ((err as { code?: string }).code !== 'idempotency_conflict') throw err;
    }
  }

  // --- reconciliation poll ------------------------------------------------------------------------

  /** Read every team service's incidents since the game started and record what the webhooks missed. */
  poll(): Promise<void> {
    this.polling ??= this.enqueue(() => this.pollOnce()).finally(() => (this.polling = undefined));
    return this.polling;
  }

  private async pollOnce(): Promise<void> {
    const client = this.deps.pagerduty;
    this.lastPollWall = this.deps.clock.now();
    if (!client || this.gameStartedWall === undefined || this.closed) return;
    const services = this.deps.config.teams.flatMap((t) => (t.pagerduty ? [t.pagerduty.serviceId] : []));
    if (services.length === 0) return;
    try {
      const list = await client.listIncidents(services, new Date(this.gameStartedWall));
      for (const inc of list) {
        const team = inc?.service?.id ? this.teamOfService(inc.service.id) : undefined;
        if (!team || inSync(this.incidents, team, inc)) continue;
        const facts = factsFromLog(inc, await client.listLogEntries(inc.id));
        for (const fact of facts) await this.record(team, fact);
      }
      if (this.pollFailing) this.pollFailing = false;
    } catch (err) {
      const message = (err as Error).message;
      this.deps.log?.warn({ err: message }, 'PagerDuty poll failed');
      if (!this.pollFailing && !this.closed) {
        this.pollFailing = true;
        await this.deps.store.append({ type: 'warning.raised', source: 'pagerduty', data: { code: 'pagerduty_poll_failed', message: `PagerDuty poll failed: ${message}`.slice(0, 1000) } });
      }
      throw err;
    }
  }

  // --- lifecycle ----------------------------------------------------------------------------------

  private enqueue(work: () => Promise<void>): Promise<void> {
    const p = this.chain.then(work);
    this.chain = p.catch((err: unknown) => this.deps.log?.warn({ err: (err as Error).message }, 'PagerDuty processing failed'));
    this.track(p.catch(() => {}));
    return p;
  }

  private track(p: Promise<unknown>): void {
    this.background.add(p);
    void p.finally(() => this.background.delete(p));
  }

  /**
   * After a restart: process stored deliveries again (idempotent: the fold skips known facts), so a
   * crash between storing a delivery and processing it loses nothing.
   */
  async start(): Promise<void> {
    if (!this.webhooksEnabled) return;
    const stored = await this.deps.store.read({ types: ['webhook.received'] });
    for (const e of stored) if (e.type === 'webhook.received') this.enqueue(() => this.processDelivery(e));
  }

  /** Resolves when every background job (webhook processing, polls, outbox sends) has finished. */
  async idle(): Promise<void> {
    while (this.background.size || this.inflight.size) {
      await Promise.allSettled([...this.background, ...this.inflight.values()]);
    }
  }

  /** Stop starting work, then wait for what runs (a send cut short is sent again after a restart). */
  async close(): Promise<void> {
    this.closed = true;
    await this.idle();
  }
}
