import type { EventStore } from '../events/store.js';

/**
 * What the incidents part needs from the rest of the server, as narrow ports: the composition root
 * (src/server.ts) hands in the game clock, the team registry and the PagerDuty settings, so this
 * part knows neither game/ nor the whole Config.
 */

/** Game time (the game's GameClock satisfies it). */
export interface GameTime {
  readonly started: boolean;
  /** Game ms now. */
  now(): number;
}

/** The team registry, as far as alerts need it (the game's TeamRegistry satisfies it). */
export interface TeamNames {
  get(team: string): { name: string; members?: ReadonlyArray<{ name: string }> } | undefined;
}

/** The event log: the part appends its facts and reads stored deliveries again after a restart. */
export type IncidentsStore = Pick<EventStore, 'append' | 'appendMany' | 'read'>;

export interface PagerDutyTeam {
  id: string;
  /** The team's PagerDuty service (webhooks and the poll name incidents by service). */
  serviceId: string;
  /** The Events API v2 routing key alerts are sent with. */
  routingKey: string;
}

/** PagerDuty as configured; absent: the built-in board is used. */
export interface PagerDutySettings {
  /** Webhook signing secrets (more than one during a rotation). */
  webhookSecrets: readonly string[];
  pollSeconds: number;
  teams: readonly PagerDutyTeam[];
  /** The server's public address, for the link in an alert. */
  publicUrl?: string;
}

export interface IncidentsLogger {
  warn(obj: object, msg: string): void;
}
