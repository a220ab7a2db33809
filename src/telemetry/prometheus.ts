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
  readonly httpRequests = new Counter({
    name: 'firedrill_http_requests_total',
    help: 'HTTP requests answered, by route template and status',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'firedrill_http_request_duration_seconds',
    help: 'Time to answer an HTTP request',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.005, 0.02, 0.1, 0.5, 2],
    registers: [this.registry],
  });
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
  readonly appendedEvents = new Counter({ name: 'firedrill_events_appended_total', help: 'Events appended since this process started', registers: [this.registry] });

  constructor(o: { store: EventStore; dataDir: string | null; telemetry?: () => Telemetry | undefined }) {
    collectDefaultMetrics({ register: this.registry }); // includes nodejs_eventloop_lag_* (event-loop delay)
    const { store, dataDir } = o;
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

  /** Time every append by decorating this store instance (append() goes through appendMany()). */
  private timeAppends(store: EventStore): void {
    const appendMany = store.appendMany.bind(store);
    store.appendMany = async (batch) => {
      const t0 = performance.now();
      try {
        return await appendMany(batch);
      } finally {
        this.appendSeconds.observe((performance.now() - t0) / 1000);
        this.appendedEvents.inc(batch.length);
      }
    };
  }

  observeCheck(o: CheckObservation): void {
    this.probeChecks.inc({ kind: o.probe.kind, probe: o.probe.id, result: o.result.ok ? 'ok' : 'failed' });
    if (o.lateMs !== undefined) this.probeLateness.observe({ kind: o.probe.kind }, Math.max(0, o.lateMs) / 1000);
  }
}
