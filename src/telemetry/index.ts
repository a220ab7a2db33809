import type { EventStore } from '../events/store.js';
import type { CheckObservation } from '../probes/runner.js';
import { customEventFor } from './events.js';
import { NewRelicTelemetry } from './newrelic.js';
import { ServerMetrics } from './prometheus.js';
import { NoTelemetry, type Telemetry } from './types.js';

export type { Telemetry, TelemetryStatus, ProbeSample, GameEventRecord } from './types.js';
export { ServerMetrics } from './prometheus.js';

export interface NewRelicSettings {
  apiKey: string;
  region: 'us' | 'eu';
  host?: string;
  flushSeconds: number;
}

export interface TelemetryDeps {
  newrelic?: NewRelicSettings | undefined;
  store: EventStore;
  scenarioName: string;
  dataDir: string | null;
  probes?: { onCheck(fn: (o: CheckObservation) => void): () => void };
  log: { warn(obj: object, msg: string): void };
}

/**
 * Wire telemetry to a runtime: the telemetry sink (New Relic when `newrelic` is configured) hears
 * every stored event and every probe check; the Prometheus registry times appends and counts checks.
 * Returns both and the closer (a last flush).
 */
export function startTelemetry(deps: TelemetryDeps): { telemetry: Telemetry; metrics: ServerMetrics; close: () => Promise<void> } {
  const { store, newrelic: nrc, log } = deps;
  const telemetry: Telemetry = nrc
    ? new NewRelicTelemetry({
        apiKey: nrc.apiKey,
        region: nrc.region,
        ...(nrc.host ? { host: nrc.host } : {}),
        flushIntervalMs: nrc.flushSeconds * 1000,
        common: { service: 'firedrill', game: deps.scenarioName },
        log,
        // A refused key is the organizers' to fix: a warning in their console, never a crash.
        onRejected: (message) => void store.append({ type: 'warning.raised', source: 'telemetry', data: { code: 'newrelic_rejected', message } }).catch(() => {}),
      }).start()
    : new NoTelemetry();
  const metrics = new ServerMetrics({ store, dataDir: deps.dataDir, telemetry: () => telemetry });

  const offs = [
    store.subscribe((e) => {
      const r = customEventFor(e);
      if (r) telemetry.event(r);
    }),
  ];
  if (deps.probes) {
    offs.push(
      deps.probes.onCheck((o) => {
        metrics.observeCheck(o);
        telemetry.probe({
          team: o.team,
          probe: o.probe.id,
          kind: o.probe.kind,
          ok: o.result.ok,
          ...(o.result.evidence.latencyMs !== undefined ? { latencyMs: o.result.evidence.latencyMs } : {}),
          atWall: o.atWall,
        });
      }),
    );
  }
  return {
    telemetry,
    metrics,
    close: async () => {
      for (const off of offs) off();
      await telemetry.close();
    },
  };
}
