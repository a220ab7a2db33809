#!/usr/bin/env node
import { parseArgs } from 'node:util';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { loadScenario, ScenarioError, scenarioJsonSchema } from './scenario/load.js';
import type { Scenario } from './scenario/types.js';
import { startServer } from './server.js';
import { version } from './version.js';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from './clock.js';
import { openDatabase, SqliteEventStore } from './events/store.js';
import { parseEventsJsonl, writeExportPack } from './export/pack.js';
import { startReplayServer } from './replay-server.js';
import { buildFaultTarget } from './server.js';

import type { StoredEvent } from './events/types.js';
import { TeamRegistry } from './game/teams.js';
import { targetRecord } from './game/team-admin.js';
import { offlinePlatform } from './server.js';
import { createGameState, reduce } from './lifecycle/reduce.js';
import { runDoctor } from './doctor/doctor.js';
import { CHECK_TITLES, deploymentFromManifest, runCheck as runLessonCheck, type Deployment } from './doctor/checks.js';
import { kubernetesTeamDeployment } from './doctor/kubernetes.js';
import { exitCode, FORMATS, render, suppress, type Finding, type Format } from './doctor/findings.js';
import { loadKubeConfig } from './targets/kubernetes.js';

const HELP = `firedrill ${version} — a game server for incident-response drills

Usage:
  firedrill [serve] [options]     run the server (the default command)
  firedrill validate [file]       check a scenario file (default: the configured scenario)
  firedrill schema                print the scenario JSON Schema
  firedrill export [--out DIR]    results (JSON, CSV), the event log (JSON Lines) and each team's
                                  retrospective (Markdown, en + ja) of the game in the data dir
  firedrill replay FILE [--speed N] [--port N]
                                  play a finished game's events.jsonl (as export writes it) onto a
                                  fresh server's boards: spectator page, big screen (/?screen=big), results.
                                  Game time runs N times faster than wall time (default 1). Nothing is
                                  written and nothing reaches out (no probes, personas, PagerDuty).
                                  Organizers pause, resume, seek and change speed in the console or
                                  with POST /api/admin/replay/{pause,resume,seek,speed}.
  firedrill plan [--team T]       dry run: what each team's next fault would do (nothing is changed)
  firedrill doctor [--server URL] [--team T] [--format text|markdown|github]
                                  readiness check before an event: scenario, each team's baseline
                                  (embedded teams through a running server's /t/TEAM/), adapters by
                                  dry run, PagerDuty, New Relic, Chromium. With --team: the faults'
                                  checks against the team's current deployment (after a game).
                                  Exit code: 0 all OK, 1 a warning, 2 a critical finding.
  firedrill --help | --version

Options (flag > environment > firedrill.yaml > default):
  --config FILE          configuration file (default: ./firedrill.yaml if present)
  --port N               PORT                  listen port (default 8080)
  --host ADDR            HOST                  listen address (default 127.0.0.1)
  --data-dir DIR         FIREDRILL_DATA_DIR    event log and state (default ./data)
  --scenario FILE        FIREDRILL_SCENARIO    scenario (default challenges/chat-service/scenario.yaml)
  --speed N              FIREDRILL_SPEED       game time runs N times faster (default 1; replay: its pace)
  --team-port-base N     FIREDRILL_TEAM_PORT_BASE  first port for embedded teams (default 9100; 0 = OS picks)
  --public-url URL       FIREDRILL_PUBLIC_URL  address people use to reach this server
  --log-level LEVEL      LOG_LEVEL             fatal|error|warn|info|debug|trace|silent
  --demo                 bot teams play a short game by themselves (fresh data in DATA_DIR/demo)
  FIREDRILL_ADMIN_TOKEN  organizer token (else generated once and kept in the data dir)
`;

type Flags = Partial<Record<keyof Config, unknown>>;

function parse(argv: string[]) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      config: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      'data-dir': { type: 'string' },
      scenario: { type: 'string' },
      speed: { type: 'string' },
      'team-port-base': { type: 'string' },
      'public-url': { type: 'string' },
      'log-level': { type: 'string' },
      demo: { type: 'boolean' },
      out: { type: 'string' },
      server: { type: 'string' },
      team: { type: 'string' },
      format: { type: 'string' },
    },
  });
  const flags: Flags = {
    port: values.port,
    host: values.host,
    dataDir: values['data-dir'],
    scenario: values.scenario,
    speed: values.speed,
    teamPortBase: values['team-port-base'],
    publicUrl: values['public-url'],
    logLevel: values['log-level'],
    demo: values.demo,
  };
  return { values, positionals, flags };
}

/** `firedrill validate [file]`: 0 and a summary when valid; 1 and one problem per line otherwise. */
function validate(file: string): number {
  try {
    const s = loadScenario(file);
    process.stdout.write(`ok: ${file} (${s.faults.length} faults, ${s.probes.length} probes)\n`);
    return 0;
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    process.stderr.write(`${err.problems.join('\n')}\n`);
    return 1;
  }
}

/** `firedrill export`: reads the data dir's log (a running server may keep writing: WAL readers see a consistent snapshot). */
function exportGame(config: Config, out: string): number {
  const file = join(config.dataDir, 'firedrill.db');
  if (!existsSync(file)) {
    process.stderr.write(`firedrill: no game in ${config.dataDir} (no firedrill.db)\n`);
    return 1;
  }
  const scenario = scenarioOrSay(config.scenario);
  if (!scenario) return 1;
  const db = openDatabase(file);
  try {
    const events = new SqliteEventStore(db, { clock: systemClock }).readSync();
    const created = events.find((e) => e.type === 'game.created');
    if (created?.type === 'game.created' && created.data.scenarioHash !== scenario.hash) {
      process.stderr.write(`firedrill: warning: ${config.scenario} changed since the game was played; scores use the file as it is now\n`);
    }
    const files = writeExportPack(out, scenario, events);
    process.stdout.write(`exported ${events.length} events to ${out}:\n${files.map((f) => `  ${f}`).join('\n')}\n`);
    return 0;
  } finally {
    db.close();
  }
}

/** The log of the data dir, read-only (a running server may keep writing: WAL readers see a snapshot). */
function readLog(config: Config): StoredEvent[] {
  const file = join(config.dataDir, 'firedrill.db');
  if (!existsSync(file)) return [];
  const db = openDatabase(file);
  try {
    return new SqliteEventStore(db, { clock: systemClock }).readSync();
  } finally {
    db.close();
  }
}

/** The log with the config's teams added as the first start would add them (nothing is written). */
function withConfigTeams(config: Config, events: StoredEvent[]): StoredEvent[] {
  const teams = new TeamRegistry();
  for (const e of events) teams.apply(e);
  const out = [...events];
  let seq = 0;
  for (const t of config.teams) {
    if (teams.get(t.id)) continue;
    const target = t.target ? targetRecord(t.target) : undefined;
    out.push({ seq: --seq, at: 0, gameTime: 0, team: t.id, type: 'team.created', source: 'config', key: null, data: { id: t.id, name: t.name, members: t.members ?? [], tokenHash: '-', portBase: null, seed: 0, by: { kind: 'system', name: 'config' }, ...(target ? { target } : {}) } } as StoredEvent);
  }
  return out;
}

function teamsOf(events: StoredEvent[]): TeamRegistry {
  const teams = new TeamRegistry();
  for (const e of events) teams.apply(e);
  return teams;
}

/**
 * `firedrill plan`: each team's next fault (the first not yet played, from the log), planned by its
 * adapter: the summary only — plan() reads and checks, it never changes a service. Embedded teams
 * are planned against the manifest folded from the log (no process is started).
 */
async function planFaults(config: Config, only?: string): Promise<number> {
  const scenario = loadScenario(config.scenario);
  const events = withConfigTeams(config, readLog(config));
  const teams = teamsOf(events);
  const platform = offlinePlatform(scenario, events);
  const { target } = buildFaultTarget(config, scenario, { platform, teams });
  let state = createGameState();
  for (const e of events) state = reduce(scenario, state, e);
  let failed = 0;
  const list = teams.list().filter((t) => !only || t.id === only);
  if (only && list.length === 0) {
    process.stderr.write(`firedrill: no team '${only}'\n`);
    return 2;
  }
  for (const t of list) {
    const played = new Set((state.teams[t.id]?.faults ?? []).filter((f) => f.state !== 'pending').map((f) => f.id));
    const next = scenario.faults.find((f) => !played.has(f.id));
    const where = t.target ? `${t.target.kind} ${t.target.publicUrl}` : 'embedded';
    if (!next) {
      process.stdout.write(`${t.id} (${where}): no fault left\n`);
      continue;
    }
    try {
      const p = await target.plan({ team: t.id, fault: next.id, actions: next.inject });
      process.stdout.write(`${t.id} (${where}): next fault ${next.id}: ${p.summary}\n`);
    } catch (err) {
      failed++;
      process.stdout.write(`${t.id} (${where}): next fault ${next.id}: CANNOT PLAN: ${(err as Error).message}\n`);
    }
  }
  await platform.close();
  return failed ? 1 : 0;
}

/** `firedrill doctor`: findings, shown in the chosen format; the exit code is the worst severity (0/1/2). */
async function doctor(config: Config, o: { format: Format; server?: string; team?: string }): Promise<number> {
  let findings: Finding[];
  let title = 'firedrill doctor';
  if (o.team) {
    title = `firedrill doctor --team ${o.team}`;
    findings = await teamChecks(config, o.team);
  } else {
    const scenario = (() => {
      try {
        return loadScenario(config.scenario);
      } catch {
        return undefined; // doctor reports it
      }
    })();
    const events = withConfigTeams(config, readLog(config));
    const teams = teamsOf(events);
    let built: ReturnType<typeof buildFaultTarget> | undefined;
    let kubeError: string | undefined;
    if (scenario) {
      try {
        built = buildFaultTarget(config, scenario, { teams });
      } catch (err) {
        kubeError = (err as Error).message;
      }
    }
    findings = await runDoctor(config, { ...(o.server ? { serverUrl: o.server } : {}), ...(built ? { target: built.target } : {}), ...(built?.kubeConfig ? { kubeConfig: built.kubeConfig } : {}) });
    if (kubeError) findings.push({ id: 'kubernetes.config', severity: 'critical', message: `the kubeconfig cannot be loaded: ${kubeError}`, fix: 'fix kubernetes.kubeconfig (FIREDRILL_KUBECONFIG), or run inside the cluster' });
  }
  const { shown, suppressed } = suppress(findings, config.doctor.suppress);
  process.stdout.write(render(shown, o.format, { title, suppressed: suppressed.length }));
  return exitCode(shown);
}

/** The faults' checks against one team's current deployment: the manifest folded from the log (embedded). */
async function teamChecks(config: Config, team: string): Promise<Finding[]> {
  const scenario = loadScenario(config.scenario);
  const events = withConfigTeams(config, readLog(config));
  const teams = teamsOf(events);
  const t = teams.get(team);
  if (!t) return [{ id: `team.${team}`, severity: 'critical', message: `no team '${team}' in the log or the configuration`, fix: 'check the team id (firedrill plan lists the teams)' }];
  const specs = scenario.faults.flatMap((f) => (f.check ? [{ fault: f.id, spec: f.check }] : []));
  if (specs.length === 0) return [{ id: 'checks', severity: 'warning', message: 'no fault of the scenario declares a check', fix: 'add check: to the faults (ingress-routes-have-endpoints, backend-credentials-match, release-not-bad)' }];
  let deployment: Deployment;
  if (!t.target) {
    const platform = offlinePlatform(scenario, events);
    const m = platform.manifest(team);
    await platform.close();
    if (!m) return [{ id: `team.${team}`, severity: 'critical', message: `team ${team} has no manifest in the log` }];
    deployment = deploymentFromManifest(m);
  } else if (t.target.kind === 'kubernetes') {
    const read = await kubernetesTeamDeployment(team, t.target.namespaces[0]!, () => loadKubeConfig(config.kubernetes?.kubeconfig));
    if ('finding' in read) return [read.finding];
    deployment = read.deployment;
  } else {
    return [{ id: `team.${team}.checks`, severity: 'warning', message: `team ${team} is on the ${t.target.kind} target: firedrill cannot read its deployment`, fix: 'run the checks on the team\'s own tooling' }];
  }
  return specs.map(({ fault, spec }) => {
    const r = runLessonCheck(spec, deployment);
    return { id: `team.${team}.check.${fault}.${r.check}`, severity: r.severity, message: `fault ${fault} — ${CHECK_TITLES[r.check]}: ${r.message}`, ...(r.fix ? { fix: r.fix } : {}) };
  });
}

/** `firedrill replay FILE`: serve a recording; keeps serving after the end (the results stay up) until SIGTERM. */
async function replay(config: Config, file: string | undefined, speedFlag: string | undefined): Promise<number> {
  if (!file) {
    process.stderr.write('firedrill: replay needs a file: firedrill replay events.jsonl [--speed N]\n');
    return 2;
  }
  const speed = speedFlag === undefined ? 1 : Number(speedFlag);
  if (!(speed > 0) || !Number.isFinite(speed)) {
    process.stderr.write(`firedrill: --speed must be a number > 0 (got '${speedFlag}')\n`);
    return 2;
  }
  let events: StoredEvent[];
  try {
    events = parseEventsJsonl(readFileSync(file, 'utf8'));
  } catch (err) {
    process.stderr.write(`firedrill: cannot read ${file}: ${(err as Error).message}\n`);
    return 1;
  }
  const scenario = scenarioOrSay(config.scenario);
  if (!scenario) return 1;
  const created = events.find((e) => e.type === 'game.created');
  if (created?.type === 'game.created' && created.data.scenarioHash !== scenario.hash) {
    process.stderr.write(`firedrill: warning: ${config.scenario} changed since the game was played; scores use the file as it is now\n`);
  }
  const rs = await startReplayServer(config, events, { speed });
  closeWithGrace({ delay: 10_000, skip: ['SIGUSR2'] }, async () => {
    await rs.close();
  });
  const span = (events[events.length - 1]?.gameTime ?? 0) - (events[0]?.gameTime ?? 0);
  process.stdout.write(
    [
      '',
      `firedrill ${version} is replaying ${file} (${events.length} events, ${Math.round(span / 1000)} s of game time) at speed ${speed}`,
      `  spectators:  ${rs.url}/`,
      `  big screen:  ${rs.url}/?screen=big`,
      `  organizers:  ${rs.url}/admin`,
      `  organizer join link: ${rs.url}/join?token=${rs.adminToken}`,
      '',
    ].join('\n') + '\n',
  );
  void rs.finished().then(() => process.stdout.write('replay finished: the boards show the end of the game (Ctrl-C stops)\n'));
  return -1;
}

async function serve(config: Config): Promise<void> {
  const rt = await startServer(config);
  // Outside the logger on purpose: the token must not end up in log files.
  const lines = [
    '',
    `firedrill ${version} is running`,
    `  spectators:  ${rt.url}/`,
    `  teams:       ${rt.url}/team`,
    `  organizers:  ${rt.url}/admin`,
  ];
  // The token itself only when it was just generated; afterwards it stays in the data dir.
  if (rt.adminTokenIsNew) {
    lines.push(`  organizer token (new, kept in ${rt.services.dataDir}/admin-token): ${rt.adminToken}`);
    lines.push(`  organizer join link: ${rt.url}/join?token=${rt.adminToken}`);
  } else if (!config.adminToken) {
    lines.push(`  organizer token: in ${rt.services.dataDir}/admin-token`);
  }
  // Teams created at this start: their join links are shown once, here, and never again.
  for (const t of rt.newTeams) lines.push(`  team ${t.id} (${t.name}) join link: ${rt.url}/join?token=${encodeURIComponent(t.token)}`);
  if (config.demo) lines.push(`  demo: bot teams are playing at speed ${config.speed}; watch ${rt.url}/`);
  else if (rt.services.teams.list().length === 0) {
    lines.push('  no teams yet: add them in the organizer console (or under teams: in firedrill.yaml),');
    lines.push('  or watch a game play itself: npm start -- --demo --speed 30');
  }
  lines.push('');
  // Signal handlers go in before the banner: whoever waits for the banner may signal at once.
  // SIGUSR2 is not a stop request (log rotators and debuggers send it; close-with-grace treats it
  // as one by default): note it and keep serving. There is no log file to reopen: logs go to stdout.
  process.on('SIGUSR2', () => rt.app.log.info({ signal: 'SIGUSR2' }, 'SIGUSR2 received; ignored (send SIGTERM to stop)'));
  closeWithGrace({ delay: 10_000, skip: ['SIGUSR2'] }, async ({ signal, err }) => {
    if (err) rt.app.log.error({ err }, 'shutting down after an error');
    else rt.app.log.info({ signal }, 'shutting down');
    await rt.close();
  });
  process.stdout.write(lines.join('\n') + '\n');
}

export async function main(argv: string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`firedrill: ${(err as Error).message}\nRun 'firedrill --help' for the options.\n`);
    return 2;
  }
  const { values, positionals, flags } = parsed;
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  if (values.version) {
    process.stdout.write(`${version}\n`);
    return 0;
  }
  const command = positionals[0] ?? 'serve';
  // Needs no configuration: works even where firedrill.yaml is broken.
  if (command === 'schema') {
    process.stdout.write(scenarioJsonSchema());
    return 0;
  }
  let config: Config;
  // A replay's --speed is its own pace (any number > 0), not the game speed the config bounds.
  if (command === 'replay') delete flags.speed;
  try {
    config = loadConfig({ file: values.config, flags });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`firedrill: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  switch (command) {
    case 'serve':
      try {
        await serve(config);
      } catch (err) {
        // A bad scenario is the organizer's typo, not a crash: the problems, no stack trace.
        if (err instanceof ScenarioError) {
          process.stderr.write(`firedrill: cannot start: the scenario is not valid\n${err.problems.join('\n')}\n`);
          return 1;
        }
        throw err;
      }
      return -1; // keep running
    case 'validate':
      return validate(positionals[1] ?? config.scenario);
    case 'export':
      return exportGame(config, values.out ?? join(config.dataDir, 'export'));
    case 'replay':
      return replay(config, positionals[1], values.speed);
    case 'plan':
      return planFaults(config, values.team);
    case 'doctor': {
      const format = (values.format ?? 'text') as Format;
      if (!FORMATS.includes(format)) {
        process.stderr.write(`firedrill: --format must be one of ${FORMATS.join(', ')}\n`);
        return 2;
      }
      return doctor(config, { format, ...(values.server ? { server: values.server } : {}), ...(values.team ? { team: values.team } : {}) });
    }
    default:
      process.stderr.write(`firedrill: unknown command '${command}'\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    if (code >= 0) process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`firedrill: ${(err as Error)?.stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);

/** The scenario, or undefined after printing why it is not valid (the commands then exit 1). */
function scenarioOrSay(path: string): Scenario | undefined {
  try {
    return loadScenario(path);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    process.stderr.write(`firedrill: the scenario is not valid\n${err.problems.join('\n')}\n`);
    return undefined;
  }
}
