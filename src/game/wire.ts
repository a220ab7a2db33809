import pino from 'pino';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { EventStore } from '../events/store.js';
import type { StoredEvent } from '../events/types.js';
import { ProbeRunner } from '../probes/runner.js';
import type { Scenario } from '../scenario/types.js';
import type { TargetAdapter } from '../targets/types.js';
import type { GameClock } from './clock.js';
import { Game } from './game.js';
import { GameLoop, type Tickable } from './loop.js';
import { SYSTEM } from './sequencer.js';
import { createTeam } from './team-admin.js';
import type { TeamRegistry } from './teams.js';

/** Demo: every fault's random delay is capped to this much WALL time (scaled by speed into game time). */
export const DEMO_MAX_DELAY_WALL_MS = 15_000;
export const DEMO_TEAMS = [
  { id: 'bot-alpha', name: 'Alpha Bots' },
  { id: 'bot-bravo', name: 'Bravo Bots' },
  { id: 'bot-charlie', name: 'Charlie Bots' },
];

export interface GameDeps {
  config: Config;
  clock: Clock;
  gameClock: GameClock;
  store: EventStore;
  teams: TeamRegistry;
  scenario: Scenario;
  /** The fault target, looked up on use (a test may swap it after wiring). */
  target: () => TargetAdapter | undefined;
}

export interface GameWiring {
  game: Game;
  probes: ProbeRunner;
  loop: GameLoop;
  /** Teams created at this start from the config (or the demo), with their tokens: print once. */
  newTeams: Array<{ id: string; name: string; token: string }>;
  /** Record the configured speed, auto-start (demo, autoStart), start probes and the loop. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * The game's part of createRuntime: the sequencer, the probes and the one game loop, each folded
 * from the log first and then following it. `extra` are other parts the loop should tick.
 * It knows nothing of the composition root (services.ts) nor of the demo bots (server.ts spawns them).
 */
export async function wireGame(deps: GameDeps, history: readonly StoredEvent[], extra: Tickable[] = []): Promise<GameWiring> {
  const { config, store, clock, gameClock, teams, scenario } = deps;
  const log = pino({ level: config.logLevel, name: 'game' });

  const probes = new ProbeRunner({
    store,
    clock,
    gameClock,
    probes: scenario.probes,
    teams: () => teams.list().map((t) => t.id),
    urlOf: (team) => deps.target()?.publicUrl(team),
    log,
  });
  for (const e of history) probes.apply(e);
  store.subscribe((e) => probes.apply(e));

  const game = new Game({
    store,
    gameClock,
    scenario,
    target: deps.target,
    checksOf: (team, probe) => probes.checksOf(team, probe),
    log,
    ...(config.demo ? { maxDelayMs: DEMO_MAX_DELAY_WALL_MS * config.speed, retryAfterMs: 5_000 * config.speed } : {}),
  });
  game.attach(history);

  const loop = new GameLoop(250, (part, err) => log.error({ err, part }, 'game loop part failed'));
  // Not awaited: each team has its own lane in the game, so one team's slow injection never holds
  // up the loop (nor the due times of the other teams).
  loop.register({ name: 'game', tick: () => void game.tick() });
  for (const p of extra) loop.register(p);

  // Teams from the config (and the demo's bot teams) are created at first start only.
  const newTeams: GameWiring['newTeams'] = [];
  const wanted = config.demo ? [...DEMO_TEAMS.map((t) => ({ ...t, members: [] })), ...config.teams] : config.teams;
  for (const t of wanted) {
    if (teams.get(t.id)) continue;
    const r = await createTeam({ store, teams, teamPortBase: config.teamPortBase }, { id: t.id, name: t.name, members: t.members ?? [] }, SYSTEM, { key: `team:${t.id}` });
    newTeams.push({ id: r.id, name: r.name, token: r.token });
  }

  return {
    game,
    probes,
    loop,
    newTeams,
    async start() {
      await game.ensureSpeed(config.speed);
      if ((config.autoStart || config.demo) && !gameClock.started) await game.start(SYSTEM);
      probes.start();
      loop.start();
    },
    async close() {
      loop.stop();
      game.close();
      await probes.close();
      await game.idle();
    },
  };
}
