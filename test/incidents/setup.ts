import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { buildApp } from '../../src/app.js';
import { ManualClock } from '../../src/clock.js';
import { loadConfig, type Config } from '../../src/config.js';
import type { EventType, StoredEvent, StoredEventOf } from '../../src/events/types.js';
import type { PagerDutyClient } from '../../src/incidents/client.js';
import type { Fault, Scenario } from '../../src/scenario/types.js';
import { createRuntime } from '../../src/server.js';
import { hashToken } from '../../src/tokens.js';
import { ADMIN_TOKEN, T0 } from '../helpers.js';

export const ORGANIZER = { kind: 'organizer' as const, name: 'test' };

/** A runtime + app like test/helpers.ts, plus an injectable PagerDuty client. */
export async function incidentsApp(overrides: Partial<Config> = {}, opts: { pagerduty?: PagerDutyClient; dataDir?: string | null; clock?: ManualClock } = {}) {
  const clock = opts.clock ?? new ManualClock(T0);
  const config = loadConfig({ env: {}, flags: { adminToken: ADMIN_TOKEN, logLevel: 'silent', teamPortBase: 0, ...overrides } });
  const rt = await createRuntime(config, { clock, dataDir: opts.dataDir ?? null, ...(opts.pagerduty ? { pagerduty: opts.pagerduty } : {}) });
  const app = await buildApp(rt.services);
  const incidents = rt.services.incidents!;
  return {
    ...rt,
    clock,
    config,
    app,
    incidents,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    async addTeam(id: string, token = `token-of-${id}-0123456789abcdef`) {
      await rt.services.store.append({
        type: 'team.created',
        source: 'organizer',
        team: id,
        data: { id, name: `Team ${id}`, members: [{ name: 'Ada' }, { name: 'Linus' }], tokenHash: hashToken(token), portBase: null, seed: 1, by: ORGANIZER },
      });
      return { authorization: `Bearer ${token}` };
    },
    async startGame() {
      await rt.services.store.append({ type: 'game.started', source: 'organizer', data: { by: ORGANIZER } });
    },
    setScenario(s: Scenario) {
      // services.scenario is wired by the scenario part; the incidents service reads it on each tick.
      (rt.services as { scenario?: Scenario }).scenario = s;
    },
    events: (async (type?: EventType) => {
      const all = await rt.services.store.read();
      return type ? all.filter((e) => e.type === type) : all;
    }) as {
      (): Promise<StoredEvent[]>;
      <T extends EventType>(type: T): Promise<Array<StoredEventOf<T>>>;
    },
    async close() {
      await app.close();
      await rt.close();
    },
  };
}

/** A scenario with just what alerting reads: faults with their alerting rules and recovery probes. */
export function scenarioWith(faults: Array<Partial<Fault> & { id: string }>, game: Partial<Scenario['game']> = {}): Scenario {
  return {
    name: 'test',
    game: { durationMs: 90 * 60_000, maxInjectAttempts: 2, signOff: true, signOffPersona: null, autoResolveAlerts: false, ...game },
    faults: faults.map((f, index) => ({
      index,
      title: `Fault ${f.id}`,
      alerting: 'pagerduty',
      alertAfterMs: 60_000,
      recoveredWhen: ['page', 'api'],
      ...f,
    })),
  } as unknown as Scenario;
}

/**
 * For a test file: `app(...)` opens an incidents app and `tempDir(prefix)` a data dir; both are
 * closed and removed after each test.
 */
export function boardApps() {
  type App = Awaited<ReturnType<typeof incidentsApp>>;
  const open: App[] = [];
  const dirs: string[] = [];
  afterEach(async () => {
    for (const a of open.splice(0)) await a.close();
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  return {
    app: async (...args: Parameters<typeof incidentsApp>): Promise<App> => {
      const a = await incidentsApp(...args);
      open.push(a);
      return a;
    },
    tempDir: (prefix: string): string => {
      const d = mkdtempSync(join(tmpdir(), prefix));
      dirs.push(d);
      return d;
    },
  };
}
