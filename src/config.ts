import { readFileSync, existsSync } from 'node:fs';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import Value from 'typebox/value';
import { parse as parseYaml } from 'yaml';
import { fromRoot } from './paths.js';

/**
 * A team whose service is not embedded (issue 19): probes use its `publicUrl`, faults go to the
 * adapter of `kind`, and spectators reach it through `/t/:team/` only with `proxy: true`.
 * No secrets here: this is recorded in `team.created` (secrets live under `secrets:`).
 */
export const TeamTarget = Type.Object(
  {
    kind: Type.Union([Type.Literal('kubernetes'), Type.Literal('exec'), Type.Literal('http')]),
    publicUrl: Type.String({ pattern: '^https?://', maxLength: 500 }),
    /** Kubernetes: the namespaces faults may touch (the first is the default); exec/http: {{namespace}}. */
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 })),
    namespaces: Type.Optional(Type.Array(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 }), { minItems: 1, maxItems: 10 })),
    vars: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String({ maxLength: 500 }))),
    proxy: Type.Boolean({ default: false }),
  },
  { additionalProperties: false },
);
export type TeamTarget = Static<typeof TeamTarget>;

const TeamConfig = Type.Object(
  {
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }),
    name: Type.String({ minLength: 1, maxLength: 80 }),
    members: Type.Optional(
      Type.Array(
        // slackUser: the member's Slack user id (U…), to name the author of what they write there and invite them.
        Type.Object({ name: Type.String(), role: Type.Optional(Type.String()), slackUser: Type.Optional(Type.String({ pattern: '^[UW][A-Z0-9]{2,}$' })) }),
        { maxItems: 10 },
      ),
    ),
    pagerduty: Type.Optional(
      Type.Object({ serviceId: Type.String({ minLength: 1 }), routingKey: Type.String({ minLength: 1 }) }, { additionalProperties: false }),
    ),
    /** Absent = embedded (the local platform runs the team's service). */
    target: Type.Optional(TeamTarget),
  },
  { additionalProperties: false },
);

export const ConfigSchema = Type.Object(
  {
    port: Type.Integer({ minimum: 0, maximum: 65535, default: 8080 }),
    host: Type.String({ default: '127.0.0.1' }),
    dataDir: Type.String({ default: './data' }),
    scenario: Type.String({ default: fromRoot('challenges/chat-service/scenario.yaml') }),
    /** Game time runs this many times faster than wall time (rehearsals, demos, tests). */
    speed: Type.Number({ exclusiveMinimum: 0, maximum: 1000, default: 1 }),
    demo: Type.Boolean({ default: false }),
    /** First port of the blocks handed to embedded teams; 0 lets the OS pick (tests). */
    teamPortBase: Type.Integer({ minimum: 0, maximum: 65000, default: 9100 }),
    /** The address people use to reach this server, for printed links (defaults to http://host:port). */
    publicUrl: Type.Optional(Type.String()),
    adminToken: Type.Optional(Type.String({ minLength: 16 })),
    logLevel: Type.Union(
      ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)),
      { default: 'info' },
    ),
    /**
     * Child processes that own the spectators' /ws/leaderboard sockets (issue 18: the main event loop
     * stays free with thousands of phones). 0 = the main process writes to them (small events, tests).
     */
    fanoutWorkers: Type.Integer({ minimum: 0, maximum: 16, default: 0 }),
    /** Start the game as soon as the server is up (the demo does). */
    autoStart: Type.Boolean({ default: false }),
    teams: Type.Array(TeamConfig, { default: [] }),
    pagerduty: Type.Optional(
      Type.Object(
        {
          apiToken: Type.String({ minLength: 1 }),
          from: Type.String({ minLength: 3 }),
          webhookSecrets: Type.Array(Type.String({ minLength: 1 }), { default: [] }),
          apiUrl: Type.Optional(Type.String()),
          eventsUrl: Type.Optional(Type.String()),
          pollSeconds: Type.Number({ minimum: 5, default: 30 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** Slack as the war room (docs/slack.md); tokens preferably from SLACK_BOT_TOKEN / SLACK_APP_TOKEN. */
    slack: Type.Optional(
      Type.Object(
        {
          botToken: Type.Optional(Type.String({ minLength: 1 })),
          appToken: Type.Optional(Type.String({ minLength: 1 })),
          apiUrl: Type.Optional(Type.String()),
          /** Socket Mode's reconnect delay, ms (the library's default 5000; tests set it short). */
          reconnectMs: Type.Optional(Type.Integer({ minimum: 10, maximum: 60_000 })),
          /** Per persona id: `:emoji:` or an image URL. */
          icons: Type.Optional(Type.Record(Type.String(), Type.String())),
          teams: Type.Array(
            Type.Object(
              {
                team: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }),
                incident: Type.Optional(Type.String({ pattern: '^[CG][A-Z0-9]{2,}$' })),
                stakeholders: Type.Optional(Type.String({ pattern: '^[CG][A-Z0-9]{2,}$' })),
                create: Type.Optional(Type.Boolean()),
                lang: Type.Union([Type.Literal('en'), Type.Literal('ja')], { default: 'en' }),
              },
              { additionalProperties: false },
            ),
            { default: [] },
          ),
        },
        { additionalProperties: false },
      ),
    ),
    newrelic: Type.Optional(
      Type.Object(
        {
          apiKey: Type.String({ minLength: 1 }),
          region: Type.Union([Type.Literal('us'), Type.Literal('eu')], { default: 'us' }),
          /** `hostname[:port]` for both APIs (a proxy, a test fake); overrides the region. */
          host: Type.Optional(Type.String({ minLength: 1 })),
          flushSeconds: Type.Number({ minimum: 1, maximum: 300, default: 10 }),
        },
        { additionalProperties: false },
      ),
    ),
    /** The Kubernetes adapter: a kubeconfig file (also KUBECONFIG); absent = the in-cluster service account. */
    kubernetes: Type.Optional(Type.Object({ kubeconfig: Type.Optional(Type.String({ minLength: 1 })) }, { additionalProperties: false })),
    /** Values scenarios name as {{secret.NAME}} (exec, http); also FIREDRILL_SECRET_<NAME> in the environment. Never logged or recorded. */
    secrets: Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_-]*$' }), Type.String(), { default: {} }),
    /** `firedrill doctor`: finding ids to leave out (known and accepted). */
    doctor: Type.Object({ suppress: Type.Array(Type.String({ minLength: 1 }), { default: [] }) }, { additionalProperties: false, default: {} }),
    /** Prometheus `GET /metrics`: organizer token on the main port by default; `port` serves it alone there, `public` drops the token. */
    metrics: Type.Object(
      {
        port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        host: Type.Optional(Type.String()),
        public: Type.Boolean({ default: false }),
      },
      { additionalProperties: false, default: {} },
    ),
  },
  { additionalProperties: false },
);

export type Config = Static<typeof ConfigSchema>;
export type TeamConfig = Static<typeof TeamConfig>;

const check = Compile(ConfigSchema);

export class ConfigError extends Error {}

/** Keys settable from the environment; flags use the same names (kebab-case). */
const ENV: Record<string, keyof Config> = {
  PORT: 'port',
  HOST: 'host',
  FIREDRILL_DATA_DIR: 'dataDir',
  FIREDRILL_SCENARIO: 'scenario',
  FIREDRILL_SPEED: 'speed',
  FIREDRILL_ADMIN_TOKEN: 'adminToken',
  FIREDRILL_PUBLIC_URL: 'publicUrl',
  FIREDRILL_TEAM_PORT_BASE: 'teamPortBase',
  LOG_LEVEL: 'logLevel',
  FIREDRILL_FANOUT_WORKERS: 'fanoutWorkers',
};

const NUMERIC = new Set<keyof Config>(['port', 'speed', 'teamPortBase', 'fanoutWorkers']);

function coerce(key: keyof Config, value: unknown): unknown {
  if (NUMERIC.has(key) && typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return value;
}

/**
 * Precedence: flag > env > file > default (design.md, "Configuration").
 * `flags` holds only what was given on the command line.
 */
export function loadConfig(opts: { file?: string; flags?: Partial<Record<keyof Config, unknown>>; env?: NodeJS.ProcessEnv } = {}): Config {
  const env = opts.env ?? process.env;
  let fromFile: Record<string, unknown> = {};
  const file = opts.file ?? (existsSync('firedrill.yaml') ? 'firedrill.yaml' : undefined);
  if (file) {
    if (!existsSync(file)) throw new ConfigError(`config file ${file} does not exist`);
    const parsed = parseYaml(readFileSync(file, 'utf8')) as unknown;
    if (parsed !== null && (typeof parsed !== 'object' || Array.isArray(parsed))) throw new ConfigError(`${file}: expected a mapping at the top`);
    fromFile = (parsed ?? {}) as Record<string, unknown>;
  }
  const merged: Record<string, unknown> = { ...fromFile };
  for (const [name, key] of Object.entries(ENV)) {
    const v = env[name];
    if (v !== undefined && v !== '') merged[key] = coerce(key, v);
  }
  // The New Relic key and region may come from the environment (nested keys, so not in ENV).
  if (env.NEW_RELIC_API_KEY) merged.newrelic = { ...((merged.newrelic as object | undefined) ?? {}), apiKey: env.NEW_RELIC_API_KEY };
  if (env.NEW_RELIC_REGION && merged.newrelic) merged.newrelic = { ...(merged.newrelic as object), region: env.NEW_RELIC_REGION };
  // Secrets for {{secret.NAME}}: FIREDRILL_SECRET_GITHUB → secrets.github (names are case-insensitive there).
  for (const [name, v] of Object.entries(env)) {
    const m = /^FIREDRILL_SECRET_([A-Za-z0-9_]+)$/.exec(name);
    if (m && v) merged.secrets = { ...((merged.secrets as object | undefined) ?? {}), [m[1]!.toLowerCase()]: v };
  }
  // Only firedrill's own variable: a developer's KUBECONFIG must not switch the kubernetes adapter on.
  if (env.FIREDRILL_KUBECONFIG) merged.kubernetes = { ...((merged.kubernetes as object | undefined) ?? {}), kubeconfig: env.FIREDRILL_KUBECONFIG };
  // PagerDuty secrets from the environment (docker-compose, Kubernetes Secrets): the token and webhook secrets.
  if (env.PAGERDUTY_API_TOKEN && merged.pagerduty) merged.pagerduty = { ...((merged.pagerduty as object | undefined) ?? {}), apiToken: env.PAGERDUTY_API_TOKEN };
  if (env.PAGERDUTY_WEBHOOK_SECRETS && merged.pagerduty) merged.pagerduty = { ...(merged.pagerduty as object), webhookSecrets: env.PAGERDUTY_WEBHOOK_SECRETS.split(',').map((x) => x.trim()).filter(Boolean) };
  for (const [key, v] of Object.entries(opts.flags ?? {})) {
    if (v !== undefined) merged[key] = coerce(key as keyof Config, v);
  }
  // Slack tokens come from the environment by preference (never written to the file or a log).
  if (merged.slack && typeof merged.slack === 'object') {
    const slack = { ...(merged.slack as Record<string, unknown>) };
    if (env.SLACK_BOT_TOKEN) slack.botToken = env.SLACK_BOT_TOKEN;
    if (env.SLACK_APP_TOKEN) slack.appToken = env.SLACK_APP_TOKEN;
    merged.slack = slack;
  }
  const withDefaults = Value.Default(ConfigSchema, merged) as Record<string, unknown>;
  if (!check.Check(withDefaults)) {
    const problems = [...check.Errors(withDefaults)]
      .slice(0, 5)
      .map((e) => `${e.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(top)'}: ${e.message}`);
    throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}:\n  ${problems.join('\n  ')}`);
  }
  const config = withDefaults as Config;
  const problems = slackProblems(config);
  if (problems.length) throw new ConfigError(`invalid configuration${file ? ` (${file})` : ''}:\n  ${problems.join('\n  ')}`);
  return config;
}

function slackProblems(config: Config): string[] {
  const s = config.slack;
  if (!s) return [];
  const out: string[] = [];
  if (!s.botToken) out.push('slack.botToken: missing (set SLACK_BOT_TOKEN)');
  if (!s.appToken) out.push('slack.appToken: missing (set SLACK_APP_TOKEN, an app-level token for Socket Mode)');
  for (const t of s.teams) {
    const ids = t.incident !== undefined && t.stakeholders !== undefined;
    if (ids === !!t.create) out.push(`slack.teams.${t.team}: give both channel ids (incident, stakeholders) or create: true`);
  }
  return out;
}
