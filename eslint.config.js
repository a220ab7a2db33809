import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// ---------------------------------------------------------------------------------------------------
// Layering, held by `npm run lint` (docs/architecture.md "Parts"). Dependencies point one way:
//   top      src/http/, src/app.ts, src/server.ts, src/services.ts, src/cli.ts (composition)
//   middle   src/game/, src/incidents/, src/comms/, src/leaderboard/, src/slack/
//   bottom   src/events/, src/scenario/, src/scoring/, src/lifecycle/, src/targets/, src/probes/,
//            src/platform/, src/telemetry/, src/contract/
//   leaves   src/clock.ts, src/errors.ts, src/paths.ts, src/tokens.ts, src/version.ts, src/config.ts
// Each folder gets one `files:` block below (flat config: a later block replaces a rule's options,
// so the blocks do not overlap). Specifiers are matched as written: '../game/clock.js' from
// src/probes/ is src/game/. test/ and bench/ may import anything.
// ---------------------------------------------------------------------------------------------------

const RULE = '@typescript-eslint/no-restricted-imports';
const ARCH = 'dependencies point one way (docs/architecture.md, "Parts")';

/** A specifier reaching src/<name> (a folder or a top-level module) from a file below src/. */
const reach = (...names) => `^(\\.\\./)+(${names.join('|')})(/|\\.js$|$)`;
const parts = (from, names, extra = '') => ({ regex: reach(...names), message: `${from} may not import ${names.join(', ')}: ${ARCH}${extra}` });

const MIDDLE = ['game', 'incidents', 'comms', 'leaderboard', 'slack'];
const TOP = ['http', 'app', 'server', 'services', 'cli', 'demo'];
const ALL = ['events', 'scenario', 'scoring', 'lifecycle', 'targets', 'probes', 'platform', 'telemetry', 'contract', ...MIDDLE, ...TOP];
const but = (...keep) => ALL.filter((p) => !keep.includes(p));

const FASTIFY = {
  regex: '^(fastify|fastify-plugin|@fastify/.+)$',
  message: 'only src/http/ (and src/app.ts, src/server.ts) know Fastify; throw the plain errors of src/errors.ts and let src/http/errors.ts map them',
};
const DB = { regex: '^(better-sqlite3|drizzle-orm|drizzle-kit)(/.*)?$', message: 'only src/events/ touches the events table (drizzle, better-sqlite3)' };
const TABLE = { regex: reach('events/schema'), message: 'only src/events/ touches the events table' };
const STORE_VALUE = {
  regex: reach('events/store'),
  allowTypeImports: true,
  message: 'the store is opened by the composition root (src/server.ts); parts take the EventStore type (or a narrower port)',
};
const CONFIG = { regex: reach('config'), message: `parts get the options they need injected, not the whole Config: ${ARCH}` };
const CATALOG = {
  regex: '(^|/)challenges/chat-service/',
  message: "the chat service's catalog reaches the platform as data (src/platform/catalog.ts), handed in by src/server.ts",
};
const NODE_IO = {
  regex: '^(node:)?(fs|fs/promises|net|http|https|http2|child_process|dgram|dns|tls|cluster|worker_threads|os|perf_hooks|timers|timers/promises|readline)$',
  message: 'pure domain code does no I/O: the caller reads, writes and keeps time',
};
const CLOCK = { regex: reach('clock'), message: 'pure domain code has no clock: take the time as an argument' };
const STORE = { regex: reach('events/store'), message: 'pure domain code has no store: take events, return events' };

const rules = (patterns, extra = {}) => ({ [RULE]: ['error', { patterns }], ...extra });
const PURE_SYNTAX = {
  'no-restricted-properties': [
    'error',
    { object: 'Date', property: 'now', message: 'pure domain code has no clock: take the time as an argument' },
    { object: 'performance', property: 'now', message: 'pure domain code has no clock' },
  ],
  'no-restricted-syntax': ['error', { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'pure domain code has no clock: take the time as an argument' }],
};
const pure = (name, allowed) => rules([parts(`src/${name}/`, but(name, ...allowed)), FASTIFY, DB, TABLE, STORE, CONFIG, CATALOG, NODE_IO, CLOCK], PURE_SYNTAX);
/** `store` replaces STORE_VALUE (a pattern that allows type imports lets them through for every pattern of the same specifier). */
const part = (name, allowed, more = [], store = STORE_VALUE) => rules([parts(`src/${name}/`, but(name, ...allowed)), FASTIFY, DB, TABLE, store, CONFIG, CATALOG, ...more]);

const layering = [
  // Anything new under src/ starts with the rules every part keeps.
  { files: ['src/**/*.ts'], rules: rules([parts('a part', TOP), FASTIFY, DB, TABLE, STORE_VALUE, CONFIG, CATALOG]) },

  // bottom
  { files: ['src/events/**/*.ts'], rules: rules([parts('src/events/', but('events')), FASTIFY, CONFIG, CATALOG]) },
  { files: ['src/scenario/**/*.ts'], ignores: ['src/scenario/load.ts'], rules: pure('scenario', []) },
  // The loader is scenario's one edge with the file system (it reads the YAML and hashes it).
  { files: ['src/scenario/load.ts'], rules: rules([parts('src/scenario/', but('scenario')), FASTIFY, DB, TABLE, STORE, CONFIG, CATALOG, CLOCK]) },
  { files: ['src/scoring/**/*.ts'], rules: pure('scoring', ['scenario', 'events', 'lifecycle']) },
  { files: ['src/lifecycle/**/*.ts'], rules: pure('lifecycle', ['scenario', 'events']) },
  {
    files: ['src/targets/**/*.ts'],
    rules: part('targets', ['scenario', 'platform', 'telemetry'], [], { regex: reach('events'), message: `a target adapter knows nothing of the game or its log: ${ARCH}` }),
  },
  { files: ['src/platform/**/*.ts'], rules: part('platform', ['events', 'telemetry'], [], { regex: reach('events/store'), message: 'the platform records events through the append port it is given' }) },
  { files: ['src/probes/**/*.ts'], rules: part('probes', ['events', 'scenario', 'telemetry']) },
  { files: ['src/telemetry/**/*.ts'], rules: part('telemetry', ['events', 'scenario', 'scoring', 'lifecycle', 'probes']) },
  { files: ['src/contract/**/*.ts'], rules: part('contract', ['events', 'scenario', 'scoring', 'lifecycle'], [NODE_IO]) },

  // middle: each may use the bottom, none another middle part (peers meet in the composition root)
  { files: ['src/game/**/*.ts'], ignores: ['src/game/wire.ts'], rules: part('game', but(...TOP, ...MIDDLE)) },
  // The game's wiring function reads the startup options (speed, demo, autoStart, teams) from the
  // Config; every other rule of game/ holds for it, including "nothing of services.ts or the demo".
  {
    files: ['src/game/wire.ts'],
    rules: rules([parts('src/game/', [...TOP, ...MIDDLE.filter((m) => m !== 'game')]), FASTIFY, DB, TABLE, STORE_VALUE, CATALOG]),
  },
  { files: ['src/incidents/**/*.ts'], rules: part('incidents', but(...TOP, ...MIDDLE)) },
  { files: ['src/comms/**/*.ts'], rules: part('comms', but(...TOP, ...MIDDLE)) },
  { files: ['src/leaderboard/**/*.ts'], rules: part('leaderboard', but(...TOP, ...MIDDLE)) },
  { files: ['src/slack/**/*.ts'], rules: part('slack', but(...TOP, ...MIDDLE)) },

  // top
  { files: ['src/http/**/*.ts'], rules: rules([parts('src/http/', ['demo', 'server', 'cli']), DB, TABLE, CATALOG]) },
  { files: ['src/demo/**/*.ts'], rules: rules([parts('src/demo/ (a separate process speaking HTTP)', but('demo')), { regex: reach('clock', 'errors', 'tokens', 'config', 'version'), message: 'src/demo/ imports nothing of the server' }, FASTIFY, DB, CATALOG]) },
  { files: ['src/clock.ts', 'src/errors.ts', 'src/paths.ts', 'src/tokens.ts', 'src/version.ts', 'src/config.ts'], rules: rules([{ regex: '^\\./(?!paths\\.js$)', message: 'the shared leaves import no part' }, FASTIFY, DB, CATALOG]) },
  { files: ['src/app.ts', 'src/services.ts', 'src/cli.ts'], rules: rules([DB, CATALOG]) },
  // The composition root: the one place the chat service's catalog enters the server.
  { files: ['src/server.ts'], rules: rules([DB]) },

  // web/ speaks HTTP; it may share only the types of src/contract/.
  {
    files: ['web/src/**/*.{ts,tsx}'],
    rules: rules([
      { regex: '^(\\.\\./)+src/contract/', allowTypeImports: true, message: 'web/ takes only types from src/contract/ (import type …)' },
      { regex: '^(\\.\\./)+(src/(?!contract/)|challenges/|test/|bench/)', message: 'web/ imports nothing of the server except `import type` from src/contract/' },
      { regex: '^node:', message: 'web/ runs in the browser' },
      FASTIFY,
      DB,
    ]),
  },
  // The chat service is the teams' app, not part of the server.
  { files: ['challenges/**/*.ts'], rules: rules([{ regex: '^(\\.\\./)+src/', message: 'the chat service imports nothing of the firedrill server' }, FASTIFY]) },
];

export default tseslint.config(
  { ignores: ['dist/', 'dist-bench/', 'web/dist/', 'node_modules/', 'data/', 'drizzle/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { window: 'readonly', document: 'readonly', navigator: 'readonly', localStorage: 'readonly', location: 'readonly', WebSocket: 'readonly', fetch: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', requestAnimationFrame: 'readonly', Intl: 'readonly', console: 'readonly', URLSearchParams: 'readonly', HTMLElement: 'readonly', HTMLInputElement: 'readonly', HTMLTextAreaElement: 'readonly', HTMLSelectElement: 'readonly', Event: 'readonly', KeyboardEvent: 'readonly', MouseEvent: 'readonly', EventSource: 'readonly', crypto: 'readonly' } },
  },
  ...layering,
);
