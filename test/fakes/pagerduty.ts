import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { Agent } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sign } from '../../src/incidents/signature.js';

/**
 * A local PagerDuty over TLS that speaks the real shapes: Events API v2 (`POST /v2/enqueue` →
 * 202 `{status, message, dedup_key}`, 400 `invalid event`, scripted 429/5xx), REST v2
 * (`GET /incidents` with offset paging, `GET /incidents/:id/log_entries`), and signed webhooks v3
 * deliveries built from what happens to its incidents.
 */

export interface TestCa {
  ca: Buffer;
  key: Buffer;
  cert: Buffer;
  /** An https agent that trusts the test CA (pdjs hands it to node-fetch). */
  agent: Agent;
  cleanup(): void;
}

/** A throwaway CA and a 127.0.0.1/localhost server certificate, made with openssl. */
export function makeTestCa(): TestCa {
  const dir = mkdtempSync(join(tmpdir(), 'fd-pd-ca-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=firedrill test CA');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=127.0.0.1');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\n');
  run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.crt', '-days', '2', '-extfile', 'ext.cnf');
  const ca = readFileSync(join(dir, 'ca.crt'));
  const out = { ca, key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.crt')), agent: new Agent({ ca, keepAlive: false }) };
  return { ...out, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

interface UserRef {
  id: string;
  type: 'user_reference';
  summary: string;
  self: string;
  html_url: string;
}
const user = (name: string): UserRef => ({ id: `PU${name.replace(/\W/g, '').toUpperCase().slice(0, 5)}`, type: 'user_reference', summary: name, self: '', html_url: '' });

export interface FakeIncident {
  id: string;
  incident_number: number;
  type: 'incident';
  title: string;
  summary: string;
  status: 'triggered' | 'acknowledged' | 'resolved';
  incident_key: string;
  created_at: string;
  last_status_change_at: string;
  service: { id: string; type: 'service_reference'; summary: string };
  priority: { id: string; summary: string; type: 'priority_reference' } | null;
  urgency: 'high' | 'low';
  html_url: string;
  self: string;
}

export interface LogEntry {
  id: string;
  type: string;
  created_at: string;
  agent: { id: string; type: string; summary: string } | null;
  channel: { type: string; summary?: string };
  incident: { id: string; type: 'incident_reference' };
  summary: string;
}

export interface WebhookEnvelope {
  event: {
    id: string;
    event_type: string;
    resource_type: string;
    occurred_at: string;
    agent: object | null;
    client: object | null;
    data: object;
  };
}

export interface EnqueueRecord {
  status: number;
  body: Record<string, unknown>;
}

export class FakePagerDuty {
  readonly incidents: FakeIncident[] = [];
  readonly logEntries = new Map<string, LogEntry[]>();
  /** Every Events API request, with the status it got. */
  readonly enqueued: EnqueueRecord[] = [];
  /** Statuses to answer the next Events API requests with, before normal processing. */
  readonly scriptedEventStatuses: number[] = [];
  /** Every REST request's path and query. */
  readonly restRequests: string[] = [];
  /** Routing key → service id (an Events API v2 integration on that service). */
  readonly routing = new Map<string, string>();
  /** Service id → name, for services without an integration. */
  readonly services = new Map<string, string>();
  /** Wall time the fake stamps on what happens (tests move it). */
  now = Date.parse('2027-01-15T10:00:00Z');
  private server!: Server;
  private n = 0;
  url = '';

  constructor(
    private readonly tls: { key: Buffer; cert: Buffer },
    readonly apiToken = 'fake-pd-api-token',
  ) {}

  async start(): Promise<this> {
    this.server = createServer({ key: this.tls.key, cert: this.tls.cert }, (req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.url = `https://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  private iso(ms = this.now): string {
    return new Date(ms).toISOString();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const url = new URL(req.url ?? '/', 'https://fake');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'POST' && url.pathname === '/v2/enqueue') return this.enqueue(Buffer.concat(chunks).toString('utf8'), send);
    if (req.method === 'GET') {
      this.restRequests.push(`${url.pathname}${url.search}`);
      if (req.headers.authorization !== `Token token=${this.apiToken}`) return send(401, { error: { message: 'Unauthorized', code: 2006 } });
      if (req.headers.accept !== 'application/vnd.pagerduty+json;version=2') return send(406, { error: { message: 'Not Acceptable' } });
      const limit = Math.min(100, Number(url.searchParams.get('limit') ?? 25));
      const offset = Number(url.searchParams.get('offset') ?? 0);
      const page = <T>(all: T[]) => ({ items: all.slice(offset, offset + limit), limit, offset, more: offset + limit < all.length, total: null });
      // What `firedrill doctor` reads: the token's abilities, and a service with its Events API v2 integrations (keys from `routing`).
      if (url.pathname === '/abilities') return send(200, { abilities: ['teams', 'urgencies'] });
      const svc = /^\/services\/([^/]+)$/.exec(url.pathname);
      if (svc) {
        const id = decodeURIComponent(svc[1]!);
        const keys = [...this.routing].filter(([, s]) => s === id).map(([k]) => k);
        if (!keys.length && !this.services.has(id)) return send(404, { error: { message: 'Not Found', code: 2100 } });
        return send(200, { service: { id, type: 'service', name: this.services.get(id) ?? id, integrations: keys.map((k, i) => ({ id: `PI${i}`, type: 'events_api_v2_inbound_integration', integration_key: k })) } });
      }
      if (url.pathname === '/incidents') {
        const services = url.searchParams.getAll('service_ids[]');
        const since = url.searchParams.get('since');
        const all = this.incidents.filter(
          (i) => (services.length === 0 || services.includes(i.service.id)) && (!since || Date.parse(i.created_at) >= Date.parse(since)),
        );
        const p = page(all);
        return send(200, { incidents: p.items, limit: p.limit, offset: p.offset, more: p.more, total: p.total });
      }
      const m = /^\/incidents\/([^/]+)\/log_entries$/.exec(url.pathname);
      if (m) {
        const entries = this.logEntries.get(decodeURIComponent(m[1]!));
        if (!entries) return send(404, { error: { message: 'Not Found', code: 2100 } });
        // PagerDuty lists newest first.
        const p = page([...entries].reverse());
        return send(200, { log_entries: p.items, limit: p.limit, offset: p.offset, more: p.more, total: p.total });
      }
    }
    send(404, { error: { message: 'Not Found' } });
  }

  private enqueue(text: string, send: (s: number, b: unknown) => void): void {
    let body: Record<string, unknown> = {};
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      this.enqueued.push({ status: 400, body });
      return send(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Invalid JSON'] });
    }
    const scripted = this.scriptedEventStatuses.shift();
    if (scripted !== undefined) {
      this.enqueued.push({ status: scripted, body });
      if (scripted === 429) return send(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly. Please retry later.' });
      if (scripted === 400) return send(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['payload.summary is too long'] });
      return send(scripted, { status: 'error', message: 'Internal error' });
    }
    const errors: string[] = [];
    const action = body.event_action;
    const payload = body.payload as Record<string, unknown> | undefined;
    if (typeof body.routing_key !== 'string' || body.routing_key.length !== 32) errors.push("'routing_key' must be a 32 character integration key");
    if (!['trigger', 'acknowledge', 'resolve'].includes(String(action))) errors.push("'event_action' is invalid");
    if (action === 'trigger') {
      if (!payload || typeof payload.summary !== 'string') errors.push("'payload.summary' is missing");
      if (!payload || typeof payload.source !== 'string') errors.push("'payload.source' is missing");
      if (!payload || !['critical', 'error', 'warning', 'info'].includes(String(payload.severity))) errors.push("'payload.severity' is invalid");
    } else if (typeof body.dedup_key !== 'string') errors.push("'dedup_key' is required for this action");
    if (errors.length) {
      this.enqueued.push({ status: 400, body });
      return send(400, { status: 'invalid event', message: 'Event object is invalid', errors });
    }
    this.enqueued.push({ status: 202, body });
    const dedupKey = typeof body.dedup_key === 'string' ? body.dedup_key : randomUUID().replaceAll('-', '');
    const service = this.routing.get(body.routing_key as string);
    if (service) {
      const open = this.incidents.find((i) => i.incident_key === dedupKey && i.status !== 'resolved');
      if (action === 'trigger' && !open) {
        this.createIncident({ service, title: String(payload!.summary), by: 'integration', incidentKey: dedupKey });
      } else if (action === 'resolve' && open) this.resolve(open.id, null);
    }
    send(202, { status: 'success', message: 'Event processed', dedup_key: dedupKey });
  }

  private log(incident: FakeIncident, type: string, agent: LogEntry['agent'], channel: LogEntry['channel']): void {
    const list = this.logEntries.get(incident.id) ?? [];
    list.push({ id: `R${++this.n}`, type, created_at: this.iso(), agent, channel, incident: { id: incident.id, type: 'incident_reference' }, summary: type });
    this.logEntries.set(incident.id, list);
  }

  /** The v3 delivery PagerDuty would send for what just happened. */
  private webhook(type: string, data: object, agent: object | null, client: object | null = null): WebhookEnvelope {
    return { event: { id: `01${randomUUID().replaceAll('-', '').toUpperCase().slice(0, 24)}`, event_type: type, resource_type: 'incident', occurred_at: this.iso(), agent, client, data } };
  }

  createIncident(o: { service: string; title: string; by: string | 'integration'; incidentKey?: string }): { incident: FakeIncident; webhook: WebhookEnvelope } {
    const id = `Q${(++this.n).toString(36).toUpperCase().padStart(6, '0')}`;
    const inc: FakeIncident = {
      id,
      incident_number: this.incidents.length + 1,
      type: 'incident',
      title: o.title,
      summary: `[#${this.incidents.length + 1}] ${o.title}`,
      status: 'triggered',
      incident_key: o.incidentKey ?? randomUUID().replaceAll('-', ''),
      created_at: this.iso(),
      last_status_change_at: this.iso(),
      service: { id: o.service, type: 'service_reference', summary: 'chat service' },
      priority: null,
      urgency: 'high',
      html_url: `https://acme.pagerduty.com/incidents/${id}`,
      self: `https://api.pagerduty.com/incidents/${id}`,
    };
    this.incidents.push(inc);
    const byUser = o.by !== 'integration';
    const agent = byUser ? user(o.by) : { id: 'PINTEG1', type: 'events_api_v2_inbound_integration_reference', summary: 'Events API v2' };
    this.log(inc, 'trigger_log_entry', agent, byUser ? { type: 'web_trigger', summary: o.title } : { type: 'api', summary: o.title });
    return { incident: inc, webhook: this.webhook('incident.triggered', { ...inc }, agent, byUser ? null : { name: 'Events API v2' }) };
  }

  private change(id: string, status: FakeIncident['status'], type: string, logType: string, by: string | null): WebhookEnvelope {
    const inc = this.incidents.find((i) => i.id === id);
    if (!inc) throw new Error(`no incident ${id}`);
    inc.status = status;
    inc.last_status_change_at = this.iso();
    const agent = by ? user(by) : null;
    this.log(inc, logType, agent, { type: by ? 'website' : 'api' });
    return this.webhook(type, { ...inc }, agent);
  }

  acknowledge(id: string, by: string): WebhookEnvelope {
    return this.change(id, 'acknowledged', 'incident.acknowledged', 'acknowledge_log_entry', by);
  }

  resolve(id: string, by: string | null): WebhookEnvelope {
    return this.change(id, 'resolved', 'incident.resolved', 'resolve_log_entry', by);
  }

  /** A status update published on the incident (v3 `incident.status_update_published`: data is the status update, with its incident reference and sender). */
  publishStatusUpdate(id: string, by: string, message: string): WebhookEnvelope {
    const inc = this.incidents.find((i) => i.id === id)!;
    this.log(inc, 'status_update_log_entry', user(by), { type: 'website' });
    return this.webhook(
      'incident.status_update_published',
      { id: `PSU${++this.n}`, incident: { id, type: 'incident_reference', summary: inc.title, self: inc.self, html_url: inc.html_url }, message, sender: user(by), type: 'status_update' },
      user(by),
    );
  }

  annotate(id: string, by: string, content: string): WebhookEnvelope {
    const inc = this.incidents.find((i) => i.id === id)!;
    this.log(inc, 'annotate_log_entry', user(by), { type: 'note', summary: content });
    return this.webhook(
      'incident.annotated',
      { incident: { id, type: 'incident_reference', summary: inc.title, self: inc.self, html_url: inc.html_url }, id: `PN${++this.n}`, content, trimmed: false, type: 'incident_note' },
      user(by),
    );
  }
}

/** A delivery as PagerDuty sends it: the raw body, signed with each secret (rotation sends two). */
export function signedDelivery(envelope: unknown, secrets: string | string[], webhookId: string = randomUUID()) {
  const body = JSON.stringify(envelope);
  const list = Array.isArray(secrets) ? secrets : [secrets];
  return {
    body,
    headers: {
      'content-type': 'application/json',
      'x-pagerduty-signature': list.map((s) => sign(body, s)).join(','),
      'x-webhook-id': webhookId,
      'x-webhook-subscription': 'PSUBSCR',
      'user-agent': 'PagerDuty-Webhook/V3.0',
    },
  };
}
