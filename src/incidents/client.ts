import type { Agent } from 'node:https';
import { api, event } from '@pagerduty/pdjs';
import type { PdIncident, PdLogEntry } from './pagerduty.js';

/** An Events API v2 event (https://events.pagerduty.com/v2/enqueue). */
export interface PdEventV2 {
  routing_key: string;
  event_action: 'trigger' | 'acknowledge' | 'resolve';
  dedup_key: string;
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'error' | 'warning' | 'info';
    timestamp?: string;
    component?: string;
    group?: string;
    class?: string;
    custom_details?: object;
  };
  links?: Array<{ href: string; text?: string }>;
}

export interface SendResult {
  ok: boolean;
  /** HTTP status; 0 when no response came (network error, timeout). */
  status: number;
  /** 429, 5xx and network errors are worth another try; a 400 never is. */
  retryable: boolean;
  detail: string;
}

/** What firedrill needs of PagerDuty; the tests' fake speaks the same shapes. */
export interface PagerDutyClient {
  /** Never throws: the outcome, including network errors, is in the result. */
  sendEvent(e: PdEventV2): Promise<SendResult>;
  /** Every incident of these services created since `since`, all pages. Throws on failure. */
  listIncidents(serviceIds: readonly string[], since: Date): Promise<PdIncident[]>;
  /** An incident's log entries, all pages. Throws on failure. */
  listLogEntries(incident: string): Promise<PdLogEntry[]>;
}

export interface PdjsClientOptions {
  apiToken: string;
  /** REST base, default https://api.pagerduty.com. */
  apiUrl?: string;
  /** Events API base; pdjs always speaks https to its host, so only the host (and port) count. */
  eventsUrl?: string;
  /** Per request, wall time. */
  timeoutMs?: number;
  /** pdjs retries a 429 itself (3 times) after this many ms; the outbox backs off beyond that. */
  pdjsRetryMs?: number;
  /** An https agent, e.g. one trusting a test CA. pdjs hands it to node-fetch. */
  agent?: Agent;
  pageLimit?: number;
}

const MAX_PAGES = 50;

/** PagerDutyClient on @pagerduty/pdjs, minding its quirks (see ../shared/stack-notes.md). */
export class PdjsClient implements PagerDutyClient {
  private readonly apiUrl: string;
  private readonly eventsHost: string;
  private readonly timeoutMs: number;

  constructor(private readonly opts: PdjsClientOptions) {
    this.apiUrl = (opts.apiUrl ?? 'https://api.pagerduty.com').replace(/\/+$/, '');
    this.eventsHost = opts.eventsUrl ? new URL(opts.eventsUrl).host : 'events.pagerduty.com';
    this.timeoutMs = opts.timeoutMs ?? 10_000;
  }

  /** Options every pdjs call gets: our own timeout (pdjs's requestTimeout does nothing), the agent. */
  private common() {
    return {
      signal: AbortSignal.timeout(this.timeoutMs),
      // 0 disables pdjs's no-op timer, which would otherwise hold the process open for 30 s.
      requestTimeout: 0,
      retryTimeout: this.opts.pdjsRetryMs ?? 2_000,
      ...(this.opts.agent ? { agent: this.opts.agent } : {}),
    } as Record<string, unknown>;
  }

  async sendEvent(e: PdEventV2): Promise<SendResult> {
    try {
      // pdjs resolves on 4xx/5xx: the status decides.
      const r = await event({ server: this.eventsHost, data: e as never, ...this.common() });
      const body = (r.data ?? {}) as { status?: string; message?: string; errors?: unknown };
      const status = r.status;
      const errors = Array.isArray(body.errors) ? `: ${body.errors.map(String).join('; ')}` : '';
      const detail = `${status} ${body.status ?? ''} ${body.message ?? ''}${errors}`.replace(/\s+/g, ' ').trim().slice(0, 500);
      if (status >= 200 && status < 300) return { ok: true, status, retryable: false, detail };
      return { ok: false, status, retryable: status === 429 || status >= 500, detail };
    } catch (err) {
      return { ok: false, status: 0, retryable: true, detail: `no answer: ${(err as Error).message}`.slice(0, 500) };
    }
  }

  private async get(path: string, query: Record<string, string | string[]>): Promise<Record<string, unknown>> {
    const r = await api({ token: this.opts.apiToken, url: `${this.apiUrl}${path}`, queryParameters: query, ...this.common() } as never).catch(
      (err: unknown) => {
        // pdjs rejects with the response itself when the body is not JSON.
        const status = (err as { status?: number }).status;
        throw new Error(status ? `PagerDuty answered ${status} to GET ${path}` : `GET ${path} failed: ${(err as Error).message}`);
      },
    );
    if (r.status < 200 || r.status >= 300) {
      const msg = (r.data as { error?: { message?: string } } | undefined)?.error?.message ?? '';
      throw new Error(`PagerDuty answered ${r.status} to GET ${path}${msg ? `: ${msg}` : ''}`);
    }
    // `resource` is only filled for .com hosts: read the data itself.
    return r.data as Record<string, unknown>;
  }

  /** Offset paging by hand: pdjs's `next` follows a cursor field PagerDuty does not send here. */
  private async all<T>(path: string, field: string, query: Record<string, string | string[]>): Promise<T[]> {
    const limit = this.opts.pageLimit ?? 100;
    const out: T[] = [];
    let offset = 0;
    for (let page = 0; page < MAX_PAGES; page++) {
      const data = await this.get(path, { ...query, limit: String(limit), offset: String(offset) });
      const items = Array.isArray(data[field]) ? (data[field] as T[]) : [];
      out.push(...items);
      if (data.more !== true || items.length === 0) return out;
      offset += items.length;
    }
    return out;
  }

  listIncidents(serviceIds: readonly string[], since: Date): Promise<PdIncident[]> {
    return this.all<PdIncident>('/incidents', 'incidents', { 'service_ids[]': [...serviceIds], since: since.toISOString(), time_zone: 'UTC' });
  }

  listLogEntries(incident: string): Promise<PdLogEntry[]> {
    return this.all<PdLogEntry>(`/incidents/${encodeURIComponent(incident)}/log_entries`, 'log_entries', { time_zone: 'UTC' });
  }
}
