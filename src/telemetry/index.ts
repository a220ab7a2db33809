import pino from 'pino';
import type { Services } from '../services.js';
import { customEventFor } from './events.js';
import { NewRelicTelemetry } from './newrelic.js';
import { ServerMetrics } from './prometheus.js';
import { NoTelemetry, type Telemetry } from './types.js';

export type { Telemetry, TelemetryStatus, ProbeSample, GameEventRecord } from './types.js';
export { ServerMetrics } from './prometheus.js';

/**
 * Wire telemetry to a runtime: the telemetry sink (New Relic when `newrelic` is configured) hears
 * every stored event and every probe check; the Prometheus registry times appends and counts checks.
 * Sets `services.telemetry` and `services.metrics`; returns the closer (a last flush).
 */
export function startTelemetry(services: Services, log: { warn(obj: object, msg: string): void } = pino({ level: services.config.logLevel, name: 'telemetry' })): () => Promise<void> {
  const { config, store } = services;
  const nrc = config.newrelic;
  const telemetry: Telemetry = nrc
    ? new NewRelicTelemetry({
        apiKey: nrc.apiKey,
        region: nrc.region,
        ...(nrc.host ? { host: nrc.host } : {}),
        flushIntervalMs: nrc.flushSeconds * 1000,
        common: { service: 'firedrill', game: services.scenario.name },
        log,
        // A refused key is the organizers' to fix: a warning in their console, never a crash.
        onRejected: (message) => void store.append({ type: 'warning.raised', source: 'telemetry', data: { code: 'newrelic_rejected', message } }).catch(() => {}),
      }).start()
    : new NoTelemetry();
  services.telemetry = telemetry;
  const metrics = (services.metrics = new ServerMetrics({ store, dataDir: services.dataDir, telemetry: () => services.telemetry }));

  const offs = [
    store.subscribe((e) => {
      const r = customEventFor(e);
      if (r) telemetry.event(r);
    }),
  ];
  if (services.probes) {
    offs.push(
      services.probes.onCheck((o) => {
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
  return async () => {
    for (const off of offs) off();
    await telemetry.close();
  };
}
