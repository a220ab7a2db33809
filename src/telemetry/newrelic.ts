import nr from '@newrelic/telemetry-sdk';
import type { Attributes, GameEventRecord, ProbeSample, Telemetry, TelemetryStatus } from './types.js';

/**
 * Telemetry to New Relic through @newrelic/telemetry-sdk 0.6 (archived upstream: it stays behind
 * the `Telemetry` interface). Probe checks are folded per team × probe into counts and a latency
 * gauge per flush interval; game events go out as custom events. Batches hold at most 2000 items,
 * are sent on an interval and on close, and are kept for the next interval when New Relic cannot
 * be reached. A refused key (401/403) stops sending and is reported once (`onRejected`), never thrown.
 */

const { MetricClient, MetricBatch, CountMetric, GaugeMetric } = nr.telemetry.metrics;
const { EventClient, EventBatch, Event } = nr.telemetry.events;
type MetricClientT = InstanceType<typeof MetricClient>;
type EventClientT = InstanceType<typeof EventClient>;
type MetricT = InstanceType<typeof CountMetric> | InstanceType<typeof GaugeMetric>;
type EventT = InstanceType<typeof Event>;

export const REGIONS = {
  us: { metrics: 'metric-api.newrelic.com', events: 'insights-collector.newrelic.com' },
  eu: { metrics: 'metric-api.eu.newrelic.com', events: 'insights-collector.eu01.nr-data.net' },
} as const;

export const METRIC_NAMES = { latency: 'firedrill.probe.latency', success: 'firedrill.probe.success', failure: 'firedrill.probe.failure' } as const;

/** Items per request: the SDK's and the APIs' limit. */
export const BATCH_LIMIT = 2000;

export interface NewRelicOptions {
  apiKey: string;
  region?: keyof typeof REGIONS;
  /** `hostname[:port]` for both APIs (a proxy, or a fake in tests); overrides the region. */
  host?: string;
  flushIntervalMs?: number;
  /** Upper bound of items kept while New Relic is unreachable; the oldest go first. */
  maxPending?: number;
  /** Per request, wall ms: the SDK sets no timeout of its own. */
  requestTimeoutMs?: number;
  /** Attributes on every metric and event (service, game). */
  common?: Attributes;
  now?: () => number;
  /** Called once when New Relic refuses the key. */
  onRejected?: (message: string) => void;
  log?: { warn(obj: object, msg: string): void };
}

interface Agg {
  team: string;
  probe: string;
  kind: string;
  success: number;
  failure: number;
  latencyMs?: number;
  lastAt: number;
}

type Pending = { kind: 'metrics'; start: number; end: number; items: MetricT[] } | { kind: 'events'; items: EventT[] };

interface Sent {
  err: Error | null;
  status?: number;
  body?: string;
}

function hostPort(host: string): { host: string; port?: number } {
  const m = /^([^:]+):(\d+)$/.exec(host);
  return m ? { host: m[1]!, port: Number(m[2]) } : { host };
}

export class NewRelicTelemetry implements Telemetry {
  private readonly metrics: MetricClientT;
  private readonly events: EventClientT;
  private readonly aggs = new Map<string, Agg>();
  private aggStart: number;
  private eventBuf: EventT[] = [];
  private pending: Pending[] = [];
  private readonly st: TelemetryStatus = { sink: 'newrelic', state: 'idle', sent: { metrics: 0, events: 0 }, pending: { metrics: 0, events: 0 }, dropped: 0 };
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private closed = false;
  private readonly now: () => number;

  constructor(private readonly o: NewRelicOptions) {
    if (!o.apiKey) throw new Error('newrelic: an API key is required');
    this.now = o.now ?? Date.now;
    this.aggStart = this.now();
    const region = REGIONS[o.region ?? 'us'];
    const m = hostPort(o.host ?? region.metrics);
    const ev = hostPort(o.host ?? region.events);
    this.metrics = new MetricClient({ apiKey: o.apiKey, host: m.host });
    this.events = new EventClient({ apiKey: o.apiKey, host: ev.host, ...(ev.port ? { port: ev.port } : {}) });
    if (m.port) {
      // MetricClient 0.6 hard-codes port 443 (EventClient takes `port`). New Relic itself is always
      // on 443; a proxy or a test fake on another port needs this one private field set.
      const opts = (this.metrics as unknown as { _sendDataOptions?: { port: number } })._sendDataOptions;
      if (!opts || opts.port !== 443) throw new Error('newrelic: this @newrelic/telemetry-sdk has an unexpected MetricClient layout; cannot set the port');
      opts.port = m.port;
    }
  }

  start(): this {
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => void this.flush(), this.o.flushIntervalMs ?? 10_000);
      this.timer.unref();
    }
    return this;
  }

  probe(s: ProbeSample): void {
    if (this.closed || this.st.state === 'rejected') return;
    const key = `${s.team}\u0000${s.probe}`;
    let a = this.aggs.get(key);
    if (!a) this.aggs.set(key, (a = { team: s.team, probe: s.probe, kind: s.kind, success: 0, failure: 0, lastAt: s.atWall }));
    if (s.ok) a.success++;
    else a.failure++;
    if (s.latencyMs !== undefined) a.latencyMs = s.latencyMs;
    a.lastAt = s.atWall;
  }

  event(r: GameEventRecord): void {
    if (this.closed || this.st.state === 'rejected') return;
    this.eventBuf.push(new Event(r.eventType, r.attributes, r.timestampWall));
    if (this.eventBuf.length >= BATCH_LIMIT) this.cut();
  }

  status(): TelemetryStatus {
    const count = (k: Pending['kind']) => this.pending.filter((p) => p.kind === k).reduce((n, p) => n + p.items.length, 0);
    return {
      ...this.st,
      sent: { ...this.st.sent },
      pending: { metrics: count('metrics') + this.aggs.size * 3, events: count('events') + this.eventBuf.length },
    };
  }

  /** Move what has been collected so far into pending batches of at most BATCH_LIMIT items. */
  private cut(): void {
    const end = this.now();
    if (this.aggs.size) {
      const items: MetricT[] = [];
      for (const a of this.aggs.values()) {
        const attrs = { team: a.team, probe: a.probe, kind: a.kind };
        items.push(new CountMetric(METRIC_NAMES.success, a.success, attrs));
        items.push(new CountMetric(METRIC_NAMES.failure, a.failure, attrs));
        if (a.latencyMs !== undefined) items.push(new GaugeMetric(METRIC_NAMES.latency, a.latencyMs, attrs, a.lastAt));
      }
      for (let i = 0; i < items.length; i += BATCH_LIMIT) this.pending.push({ kind: 'metrics', start: this.aggStart, end, items: items.slice(i, i + BATCH_LIMIT) });
      this.aggs.clear();
      this.aggStart = end;
    }
    for (let i = 0; i < this.eventBuf.length; i += BATCH_LIMIT) this.pending.push({ kind: 'events', items: this.eventBuf.slice(i, i + BATCH_LIMIT) });
    this.eventBuf = [];
    this.bound();
  }

  private bound(): void {
    const max = this.o.maxPending ?? 20_000;
    let total = this.pending.reduce((n, p) => n + p.items.length, 0);
    while (total > max && this.pending.length) {
      const dropped = this.pending.shift()!;
      total -= dropped.items.length;
      this.st.dropped += dropped.items.length;
    }
  }

  flush(): Promise<void> {
    // One flush at a time; a caller arriving meanwhile waits for it and then flushes again.
    const run = async (): Promise<void> => {
      this.cut();
      while (this.pending.length && this.st.state !== 'rejected') {
        const p = this.pending.shift()!;
        const r = await this.send(p);
        if (!this.outcome(p, r)) break;
      }
    };
    const next = (this.flushing ?? Promise.resolve()).then(run);
    const mine = next.finally(() => {
      if (this.flushing === mine) this.flushing = undefined;
    });
    this.flushing = mine;
    return mine;
  }

  private send(p: Pending): Promise<Sent> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ err: new Error(`no answer within ${this.o.requestTimeoutMs ?? 10_000} ms`) }), this.o.requestTimeoutMs ?? 10_000);
      const done = (err: Error | null, res: { statusCode?: number } | null, body: string | null) => {
        clearTimeout(timer);
        resolve({ err, ...(res?.statusCode !== undefined ? { status: res.statusCode } : {}), ...(body ? { body } : {}) });
      };
      try {
        if (p.kind === 'metrics') {
          const batch = new MetricBatch(this.o.common ?? {}, p.start, Math.max(0, p.end - p.start), p.items);
          this.metrics.send(batch, done);
        } else {
          const batch = new EventBatch(this.o.common ?? {}, p.items);
          this.events.send(batch, done);
        }
      } catch (err) {
        done(err as Error, null, null);
      }
    });
  }

  /** Record what a send taught us; false: stop this flush (retry the rest on the next interval). */
  private outcome(p: Pending, r: Sent): boolean {
    const what = p.kind === 'metrics' ? 'metrics' : 'events';
    if (!r.err && r.status !== undefined && r.status >= 200 && r.status < 300) {
      this.st.sent[what] += p.items.length;
      this.st.state = 'ok';
      delete this.st.lastError;
      return true;
    }
    if (r.status === 401 || r.status === 403) {
      const message = `New Relic refused the API key (HTTP ${r.status} from the ${what} API): check newrelic.apiKey / NEW_RELIC_API_KEY (a license or insert key for the right region). Telemetry is off until the server restarts.`;
      this.st.state = 'rejected';
      this.st.lastError = message;
      this.st.dropped += this.pending.reduce((n, x) => n + x.items.length, p.items.length);
      this.pending = [];
      if (this.timer) clearInterval(this.timer);
      this.timer = undefined;
      this.o.log?.warn({ status: r.status }, message);
      this.o.onRejected?.(message);
      return false;
    }
    if (r.status === 413 && p.items.length > 1) {
      const half = Math.ceil(p.items.length / 2);
      const [a, b] = [p.items.slice(0, half), p.items.slice(half)];
      if (p.kind === 'metrics') this.pending.unshift({ ...p, items: a as MetricT[] }, { ...p, items: b as MetricT[] });
      else this.pending.unshift({ ...p, items: a as EventT[] }, { ...p, items: b as EventT[] });
      return true;
    }
    const retry = r.err !== null || r.status === undefined || r.status === 408 || r.status === 429 || r.status >= 500;
    this.st.lastError = r.err ? `sending ${what} to New Relic failed: ${r.err.message}` : `New Relic answered ${r.status} to ${what}${r.body ? `: ${r.body.slice(0, 200)}` : ''}`;
    if (retry) {
      this.st.state = 'failing';
      this.pending.unshift(p);
      this.bound();
      return false;
    }
    // Another 4xx: this batch will never be accepted; drop it and go on.
    this.st.dropped += p.items.length;
    this.o.log?.warn({ status: r.status }, this.st.lastError);
    return true;
  }

  async close(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    if (this.closed) return this.flushing;
    await this.flush();
    this.closed = true;
  }
}
