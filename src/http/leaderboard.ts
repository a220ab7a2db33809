import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Board } from '../contract/board.js';
import { Forbidden, NotFound } from '../errors.js';
import type { Leaderboard } from '../leaderboard/service.js';
import { FanoutPool } from './fanout-pool.js';
import { BoundedInteger, MAX_SEQ } from './numbers.js';
import { Spectators } from './spectators.js';

export { SLOW_CLIENT_BYTES } from './spectators.js';

export function leaderboardOf(app: FastifyInstance): Leaderboard {
  const lb = app.services.leaderboard;
  if (!lb) throw new NotFound('the leaderboard is not running on this server');
  return lb;
}

/**
 * WebSockets are not covered by CORS: refuse a browser page from another site (`Origin` names a
 * different host). Clients that send no Origin (tools, bots) are let through.
 */
export async function checkOrigin(req: FastifyRequest): Promise<void> {
  const origin = req.headers.origin;
  if (!origin) return;
  let same = false;
  try {
    const o = new URL(origin);
    // Normalize the Host header the same way (a default port is dropped from both).
    same = !!req.headers.host && new URL(`${o.protocol}//${req.headers.host}`).host === o.host;
  } catch {
    throw new Forbidden('bad Origin header');
  }
  if (!same) throw new Forbidden(`WebSocket connections from ${origin} are not allowed`);
}

/** @fastify/websocket keeps the upgrade's raw socket and head on the request under these (unexported) symbols. */
const rawSymbol = (req: object, name: string): symbol | undefined => Object.getOwnPropertySymbols(req).find((s) => s.description === name);

const pools = new WeakMap<object, FanoutPool>();
/** The fan-out workers of a server, if it runs any (tests and the bench read their pids). */
export const fanoutOf = (server: object): FanoutPool | undefined => pools.get(server);

/**
 * The public board: `GET /api/leaderboard` (ETag) and `/ws/leaderboard` (snapshot, then compact
 * delta frames, coalesced to at most 4 a second). With `fanoutWorkers` > 0 the spectator sockets
 * live in fan-out worker processes (src/http/fanout-pool.ts); otherwise in this one.
 */
export default async function leaderboard(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  // The board's JSON is assembled from rows serialized once per change (src/leaderboard/audience.ts),
  // so it is sent as a string (the serializer skips strings): the schema documents it, and the
  // rows' TypeScript type is the schema's (src/contract/board.ts).
  app.get('/api/leaderboard', { schema: { response: { 200: Board, 304: Type.Null({ description: 'not modified (If-None-Match)' }) } } }, async (req, reply) => {
    const view = leaderboardOf(app).publicView();
    reply.header('etag', view.etag).header('cache-control', 'no-cache');
    if (req.headers['if-none-match'] === view.etag) return reply.status(304).send(null);
    return reply.type('application/json; charset=utf-8').send(view.json as unknown as Board);
  });

  // One fan-out for every client: each frame is serialized once and the same string is sent to all.
  const here = new Spectators({ snapshot: () => leaderboardOf(app).publicView().snapshotFrame, since: (s) => leaderboardOf(app).publicSince(s) });
  const workers = app.services.config?.fanoutWorkers ?? 0;
  let pool: FanoutPool | undefined;
  let unsubscribe: (() => void) | undefined;
  app.addHook('onReady', async () => {
    const lb = app.services.leaderboard;
    if (!lb) return;
    if (workers > 0) {
      // The workers' spectators are counted in /metrics too (src/http/metrics.ts counts this process's).
      const gauge = app.services.metrics?.wsClients;
      pool = new FanoutPool(workers, () => lb.publicView().snapshotFrame, app.log, (d) => (d > 0 ? gauge?.inc({ audience: 'spectator' }, d) : gauge?.dec({ audience: 'spectator' }, -d)));
      await pool.start();
      pools.set(app.server, pool);
    }
    unsubscribe = lb.onPublic((frame) => {
      pool?.broadcast(frame);
      here.broadcast(frame);
    });
  });
  app.addHook('onClose', async () => {
    unsubscribe?.();
    await pool?.close();
  });

  app.get(
    '/ws/leaderboard',
    {
      websocket: true,
      onRequest: checkOrigin,
      schema: { querystring: Type.Object({ since: Type.Optional(BoundedInteger({ minimum: 0, maximum: MAX_SEQ, description: 'the last board version seen' })) }) },
      // With fan-out workers: hand the socket over before this process upgrades it.
      preHandler: async (req, reply) => {
        if (!pool || !app.services.leaderboard) return;
        const sock = rawSymbol(req.raw, 'ws-socket');
        const head = rawSymbol(req.raw, 'ws-head');
        const socket = sock && (req.raw as unknown as Record<symbol, Socket | undefined>)[sock];
        if (!socket) return;
        const buf = (head && (req.raw as unknown as Record<symbol, Buffer | undefined>)[head]) || Buffer.alloc(0);
        if (pool.adopt(req.raw, socket, buf, req.query.since)) reply.hijack();
      },
    },
    (socket, req) => {
      if (!app.services.leaderboard) {
        socket.close(1011, 'the leaderboard is not running');
        return;
      }
      here.add(socket, req.query.since);
    },
  );
}
