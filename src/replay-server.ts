import type { Config } from './config.js';
import { buildApp, loggerOptions } from './app.js';
import { ManualClock } from './clock.js';
import type { StoredEvent } from './events/types.js';
import replayRoutes, { type ReplayControl } from './http/replay.js';
import { Replayer } from './replay/replayer.js';
import { createRuntime, type Runtime } from './server.js';

/**
 * `firedrill replay FILE`: a server whose log is a recording. An in-memory store, no game loop, no
 * platform, no probes, no personas, no PagerDuty, Slack or New Relic: the Replayer appends the
 * recorded events (with their own wall and game times, the wall clock set to each one's `at`), and
 * every board, timeline and the results fold them as the original server did. A seek backwards
 * closes the server and opens a fresh one on the same port (the pages reconnect by themselves).
 */
export interface ReplayServer {
  url: string;
  adminToken: string;
  replayer: Replayer;
  /** Resolves when the last event is in (again after each seek back). */
  finished(): Promise<void>;
  close(): Promise<void>;
}

export interface ReplayServerOptions {
  speed: number;
  logger?: boolean;
  /** The longest wall wait between two events (default 5 s). */
  maxGapMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** The configuration a replay runs with: the listen address and scenario of `config`, nothing that reaches out. */
export function replayConfig(config: Config): Config {
  const { pagerduty: _pd, slack: _slack, newrelic: _nr, kubernetes: _k, ...rest } = config;
  return { ...rest, teams: [], demo: false, autoStart: false };
}

export async function startReplayServer(config: Config, events: readonly StoredEvent[], o: ReplayServerOptions): Promise<ReplayServer> {
  const cfg = replayConfig(config);
  const clock = new ManualClock(events[0]?.at ?? 0);
  let port = cfg.port;
  let current: { rt: Runtime; close: () => Promise<void> } | undefined;
  let adminToken = cfg.adminToken;
  let url = '';

  const replayer: Replayer = new Replayer(events, {
    speed: o.speed,
    ...(o.maxGapMs !== undefined ? { maxGapMs: o.maxGapMs } : {}),
    ...(o.sleep ? { sleep: o.sleep } : {}),
    append: async (e) => {
      clock.set(e.at);
      await current!.rt.services.store.append({ type: e.type, source: e.source, team: e.team, key: e.key, gameTime: e.gameTime, data: e.data } as never);
    },
    reset: async () => {
      await current?.close();
      clock.set(events[0]?.at ?? 0);
      current = await boot();
    },
  });

  const control: ReplayControl = {
    position: () => replayer.position(),
    pause: () => replayer.pause(),
    resume: () => replayer.resume(),
    setSpeed: (s) => replayer.setSpeed(s),
    seek: (t) => {
      const restarting = t < replayer.position().gameTime;
      // Backwards: let the answer go out before this server closes.
      const done = restarting ? new Promise<void>((r) => setImmediate(r)).then(() => replayer.seek(t)) : replayer.seek(t);
      return { restarting, done };
    },
  };

  async function boot() {
    // One organizer token for the whole replay (each rebuilt server keeps it).
    const rt = await createRuntime(adminToken ? { ...cfg, adminToken } : cfg, { clock, dataDir: null, replay: true });
    adminToken = rt.adminToken;
    // Nothing decides anything here: the recording already holds every decision.
    rt.services.game.close();
    const app = await buildApp(rt.services, { logger: o.logger === false ? false : loggerOptions(cfg.logLevel) });
    await app.register(replayRoutes, { control });
    await app.listen({ port, host: cfg.host });
    const addr = app.server.address();
    port = typeof addr === 'object' && addr ? addr.port : port;
    url = cfg.publicUrl ?? `http://${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${port}`;
    return {
      rt,
      close: async () => {
        await app.close();
        await rt.close();
      },
    };
  }

  current = await boot();
  let stopped = false;
  let played = replayer.run();
  return {
    get url() {
      return url;
    },
    adminToken: adminToken!,
    replayer,
    async finished() {
      // A seek may have restarted the run: wait for whichever run is current.
      for (;;) {
        await played;
        if (replayer.position().done || stopped) return;
        await new Promise((r) => setTimeout(r, 50));
        played = replayer.run();
      }
    },
    async close() {
      stopped = true;
      replayer.stop();
      await current?.close();
    },
  };
}
