import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Board } from '../contract/board.js';
import { Forbidden, NotFound } from '../errors.js';
import type { Leaderboard } from '../leaderboard/service.js';
import { BoundedInteger, MAX_SEQ } from './numbers.js';

/** A client with more than this many bytes still queued is skipped until it drains. */
export const SLOW_CLIENT_BYTES = 256 * 1024;

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

interface Client {
  socket: WebSocket;
  /** Frames handed to ws and not yet written out. */
  pending: number;
  /** Skipped an update while slow: owes a fresh snapshot once drained. */
  stale: boolean;
}

/** The public board: `GET /api/leaderboard` (ETag) and `/ws/leaderboard` (snapshot, then updates). */
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
  const clients = new Set<Client>();
  const send = (c: Client, frame: string) => {
    c.pending++;
    c.socket.send(frame, () => {
      c.pending--;
      // Drained after being skipped: catch up with one fresh snapshot instead of a queue.
      if (c.stale && c.pending === 0 && c.socket.readyState === c.socket.OPEN && app.services.leaderboard) {
        c.stale = false;
        send(c, app.services.leaderboard.publicView().snapshotFrame);
      }
    });
  };
  let unsubscribe: (() => void) | undefined;
  app.addHook('onReady', async () => {
    const lb = app.services.leaderboard;
    if (!lb) return;
    unsubscribe = lb.onPublic((frame) => {
      for (const c of clients) {
        if (c.socket.readyState !== c.socket.OPEN) continue;
        // Stale with none of our frames queued (its buffer held something else): catch up now.
        if (c.stale && c.pending === 0 && c.socket.bufferedAmount <= SLOW_CLIENT_BYTES) {
          c.stale = false;
          send(c, lb.publicView().snapshotFrame);
          continue;
        }
        if (c.stale || c.socket.bufferedAmount > SLOW_CLIENT_BYTES) {
          c.stale = true;
          continue;
        }
        send(c, frame);
      }
    });
  });
  app.addHook('onClose', async () => unsubscribe?.());

  app.get(
    '/ws/leaderboard',
    {
      websocket: true,
      onRequest: checkOrigin,
      schema: { querystring: Type.Object({ since: Type.Optional(BoundedInteger({ minimum: 0, maximum: MAX_SEQ, description: 'the last board version seen' })) }) },
    },
    (socket, req) => {
      const lb = app.services.leaderboard;
      if (!lb) {
        socket.close(1011, 'the leaderboard is not running');
        return;
      }
      const c: Client = { socket, pending: 0, stale: false };
      const since = req.query.since;
      const missed = since === undefined ? null : lb.publicSince(since);
      if (missed) for (const f of missed) send(c, f);
      else send(c, lb.publicView().snapshotFrame);
      clients.add(c);
      socket.on('close', () => clients.delete(c));
      socket.on('error', () => clients.delete(c));
      // Spectators only listen; anything they send is ignored.
      socket.on('message', () => {});
    },
  );
}
