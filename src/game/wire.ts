import pino from 'pino';
import type { Services } from '../services.js';
import type { StoredEvent } from '../events/types.js';
import { ProbeRunner } from '../probes/runner.js';
import { spawnBots, type BotsHandle } from '../demo/spawn.js';
import { Game } from './game.js';
import { GameLoop, type Tickable } from './loop.js';
import { SYSTEM } from './sequencer.js';
import { createTeam } from './team-admin.js';

/** Demo: every fault's random delay is capped to this much WALL time (scaled by speed into game time). */
export const DEMO_MAX_DELAY_WALL_MS = 15_000;
export const DEMO_TEAMS = [
  { id: 'bot-alpha', name: 'Alpha Bots' },
  { id: 'bot-bravo', name: 'Bravo Bots' },
  { id: 'bot-charlie', name: 'Charlie Bots' },
];

export interface GameWiring {
  /** Teams created at this start from the config (or the demo), with their tokens: print once. */
  newTeams: Array<{ id: string; name: string; token: string }>;
  /** Record the configured speed, auto-start (demo, autoStart), start probes and the loop, spawn demo bots. */
  start(url?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * The game's part of createRuntime: the sequencer, the probes and the one game loop, each folded
 * from the log first and then following it. `extra` are other parts the loop should tick.
 */
export async function wireGame(services: Services, history: readonly StoredEvent[], extra: Tickable[] = []): Promise<GameWiring> {
  const { config, store, clock, gameClock, teams, scenario } = services;
  const log = pino({ level: config.logLevel, name: 'game' });

  const game = new Game({
    store,
    gameClock,
    scenario,
    target: () => services.target,
    checksOf: (team, probe) => services.probes?.checksOf(team, probe) ?? 0,
    log,
    ...(config.demo ? { maxDelayMs: DEMO_MAX_DELAY_WALL_MS * config.speed, retryAfterMs: 5_000 * config.speed } : {}),
  });
  game.attach(history);
  services.game = game;

  const probes = new ProbeRunner({
    store,
    clock,
    gameClock,
    probes: scenario.probes,
    teams: () => teams.list().map((t) => t.id),
    urlOf: (team) => services.target?.publicUrl(team),
    log,
  });
  for (const e of history) probes.apply(e);
  store.subscribe((e) => probes.apply(e));
  services.probes = probes;

  const loop = new GameLoop(250, (part, err) => log.error({ err, part }, 'game loop part failed'));
  // Not awaited: each team has its own lane in the game, so one team's slow injection never holds
  // up the loop (nor the due times of the other teams).
  loop.register({ name: 'game', tick: () => void game.tick() });
  for (const p of extra) loop.register(p);
  services.loop = loop;

  // Teams from the config (and the demo's bot teams) are created at first start only.
  const newTeams: GameWiring['newTeams'] = [];
  const wanted = config.demo ? [...DEMO_TEAMS.map((t) => ({ ...t, members: [] })), ...config.teams] : config.teams;
  for (const t of wanted) {
    if (teams.get(t.id)) continue;
    const r = await createTeam({ store, teams, teamPortBase: config.teamPortBase }, { id: t.id, name: t.name, members: t.members ?? [] }, SYSTEM, { key: `team:${t.id}` });
    newTeams.push({ id: r.id, name: r.name, token: r.token });
  }

  let bots: BotsHandle | undefined;
  return {
    newTeams,
    async start(url) {
      await game.ensureSpeed(config.speed);
      if ((config.autoStart || config.demo) && !gameClock.started) await game.start(SYSTEM);
      probes.start();
      loop.start();
      if (config.demo && url) {
        const botTeams = newTeams.filter((t) => DEMO_TEAMS.some((d) => d.id === t.id));
        bots = spawnBots(url, botTeams, (line) => log.info({ bots: true }, line));
      }
    },
    async close() {
      loop.stop();
      await bots?.stop();
      game.close();
      await probes.close();
      await game.idle();
    },
  };
}
