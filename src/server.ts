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

export interface Runtime {
  app: FastifyInstance;
  services: Services;
  url: string;
  /** Printed once to the terminal, never logged. */
  adminToken: string;
  adminTokenIsNew: boolean;
  close(): Promise<void>;
}

/** The organizer token: from config/env, else generated on first start and kept in the data dir. */
function organizerToken(config: Config, dataDir: string): { token: string; isNew: boolean } {
  if (config.adminToken) return { token: config.adminToken, isNew: false };
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

export async function startServer(config: Config, opts: { clock?: Clock; logger?: boolean } = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  const dataDir = resolveDataDir(config);
  const { token: adminToken, isNew } = organizerToken(config, dataDir);

  const db = openDatabase(join(dataDir, 'firedrill.db'));
  const gameClock = new GameClock(clock);
  const teams = new TeamRegistry();
  const store = new SqliteEventStore(db, { clock, gameTime: () => gameClock.now() });
  // Rebuild every fold from the log, then keep it current.
  for (const e of store.readSync()) {
    gameClock.apply(e);
    teams.apply(e);
  }
  store.subscribe((e) => {
    gameClock.apply(e);
    teams.apply(e);
  });

  const services: Services = { config, clock, gameClock, store, teams, adminTokenHash: hashToken(adminToken), version };
  const app = await buildApp(services, { logger: opts.logger === false ? false : loggerOptions(config.logLevel) });
  await app.listen({ port: config.port, host: config.host });
  const addr = app.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : config.port;
  const url = config.publicUrl ?? `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      await app.close();
      await store.close();
    })());

  return { app, services, url, adminToken, adminTokenIsNew: isNew, close };
}
