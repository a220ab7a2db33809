/**
 * The seam between firedrill and wherever its telemetry goes (New Relic today; OTLP could replace
 * it). Callers hand over plain facts; a sink batches, sends and reports how it is doing.
 */

/** One completed probe check (wall times, epoch ms). */
export interface ProbeSample {
  team: string;
  probe: string;
  kind: string;
  ok: boolean;
  latencyMs?: number;
  atWall: number;
}

export type Attributes = Record<string, string | number | boolean>;

/** A game fact worth a custom event (fault injected, incident acknowledged, a persona's question…). */
export interface GameEventRecord {
  eventType: string;
  attributes: Attributes;
  timestampWall: number;
}

export interface TelemetryStatus {
  sink: 'newrelic' | 'none';
  /** ok: last send accepted; failing: last send failed and will be retried; rejected: the key was refused (nothing more is sent). */
  state: 'idle' | 'ok' | 'failing' | 'rejected';
  lastError?: string;
  sent: { metrics: number; events: number };
  pending: { metrics: number; events: number };
  dropped: number;
}

export interface Telemetry {
  probe(sample: ProbeSample): void;
  event(record: GameEventRecord): void;
  /** Send what is batched now. Never throws: failures show in status(). */
  flush(): Promise<void>;
  /** Stop the interval and flush one last time. */
  close(): Promise<void>;
  status(): TelemetryStatus;
}

/** No telemetry configured: nothing is kept, nothing is sent. */
export class NoTelemetry implements Telemetry {
  probe(): void {}
  event(): void {}
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
  status(): TelemetryStatus {
    return { sink: 'none', state: 'idle', sent: { metrics: 0, events: 0 }, pending: { metrics: 0, events: 0 }, dropped: 0 };
  }
}
