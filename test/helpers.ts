import type { FastifyInstance } from 'fastify';
import type { WebSocket } from 'ws';
import { applyDelta } from '../src/leaderboard/delta.js';
import type { Board } from '../src/contract/board.js';
import type { Timer } from '../src/leaderboard/coalesce.js';
import { ManualClock } from '../src/clock.js';
import { loadConfig, type Config } from '../src/config.js';
import { buildApp } from '../src/app.js';
import { createRuntime, type Runtime } from '../src/server.js';
import { hashToken } from '../src/tokens.js';

export const ADMIN_TOKEN = 'organizer-token-for-tests-0123456789';
export const T0 = 1_800_000_000_000;

/**
 * A whole runtime on an in-memory database with a manual clock; nothing listens.
 * Pass `dataDir` to use a real file (restart tests).
 */
/** A frame timer whose clock moves one coalescing interval per reading: every change is its own frame, at once. */
export const everyFrame: Timer = (() => {
  let t = 0;
  return { now: () => (t += 1000), set: (fn: () => void) => setImmediate(fn), clear: (h: unknown) => clearImmediate(h as NodeJS.Immediate) };
})();

export async function testRuntime(overrides: Partial<Config> = {}, opts: { dataDir?: string | null; clock?: ManualClock; frameTimer?: Timer } = {}) {
  const clock = opts.clock ?? new ManualClock(T0);
  const config = loadConfig({ env: {}, flags: { adminToken: ADMIN_TOKEN, logLevel: 'silent', teamPortBase: 0, ...overrides } });
  const rt: Runtime = await createRuntime(config, { clock, dataDir: opts.dataDir ?? null, ...(opts.frameTimer ? { frameTimer: opts.frameTimer } : {}) });
  return { ...rt, clock, config };
}

export async function testApp(overrides: Partial<Config> = {}, opts: { dataDir?: string | null; clock?: ManualClock; frameTimer?: Timer } = {}) {
  const rt = await testRuntime(overrides, opts);
  const app = await buildApp(rt.services);
  return {
    ...rt,
    app,
    admin: { authorization: `Bearer ${ADMIN_TOKEN}` },
    async close() {
      await app.close();
      await rt.close();
    },
  };
}

/** The two teams the live-board tests play with, and their tokens. */
export const TWO_TEAMS = { alpha: 'alpha-token-0123456789abcdef', bravo: 'bravo-token-0123456789abcdef' } as const;

/**
 * A test app with teams alpha and bravo (no platform), every change its own live frame at once (the
 * coalescing has its own tests, test/leaderboard/coalesce.test.ts).
 */
export async function twoTeamApp(overrides: Partial<Config> = {}) {
  const t = await testApp(overrides, { frameTimer: everyFrame });
  await t.services.store.appendMany(
    (['alpha', 'bravo'] as const).map((id) => ({
      type: 'team.created' as const,
      source: 'organizer' as const,
      data: { id, name: id.toUpperCase(), members: [], tokenHash: hashToken(TWO_TEAMS[id]), portBase: null, seed: 1, by: { kind: 'organizer' as const, name: 'o' } },
    })),
  );
  await t.app.ready();
  return t;
}

/**
 * A WebSocket client on an injected app that queues every frame, so none is missed between connect
 * and read. On /ws/leaderboard `state()` is the board a client holds after the frames read so far.
 */
export async function connectWS(app: FastifyInstance, path: string, headers: Record<string, string> = {}) {
  const frames: unknown[] = [];
  const waiters: Array<(f: unknown) => void> = [];
  const ws: WebSocket = await app.injectWS(path, { headers }, {
    onInit: (w) =>
      w.on('message', (raw) => {
        const f = JSON.parse(String(raw));
        const w0 = waiters.shift();
        if (w0) w0(f);
        else frames.push(f);
      }),
  });
  let state: Board | undefined;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const next = async (): Promise<any> => {
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const f = (await (frames.length ? Promise.resolve(frames.shift()) : new Promise((r) => waiters.push(r)))) as any;
    if (f?.type === 'snapshot' && f.board) state = f.board;
    else if (f?.type === 'delta' && state) state = applyDelta(state, f) ?? state;
    return f;
  };
  return {
    ws,
    next,
    pending: () => frames.length,
    state: () => state!,
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    until: async (pred: (f: any) => boolean): Promise<any> => {
      for (;;) {
        const f = await next();
        if (pred(f)) return f;
      }
    },
  };
}
