import { statSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { EventStore } from '../events/store.js';
import type { CheckObservation } from '../probes/runner.js';
import type { Telemetry } from './types.js';

/**
 * The server's own Prometheus metrics, one registry per runtime (tests build many). The HTTP and
 * WebSocket series are fed by src/http/metrics.ts; the rest by the parts below.
 */
export class ServerMetrics {
  readonly registry = new Registry();
  /** firedrill_http_requests_total and firedrill_http_request_duration_seconds: see observeRequest. */
  private readonly http = new HttpTally(this.registry);
  readonly wsClients = new Gauge({
    name: 'firedrill_websocket_clients',
    help: 'Open WebSocket connections, by audience',
    labelNames: ['audience'] as const,
    registers: [this.registry],
  });
  readonly probeChecks = new Counter({
    name: 'firedrill_probe_checks_total',
    help: 'Probe checks completed, by kind, probe and result',
    labelNames: ['kind', 'probe', 'result'] as const,
    registers: [this.registry],
  });
  readonly probeLateness = new Histogram({
    name: 'firedrill_probe_lateness_seconds',
    help: 'How long after its due time a scheduled check started',
    labelNames: ['kind'] as const,
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly appendSeconds = new Histogram({
    name: 'firedrill_event_append_seconds',
    help: 'Time to append a batch to the event log (commit and synchronous subscribers)',
    buckets: [0.0001, 0.0005, 0.001, 0.005, 0.02, 0.1, 0.5],
    registers: [this.registry],
  });

  constructor(o: { store: EventStore; dataDir: string | null; telemetry?: () => Telemetry | undefined }) {
    collectDefaultMetrics({ register: this.registry }); // includes nodejs_eventloop_lag_* (event-loop delay)
    const { store, dataDir } = o;
    // Read from the log when scraped: every event stored counts, however it was appended
    // (a grouped append never goes through appendMany), and a refused duplicate does not.
    let counted = store.lastSeq();
    new Counter({
      name: 'firedrill_events_appended_total',
      help: 'Events appended since this process started',
      registers: [this.registry],
      collect() {
        const seq = store.lastSeq();
        if (seq > counted) this.inc(seq - counted);
        counted = seq;
      },
    });
    new Gauge({
      name: 'firedrill_event_log_seq',
      help: 'Sequence number of the last event in the log (the number of events)',
      registers: [this.registry],
      collect() {
        this.set(store.lastSeq());
      },
    });
    if (dataDir) {
      new Gauge({
        name: 'firedrill_event_log_bytes',
        help: 'Size of the event log database on disk (main file and WAL)',
        registers: [this.registry],
        collect() {
          let n = 0;
          for (const f of ['firedrill.db', 'firedrill.db-wal']) {
            try {
              n += statSync(join(dataDir, f)).size;
            } catch {
              /* not there yet */
            }
          }
          this.set(n);
        },
      });
    }
    new Gauge({
      name: 'firedrill_telemetry_pending',
      help: 'Items waiting to be sent to the telemetry sink (New Relic); state 1 = the sink refused the key',
      labelNames: ['what'] as const,
      registers: [this.registry],
      collect() {
        const s = o.telemetry?.()?.status();
        this.set({ what: 'metrics' }, s?.pending.metrics ?? 0);
        this.set({ what: 'events' }, s?.pending.events ?? 0);
        this.set({ what: 'rejected' }, s?.state === 'rejected' ? 1 : 0);
      },
    });
    this.timeAppends(store);
  }

  /** Time every commit: the store's own observer when it has one, else by decorating this instance's appendMany. */
  private timeAppends(store: EventStore): void {
    if (store.observeCommits) return store.observeCommits((_events, ms) => this.appendSeconds.observe(ms / 1000));
    const appendMany = store.appendMany.bind(store);
    store.appendMany = async (batch) => {
      const t0 = performance.now();
      try {
        return await appendMany(batch);
      } finally {
        this.appendSeconds.observe((performance.now() - t0) / 1000);
      }
    };
  }

  /** One answered HTTP request: `route` is the route template (bounded cardinality). */
  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.http.observe(method, route, status, seconds);
  }

  observeCheck(o: CheckObservation): void {
    this.probeChecks.inc({ kind: o.probe.kind, probe: o.probe.id, result: o.result.ok ? 'ok' : 'failed' });
    if (o.lateMs !== undefined) this.probeLateness.observe({ kind: o.probe.kind }, Math.max(0, o.lateMs) / 1000);
  }
}

const HTTP_BUCKETS = [0.001, 0.005, 0.02, 0.1, 0.5, 2];

interface RouteTally {
  /** Requests by `${method} ${status}` not yet handed to the counter. */
  pending: Map<string, { labels: { method: string; route: string; status: string }; n: number }>;
  /** Per bucket (not cumulative), then sum and count: the histogram's own state. */
  buckets: number[];
  sum: number;
  count: number;
}

/**
 * The two per-request series, tallied in plain maps per route and read by prom-client only when
 * scraped: prom-client's labelled inc() and observe() (label objects checked, hashed and looked up
 * each time) were ~2 µs a request of POST /api/team/messages (issue 18). The counter is a
 * prom-client Counter fed by its collect(); the histogram a metric of its own in the registry,
 * exposing the same series (`_bucket{le}` cumulative, `+Inf`, `_sum`, `_count`).
 */
class HttpTally {
  private readonly routes = new Map<string, RouteTally>();
  constructor(registry: Registry) {
    const routes = this.routes;
    new Counter({
      name: 'firedrill_http_requests_total',
      help: 'HTTP requests answered, by route template and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [registry],
      collect() {
        for (const r of routes.values()) {
          for (const p of r.pending.values()) {
            if (p.n > 0) this.inc(p.labels, p.n);
            p.n = 0;
          }
        }
      },
    });
    const name = 'firedrill_http_request_duration_seconds';
    registry.registerMetric({
      name,
      help: 'Time to answer an HTTP request',
      type: 'histogram',
      aggregator: 'sum',
      get: async () => ({
        name,
        help: 'Time to answer an HTTP request',
        type: 'histogram',
        aggregator: 'sum',
        values: [...routes].flatMap(([route, r]) => {
          let acc = 0;
          return [
            ...HTTP_BUCKETS.map((le, i) => ({ labels: { route, le }, value: (acc += r.buckets[i]!), metricName: `${name}_bucket` })),
            { labels: { route, le: '+Inf' }, value: r.count, metricName: `${name}_bucket` },
            { labels: { route }, value: r.sum, metricName: `${name}_sum` },
            { labels: { route }, value: r.count, metricName: `${name}_count` },
          ];
        }),
      }),
      reset: () => routes.clear(),
    } as unknown as Parameters<Registry['registerMetric']>[0]);
  }

  observe(method: string, route: string, status: number, seconds: number): void {
    let r = this.routes.get(route);
    if (!r) {
      r = { pending: new Map(), buckets: HTTP_BUCKETS.map(() => 0), sum: 0, count: 0 };
      this.routes.set(route, r);
    }
    const key = `${method} ${status}`;
    let p = r.pending.get(key);
    if (!p) {
      p = { labels: { method, route, status: String(status) }, n: 0 };
      r.pending.set(key, p);
    }
    p.n++;
    let i = 0;
    while (i < HTTP_BUCKETS.length && seconds > HTTP_BUCKETS[i]!) i++;
    if (i < HTTP_BUCKETS.length) r.buckets[i]!++;
    r.sum += seconds;
    r.count++;
  }
}
