import type { StoredEvent, StoredEventOf } from '../events/types.js';
import type { PagerDutyClient } from './client.js';
import type { FactRecorder } from './facts.js';
import type { IncidentFold } from './fold.js';
import type { Jobs } from './jobs.js';
import { envelope, parseDelivery, triggerChannel } from './pagerduty.js';
import type { IncidentsLogger, IncidentsStore, PagerDutySettings } from './ports.js';
import { verifySignature } from './signature.js';

export type WebhookOutcome =
  | { status: 'accepted'; duplicate: boolean }
  /** `reason` is for the organizers' log (recordRejection); `message` is the answer to the sender. */
  | { status: 'rejected'; code: 401 | 400; message: string; reason: string };

/**
 * PagerDuty webhooks v3: verify the signature, store the raw delivery (deduplicated on the event id
 * and the X-Webhook-Id) before the caller answers 2xx, process it after.
 */
export class WebhookIntake {
  private readonly seenEventIds = new Set<string>();
  private readonly seenDeliveryIds = new Set<string>();

  constructor(
    private readonly o: {
      settings: PagerDutySettings | undefined;
      store: IncidentsStore;
      incidents: IncidentFold;
      facts: FactRecorder;
      jobs: Jobs;
      client: PagerDutyClient | undefined;
      log?: IncidentsLogger;
    },
  ) {}

  apply(e: StoredEvent): void {
    if (e.type === 'webhook.received') {
      this.seenEventIds.add(e.data.eventId);
      this.seenDeliveryIds.add(e.data.deliveryId);
    }
  }

  async receive(raw: Buffer, headers: { signature?: string; webhookId?: string }): Promise<WebhookOutcome> {
    const secrets = this.o.settings?.webhookSecrets ?? [];
    if (!verifySignature(raw, headers.signature, secrets)) {
      const reason = !headers.signature
        ? 'no X-PagerDuty-Signature header'
        : secrets.length === 0
          ? 'no webhook secret configured'
          : 'X-PagerDuty-Signature matches no configured secret (was the secret changed in PagerDuty?)';
      return { status: 'rejected', code: 401, message: `signature check failed: ${reason}`, reason };
    }
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return { status: 'rejected', code: 400, message: 'the body is not JSON', reason: 'signed delivery is not JSON' };
    }
    const env = envelope(body);
    if ('error' in env) return { status: 'rejected', code: 400, message: env.error, reason: env.error };
    const deliveryId = (headers.webhookId ?? env.id).slice(0, 200);
    if (this.seenEventIds.has(env.id) || this.seenDeliveryIds.has(deliveryId)) return { status: 'accepted', duplicate: true };
    let text = raw.toString('utf8');
    if (text.length > 200_000) text = JSON.stringify({ event: { ...env.event, data: null } }).slice(0, 200_000);
    const appended = await this.o.store.append({
      type: 'webhook.received',
      source: 'pagerduty',
      key: `pd-webhook:${env.id}`,
      data: { deliveryId, eventId: env.id.slice(0, 200), eventType: env.type.slice(0, 100), body: text },
    });
    if (!appended.duplicate) this.o.jobs.enqueue(() => this.process(appended.event));
    return { status: 'accepted', duplicate: appended.duplicate };
  }

  /** Tell the organizers a delivery was refused (the route decides how many of these are kept). */
  async recordRejection(reason: string, remote: string): Promise<void> {
    await this.o.store.appendMany([
      { type: 'webhook.rejected', source: 'pagerduty', data: { reason, remote: remote.slice(0, 100) } },
      { type: 'warning.raised', source: 'pagerduty', data: { code: 'webhook_rejected', message: `PagerDuty webhook rejected from ${remote}: ${reason}`.slice(0, 1000) } },
    ]);
  }

  /**
   * After a restart: process stored deliveries again (idempotent: the fold skips known facts), so a
   * crash between storing a delivery and processing it loses nothing.
   */
  async reprocessStored(): Promise<void> {
    const stored = await this.o.store.read({ types: ['webhook.received'] });
    for (const e of stored) if (e.type === 'webhook.received') this.o.jobs.enqueue(() => this.process(e));
  }

  private async process(e: StoredEventOf<'webhook.received'>): Promise<void> {
    let body: unknown;
    try {
      body = JSON.parse(e.data.body);
    } catch {
      return;
    }
    const parsed = parseDelivery(body);
    if ('error' in parsed || !parsed.fact) return; // pagey.ping, service.*, new types: accepted, ignored
    const fact = parsed.fact;
    const team = (parsed.serviceId && this.o.facts.teamOfService(parsed.serviceId)) ?? this.o.incidents.teamOfIncident(fact.incident);
    if (!team) return;
    if (fact.kind === 'triggered' && !fact.channel && !this.o.incidents.get(team, fact.incident) && this.o.client) {
      // v3 bodies do not name the channel; the REST log does.
      try {
        const channel = triggerChannel(await this.o.client.listLogEntries(fact.incident));
        if (channel) fact.channel = channel;
      } catch (err) {
        this.o.log?.warn({ err: (err as Error).message, incident: fact.incident }, 'could not read the trigger channel');
      }
    }
    await this.o.facts.record(team, fact);
  }
}
