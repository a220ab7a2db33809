import type { Timer } from './leaderboard/coalesce.js';
import { randomInt } from 'node:crypto';
import pino from 'pino';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, loggerOptions } from './app.js';
import { systemClock, type Clock } from './clock.js';
import type { Config } from './config.js';
import { openDatabase, SqliteEventStore } from './events/store.js';
import { GameClock } from './game/clock.js';
import { TeamRegistry } from './game/teams.js';
import { Leaderboard } from './leaderboard/service.js';
import { Comms } from './comms/index.js';
import { logInbox, type ChannelTransport } from './comms/transport.js';
import type { SlackTransport } from './slack/index.js';
import { loadScenario } from './scenario/load.js';
import { scenarioRecordEvents } from './game/scenario-record.js';
import { PdjsClient, type PagerDutyClient } from './incidents/client.js';
import { IncidentsService } from './incidents/service.js';
import { LocalPlatform, loadBaseManifest } from './platform/platform.js';
import { catalog as chatServiceCatalog } from '../challenges/chat-service/app/catalog.js';
import type { KubeConfig } from '@kubernetes/client-node';
import { CompositeTarget, type ActionKind } from './targets/composite.js';
import { ExecTarget } from './targets/exec.js';
import { HttpTarget } from './targets/http.js';
import { KubernetesTarget, loadKubeConfig } from './targets/kubernetes.js';
import { LocalTarget } from './targets/local.js';
import type { TeamTarget as AdapterTeam } from './targets/team-vars.js';
import type { Scenario } from './scenario/types.js';
import type { StoredEvent } from './events/types.js';
import { fromRoot } from './paths.js';
import { DEMO_TEAMS, wireGame } from './game/wire.js';
import { spawnBots, type BotsHandle } from './demo/spawn.js';
import { startTelemetry } from './telemetry/index.js';
import type { CoreServices, Services } from './services.js';
import { hashToken, newToken } from './tokens.js';
import { version } from './version.js';

/**
 * The game's fault target (docs/adapters.md, "Choosing the adapter"): embedded teams go to the local
 * platform, external teams to the adapter their target names. The per-kind team maps are live:
 * `add` is called for every team.created (from the config or the organizer API), so a team added
 * during the event is known to its adapter at once. Secrets come from the configuration
 * (`secrets:`, FIREDRILL_SECRET_*), never from an event.
 */
export interface FaultTarget {
  target: CompositeTarget;
  kubeConfig?: KubeConfig;
  /** Make a team known to its adapter (idempotent). */
  add(team: { id: string; target?: { kind: 'kubernetes' | 'exec' | 'http'; publicUrl: string; namespaces: string[]; vars: Record<string, string> } }): void;
}

/** Is the kubernetes adapter wanted: a kubeconfig, a kubernetes team in the config, or running in a cluster. */
export function wantsKubernetes(config: Config, env: NodeJS.ProcessEnv = process.env): boolean {
  return !!config.kubernetes || config.teams.some((t) => t.target?.kind === 'kubernetes') || !!env.KUBERNETES_SERVICE_HOST;
}

export function buildFaultTarget(config: Config, scenario: Scenario, deps: { platform?: LocalPlatform; teams: TeamRegistry; kubeConfig?: KubeConfig }): FaultTarget {
  const byKind: Record<'kubernetes' | 'exec' | 'http', Record<string, AdapterTeam & { namespaces: string[] }>> = { kubernetes: {}, exec: {}, http: {} };
  const kubeConfig = deps.kubeConfig ?? (wantsKubernetes(config) ? loadKubeConfig(config.kubernetes?.kubeconfig) : undefined);
  const adapters: Partial<Record<ActionKind, ConstructorParameters<typeof CompositeTarget>[0]['adapters'][ActionKind]>> = {
    ...(deps.platform ? { local: new LocalTarget(deps.platform) } : {}),
    exec: new ExecTarget({ teams: byKind.exec, secrets: config.secrets, baseDir: dirname(scenario.file) }),
    http: new HttpTarget({ teams: byKind.http, secrets: config.secrets }),
    ...(kubeConfig ? { kubernetes: new KubernetesTarget({ kubeConfig, teams: byKind.kubernetes }) } : {}),
  };
  const target = new CompositeTarget({
    adapters,
    // Embedded teams only ever get the local action; an external team only its own kind's.
    kindOf: (team) => {
      const t = deps.teams.get(team);
      if (!t) return undefined;
      return t.target ? t.target.kind : deps.platform ? 'local' : undefined;
    },
  });
  const add: FaultTarget['add'] = (team) => {
    if (!team.target) return;
    byKind[team.target.kind][team.id] = { namespaces: team.target.namespaces, publicUrl: team.target.publicUrl, vars: team.target.vars };
  };
  for (const t of deps.teams.list()) add(t);
  return { target, ...(kubeConfig ? { kubeConfig } : {}), add };
}

/**
 * The embedded platform folded from a log, with nothing started and nothing written (firedrill
 * plan, doctor --team read the teams' manifests from it).
 */
export function offlinePlatform(scenario: Scenario, events: readonly StoredEvent[]): LocalPlatform {
  const platform = new LocalPlatform({
    append: () => Promise.reject(new Error('read-only: firedrill plan and doctor change nothing')),
    clock: systemClock,
    catalog: chatServiceCatalog,
    root: null,
    baseManifest: loadBaseManifest(scenario.service.platform ?? fromRoot('challenges/chat-service/platform.yaml')),
    log: () => {},
  });
  for (const e of events) platform.apply(e);
  return platform;
}

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
  /** PagerDuty client (tests: one trusting the fake's CA). Default: pdjs from config.pagerduty. */
  pagerduty?: PagerDutyClient;
  /** A replay (firedrill replay): the log comes from a recording, so nothing of this start is recorded. */
  replay?: boolean;
  /** The clock and timer of the live frames' coalescing (tests inject one; default: real time). */
  frameTimer?: Timer;
}

export interface Runtime {
  services: Services;
  adminToken: string;
  adminTokenIsNew: boolean;
  /** The Slack transport, when `slack:` is configured. */
  slack?: SlackTransport;
  /** Teams created from the config (or the demo) at this start, with their tokens: print once, never log. */
  newTeams: Array<{ id: string; name: string; token: string }>;
  /** Start the timers (probes, the game loop); `url` is where this server listens (demo bots). Tests with a ManualClock drive ticks themselves. */
  start(url?: string): Promise<void>;
  close(): Promise<void>;
}

/**
 * Build every part and wire it to the log, in one readable place. Each fold is rebuilt from the
 * log first, then kept current by subscription, so a restart resumes exactly.
 */
export async function createRuntime(config: Config, opts: CreateOptions = {}): Promise<Runtime> {
  const clock = opts.clock ?? systemClock;
  // First, before any file is touched: an invalid scenario stops the start (ScenarioError).
  const scenario = loadScenario(config.scenario);
  const dataDir = opts.dataDir === undefined ? resolveDataDir(config) : opts.dataDir;
  const { token: adminToken, isNew } = organizerToken(config, dataDir);

  const db = openDatabase(dataDir ? join(dataDir, 'firedrill.db') : ':memory:');
  const gameClock = new GameClock(clock);
  const teams = new TeamRegistry();
  const store = new SqliteEventStore(db, { clock, gameTime: () => gameClock.now(), checkpointInBackground: true });
  // The log is read once at boot (each read parses every row again; seven of them were a third of
  // a 20k-event boot). Every fold replays this one array, caught up to the present right before its
  // replay and subscription (nothing awaits in between), so an event appended during boot (the
  // scenario record below) reaches every fold exactly once: by replay or by subscription.
  const history: StoredEvent[] = [];
  const replay = (): readonly StoredEvent[] => {
    for (const e of store.readSync({ after: history.length ? history[history.length - 1]!.seq : 0 })) history.push(e);
    return history;
  };
  for (const e of replay()) {
    gameClock.apply(e);
    teams.apply(e);
  }
  store.subscribe((e) => {
    gameClock.apply(e);
    teams.apply(e);
  });

  // Communication: team channels, status pages, scripted persona lines.
  const comms = new Comms({ store, scenario, gameClock });
  for (const e of replay()) comms.apply(e);
  store.subscribe((e) => comms.apply(e));
  // Which scenario this game plays, recorded once (a changed file later raises a warning).
  if (!opts.replay) await store.appendMany(scenarioRecordEvents(scenario, replay(), randomInt(2 ** 31)));

  // Filled part by part below; later parts look earlier ones up on use (a test may swap
  // services.target or services.scenario), so every closure reads this one object.
  const parts: CoreServices & Partial<Services> = { config, clock, gameClock, store, teams, scenario, comms, adminTokenHash: hashToken(adminToken), version, dataDir };

  // Scores and the live leaderboard (per audience): rebuilt from the log, then kept current.
  const leaderboard = new Leaderboard({ scenario, gameTime: () => gameClock.now(), ...(opts.frameTimer ? { timer: opts.frameTimer } : {}) });
  leaderboard.rebuild(replay());
  store.subscribe((e) => leaderboard.apply(e));

  const closers: Array<() => Promise<void>> = [];
  let closing: Promise<void> | undefined;

  // The embedded platform: each team's chat service as real processes, following its manifest
  // (a fold of team.created + platform.changed). Processes start only in start().
  const platform = new LocalPlatform({
    append: (e) => store.append(e),
    clock,
    catalog: chatServiceCatalog,
    root: dataDir ? join(dataDir, 'platform') : null,
    baseManifest: loadBaseManifest(scenario.service.platform ?? fromRoot('challenges/chat-service/platform.yaml')),
    log: (msg) => console.error(msg),
  });
  for (const e of replay()) platform.apply(e);
  store.subscribe((e) => platform.apply(e));
  closers.push(() => platform.close());
  // Faults: embedded teams through the platform, external teams through their adapter (the team maps follow team.created).
  const faults = buildFaultTarget(config, scenario, { platform, teams });
  const target = faults.target;
  store.subscribe((e) => {
    if (e.type === 'team.created') faults.add({ id: e.data.id, ...(e.data.target ? { target: e.data.target } : {}) });
  });
  parts.target = target;

  // Incidents: the built-in board, PagerDuty (webhooks, poll, alert outbox), alert decisions.
  const pd = config.pagerduty;
  const pagerduty = opts.pagerduty ?? (pd ? new PdjsClient({ apiToken: pd.apiToken, ...(pd.apiUrl ? { apiUrl: pd.apiUrl } : {}), ...(pd.eventsUrl ? { eventsUrl: pd.eventsUrl } : {}) }) : undefined);
  const incidents = new IncidentsService({
    ...(pd
      ? {
          pagerdutySettings: {
            webhookSecrets: pd.webhookSecrets,
            pollSeconds: pd.pollSeconds,
            teams: config.teams.flatMap((t) => (t.pagerduty ? [{ id: t.id, ...t.pagerduty }] : [])),
            ...(config.publicUrl ? { publicUrl: config.publicUrl } : {}),
          },
        }
      : {}),
    clock,
    gameClock,
    store,
    teams,
    // Looked up on each tick (a test may swap services.scenario).
    scenario: () => parts.scenario,
    ...(pagerduty ? { pagerduty } : {}),
  });
  for (const e of replay()) incidents.apply(e);
  store.subscribe((e) => incidents.apply(e));
  closers.push(() => incidents.close());

  // Slack as the war room of the teams configured for it (the others keep the built-in channels).
  // Loaded only when configured: the Slack libraries cost ~0.3 s of start-up.
  const slackPart = config.slack ? await import('./slack/index.js') : undefined;
  const slack: (ChannelTransport & SlackTransport) | undefined = slackPart
    ? new slackPart.SlackTransport({ settings: slackPart.slackSettings(config), store, inbox: logInbox(store, () => gameClock.now()), clock, personas: () => parts.scenario.personas, log: (m) => console.error(m) })
    : undefined;
  if (slack) {
    for (const e of replay()) slack.apply(e);
    store.subscribe((e) => slack.apply(e));
    closers.push(() => slack.close());
  }

  // The game: the fault sequencer, the probes, and the one loop that ticks every timed part.
  // The target is looked up on use (a test may swap services.target).
  const wired = await wireGame({ config, clock, gameClock, store, teams, scenario, target: () => parts.target }, replay(), [
    { name: 'incidents', tick: () => incidents.tick() },
    { name: 'comms', tick: () => comms.tick() },
    ...(slack ? [{ name: 'slack', tick: () => slack.tick() }] : []),
  ]);
  closers.push(() => wired.close());
  // Telemetry last in, out last but the store: its final flush sees every event (docs/telemetry.md).
  const tele = startTelemetry({ newrelic: config.newrelic, store, scenarioName: scenario.name, dataDir, probes: wired.probes, log: pino({ level: config.logLevel, name: 'telemetry' }) });
  closers.unshift(tele.close);
  const services: Services = Object.assign(parts, {
    leaderboard,
    platform,
    incidents,
    game: wired.game,
    probes: wired.probes,
    loop: wired.loop,
    target: parts.target ?? target,
    telemetry: tele.telemetry,
    metrics: tele.metrics,
  });

  // Demo bots: a separate process holding only the bot teams' tokens (stopped before the game closes).
  let bots: BotsHandle | undefined;
  closers.push(async () => {
    wired.loop.stop();
    await bots?.stop();
  });
  const botLog = pino({ level: config.logLevel, name: 'game' });

  return {
    services,
    adminToken,
    adminTokenIsNew: isNew,
    ...(slack ? { slack } : {}),
    newTeams: wired.newTeams,
    async start(url?: string) {
      await platform.start();
      await incidents.start();
      await slack?.start();
      await wired.start();
      if (config.demo && url) {
        const botTeams = wired.newTeams.filter((t) => DEMO_TEAMS.some((d) => d.id === t.id));
        bots = spawnBots(url, botTeams, (line) => botLog.info({ bots: true }, line));
      }
    },
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
  await rt.start(url);
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
