#!/usr/bin/env node
import { parseArgs } from 'node:util';
import closeWithGrace from 'close-with-grace';
import { ConfigError, loadConfig, type Config } from './config.js';
import { loadScenario, ScenarioError, scenarioJsonSchema } from './scenario/load.js';
import { startServer } from './server.js';
import { version } from './version.js';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { systemClock } from './clock.js';
import { openDatabase, SqliteEventStore } from './events/store.js';
import { writeExportPack } from './export/pack.js';

const HELP = `firedrill ${version} — a game server for incident-response drills

Usage:
  firedrill [serve] [options]     run the server (the default command)
  firedrill validate [file]       check a scenario file (default: the configured scenario)
  firedrill schema                print the scenario JSON Schema
  firedrill export [--out DIR]    results (JSON, CSV), the event log (JSON Lines) and each team's
                                  retrospective (Markdown, en + ja) of the game in the data dir
  firedrill --help | --version

Options (flag > environment > firedrill.yaml > default):
  --config FILE          configuration file (default: ./firedrill.yaml if present)
  --port N               PORT                  listen port (default 8080)
  --host ADDR            HOST                  listen address (default 127.0.0.1)
  --data-dir DIR         FIREDRILL_DATA_DIR    event log and state (default ./data)
  --scenario FILE        FIREDRILL_SCENARIO    scenario (default challenges/chat-service/scenario.yaml)
  --speed N              FIREDRILL_SPEED       game time runs N times faster (default 1)
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
  let scenario;
  try {
    scenario = loadScenario(config.scenario);
  } catch (err) {
    if (!(err instanceof ScenarioError)) throw err;
    process.stderr.write(`firedrill: the scenario is not valid\n${err.problems.join('\n')}\n`);
    return 1;
  }
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
