import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, loggerOptions } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, SqliteEventStore } from './events/store.js';
import { GameClock } from './game/clock.js';
import { TeamRegistry } from './game/teams.js';
import type { Services } from './services.js';
import { hashToken, newToken } from './tokens.js';
import { version } from './version.js';

/** The organizer token: from config/env, else generated on first start and kept in the data dir. */
function organizerToken(config: Config, dataDir: string | null): { token: string; isNew: boolean } {
  if (config.adminToken) return { token: config.adminToken, isNew: false };
  if (!dataDir) return { token: newToken(), isNew: true };
  const file = join(dataDir, 'admin-token');
  if (existsSync(file)) return { token: readFileSync(file, 'utf8').trim(), isNew: false };
  const token = newToken();
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  chmodSync(file, 0o600);
  return { token, isNew: true };
}

export function resolveDataDir(config: Config): string {
  const base = resolve(config.dataDir);
  // The demo plays in its own folder and starts fresh every time.
  const dir = config.demo ? join(base, 'demo') : base;
  if (config.demo) rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

export interface CreateOptions {
  clock?: Clock;
  /** null: an in-memory database and no files (unit tests). Default: from config. */
  dataDir?: string | null;
}

export interface Runtime {
  services: Services;
  adminToken: string;
  adminTokenIsNew: boolean;
  /** Start the timers (probes, the game loop). Tests with a ManualClock drive ticks themselves. */
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Build every part and wire it to the log, in one readable place. Each fold is rebuilt from the
 * log first, then kept current by subscription, so a restart resumes exactly.
 */
export async function createRuntime(config: Config, opts: CreateOptions = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const dataDir = opts.dataDir === undefined ? resolveDataDir(config) : opts.dataDir;
  const { token: adminToken, isNew } = organizerToken(config, dataDir);

  const db = openDatabase(dataDir ? join(dataDir, 'firedrill.db') : ':memory:');
  const gameClock = new GameClock(clock);
  const teams = new TeamRegistry();
  const store = new SqliteEventStore(db, { clock, gameTime: () => gameClock.now() });
  for (const e of store.readSync()) {
    gameClock.apply(e);
    teams.apply(e);
  }
  store.subscribe((e) => {
    gameClock.apply(e);
    teams.apply(e);
  });

  const services: Services = { config, clock, gameClock, store, teams, adminTokenHash: hashToken(adminToken), version, dataDir };

  const closers: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;
  return {
    services,
    adminToken,
    adminTokenIsNew: isNew,
    async start() {},
    close: () =>
      (closing ??= (async () => {
        for (const c of closers.reverse()) await c();
        await store.close();
      })()),
  };
}

export interface Server extends Runtime {
  app: FastifyInstance;
  url: string;
}

export async function startServer(config: Config, opts: CreateOptions & { logger?: boolean } = {}): Promise<Server> {
  const rt = await createRuntime(config, opts);
  const app = await buildApp(rt.services, { logger: opts.logger === false ? false : loggerOptions(config.logLevel) });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  await rt.start();
  let closing: Promise<void> | undefined;
  return {
    ...rt,
    app,
    url,
    close: () =>
      (closing ??= (async () => {
        await app.close();
        await rt.close();
      })()),
  };
}
