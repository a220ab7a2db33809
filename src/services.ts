import type { Clock } from './clock.js';
import type { Config } from './config.js';
import type { EventStore } from './events/store.js';
import type { GameClock } from './game/clock.js';
import type { TeamRegistry } from './game/teams.js';
import type { IncidentsService } from './incidents/service.js';
import type { LocalPlatform } from './platform/platform.js';
import type { Scenario } from './scenario/types.js';
import type { Comms } from './comms/index.js';
import type { Leaderboard } from './leaderboard/service.js';
import type { Game } from './game/game.js';
import type { GameLoop } from './game/loop.js';
import type { ProbeRunner } from './probes/runner.js';
import type { TargetAdapter } from './targets/types.js';
import type { ServerMetrics, Telemetry } from './telemetry/index.js';

/**
 * The parts every server has, folded from the log before anything else (unit tests build these
 * by hand to test the store or the clock).
 */
export interface CoreServices {
  config: Config;
  clock: Clock;
  gameClock: GameClock;
  store: EventStore;
  teams: TeamRegistry;
  /** The scenario this server plays (loaded and checked before anything starts). */
  scenario: Scenario;
  /** Team channels, status pages and the persona director (`comms.tick()`). */
  comms: Comms;
  /** sha256 of the organizer token. */
  adminTokenHash: string;
  version: string;
  /** Where files live (null in unit tests: in-memory database, no files). */
  dataDir: string | null;
}

/**
 * Every part of a running server, built once by createRuntime (server.ts, the composition root)
 * and handed to buildApp. None is optional: buildApp decorates each part separately (app.ts) and
 * each route plugin names the parts it needs, so a missing part fails at boot, not on a request.
 */
export interface Services extends CoreServices {
  /** Incident board, PagerDuty webhooks/poll, alerts. */
  incidents: IncidentsService;
  /** The embedded platform running each team's chat service. */
  platform: LocalPlatform;
  /** Scores and the live boards per audience. */
  leaderboard: Leaderboard;
  /** The per-team fault sequencer and organizer commands. */
  game: Game;
  /** Health probes of every team's service. */
  probes: ProbeRunner;
  /** The one loop that ticks the game, the persona director and the incidents part. */
  loop: GameLoop;
  /** The fault target (the embedded platform's LocalTarget by default); the game looks it up on use, so a test may swap it. */
  target: TargetAdapter;
  /** Probe metrics and game events out (New Relic, or nothing); and the server's own Prometheus registry. */
  telemetry: Telemetry;
  metrics: ServerMetrics;
}
