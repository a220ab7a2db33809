import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { EventStore } from './events/store.js';
import type { GameClock } from './game/clock.js';
import type { TeamRegistry } from './game/teams.js';

/**
 * What the HTTP layer may use. Built once in server.ts (or by a test) and handed to buildApp;
 * each part adds its field here as it lands.
 */
export interface Services {
  config: Config;
  clock: Clock;
  gameClock: GameClock;
  store: EventStore;
  teams: TeamRegistry;
  /** sha256 of the organizer token. */
  adminTokenHash: string;
  version: string;
  /** Where files live (null in unit tests: in-memory database, no files). */
  dataDir: string | null;
}
