import { ESLint } from 'eslint';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';

// The layering rules of eslint.config.js, run through ESLint's Node API on snippets placed (by
// filePath) inside each folder: a forbidden import must be reported, an allowed one must not.
const LAYERING = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-properties', 'no-restricted-syntax']);

let eslint: ESLint;
beforeAll(() => {
  eslint = new ESLint({ cwd: fromRoot(), overrideConfigFile: fromRoot('eslint.config.js') });
});

async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(`${code}\n`, { filePath: fromRoot(file) });
  return (result?.messages ?? []).filter((m) => m.ruleId && LAYERING.has(m.ruleId)).map((m) => m.message);
}

const forbidden: Array<[file: string, code: string, says: RegExp]> = [
  ['src/probes/x.ts', "import type { GameClock } from '../game/clock.js';", /src\/probes\/ may not import .*game/],
  ['src/incidents/x.ts', "import type { TeamRegistry } from '../game/teams.js';", /src\/incidents\/ may not import .*game/],
  ['src/incidents/x.ts', "import type { Config } from '../config.js';", /not the whole Config/],
  ['src/comms/x.ts', "import { IncidentFold } from '../incidents/fold.js';", /src\/comms\/ may not import .*incidents/],
  ['src/game/x.ts', "import type { Services } from '../services.js';", /src\/game\/ may not import .*services/],
  ['src/game/wire.ts', "import { spawnBots } from '../demo/spawn.js';", /src\/game\/ may not import .*demo/],
  ['src/game/x.ts', "import { drizzle } from 'drizzle-orm/better-sqlite3';", /only src\/events\/ touches the events table/],
  ['src/game/x.ts', "import { events } from '../events/schema.js';", /only src\/events\/ touches the events table/],
  ['src/game/x.ts', "import { SqliteEventStore } from '../events/store.js';", /opened by the composition root/],
  ['src/errors.ts', "import createError from '@fastify/error';", /only src\/http\/ .*know Fastify/],
  ['src/incidents/x.ts', "import fp from 'fastify-plugin';", /know Fastify/],
  ['src/scoring/x.ts', "import type { Clock } from '../clock.js';", /no clock/],
  ['src/scoring/x.ts', "import { readFileSync } from 'node:fs';", /no I\/O/],
  ['src/scoring/x.ts', 'export const now = () => Date.now();', /no clock/],
  ['src/lifecycle/x.ts', 'export const now = () => new Date();', /no clock/],
  ['src/lifecycle/x.ts', "import type { EventStore } from '../events/store.js';", /no store/],
  ['src/scenario/check.ts', "import { readFileSync } from 'fs';", /no I\/O/],
  ['src/scenario/x.ts', "import type { StoredEvent } from '../events/types.js';", /src\/scenario\/ may not import .*events/],
  ['src/targets/x.ts', "import type { Game } from '../game/game.js';", /src\/targets\/ may not import .*game/],
  ['src/targets/k8s/x.ts', "import type { StoredEvent } from '../../events/types.js';", /knows nothing of the game/],
  ['src/targets/x.ts', "import type { EventStore } from '../events/store.js';", /knows nothing of the game/],
  ['src/platform/x.ts', "import { catalog } from '../../challenges/chat-service/app/catalog.js';", /catalog reaches the platform as data/],
  ['src/targets/local.ts', "import { findRelease } from '../../challenges/chat-service/app/catalog.js';", /catalog reaches the platform as data/],
  ['src/http/ops.ts', "import { components } from '../../challenges/chat-service/app/catalog.js';", /catalog reaches the platform as data/],
  ['src/platform/x.ts', "import type { EventStore } from '../events/store.js';", /append port/],
  ['src/demo/bots.ts', "import { hashToken } from '../tokens.js';", /imports nothing of the server/],
  ['src/demo/bots.ts', "import type { Game } from '../game/game.js';", /separate process/],
  ['web/src/lib/model.ts', "import { score } from '../../../src/scoring/fold.js';", /web\/ imports nothing of the server/],
  ['web/src/lib/model.ts', "import { Board } from '../../../src/contract/board.js';", /only types from src\/contract/],
  ['web/src/team/App.tsx', "import { readFileSync } from 'node:fs';", /browser/],
  ['challenges/chat-service/app/backend/x.ts', "import { hashToken } from '../../../../src/tokens.js';", /chat service imports nothing/],
];

const allowed: Array<[file: string, code: string]> = [
  ['src/probes/x.ts', "import type { StoredEvent } from '../events/types.js';\nimport type { Probe } from '../scenario/types.js';"],
  ['src/scoring/x.ts', "import type { Scenario } from '../scenario/types.js';\nimport type { StoredEvent } from '../events/types.js';"],
  ['src/game/x.ts', "import type { EventStore } from '../events/store.js';\nimport { wallInterval } from '../probes/logic.js';"],
  ['src/events/store.ts', "import Database from 'better-sqlite3';\nimport { drizzle } from 'drizzle-orm/better-sqlite3';"],
  ['src/http/x.ts', "import fp from 'fastify-plugin';\nimport { Game } from '../game/game.js';\nimport { NotFound } from '../errors.js';"],
  ['src/server.ts', "import { catalog } from '../challenges/chat-service/app/catalog.js';\nimport { openDatabase } from './events/store.js';"],
  ['src/targets/local.ts', "import type { LocalPlatform } from '../platform/platform.js';\nimport type { LocalAction } from '../scenario/types.js';"],
  ['src/scenario/load.ts', "import { readFileSync } from 'node:fs';"],
  ['src/leaderboard/x.ts', "import { apply } from '../scoring/fold.js';\nimport { reduce } from '../lifecycle/index.js';"],
  ['src/demo/spawn.ts', "import { distRoot } from '../paths.js';"],
  ['web/src/lib/model.ts', "import type { Board } from '../../../src/contract/board.js';"],
  ['test/x.test.ts', "import { GameClock } from '../src/game/clock.js';\nimport Database from 'better-sqlite3';"],
];

describe('layering (eslint.config.js, npm run lint)', () => {
  it.each(forbidden)('%s: reports %s', async (file, code, says) => {
    const errors = await layeringErrors(file, code);
    expect(errors.length, `expected a layering error for ${code} in ${file}`).toBeGreaterThan(0);
    expect(errors.join('\n')).toMatch(says);
  });

  it.each(allowed)('%s: allows %s', async (file, code) => {
    expect(await layeringErrors(file, code)).toEqual([]);
  });
});
