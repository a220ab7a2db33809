import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { IncomingMessage } from 'node:http';
import fp from 'fastify-plugin';
import type { WebSocket } from 'ws';
import { hashToken } from '../tokens.js';

/**
 * Prometheus `GET /metrics` for the server itself (docs/telemetry.md). Counts every answered
 * request by route template and status, and open WebSockets per audience. The organizer token is
 * required unless `metrics.public`; with `metrics.port` the route is served only on that port,
 * opened when the app is ready.
 */

/** Which audience a WebSocket route serves (a new stream adds its line). */
const AUDIENCE: Record<string, string> = { '/ws/leaderboard': 'spectator', '/ws/team': 'team' };

function authorized(req: FastifyRequest, adminTokenHash: string): boolean {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return !!m && hashToken(m[1]!) === adminTokenHash;
}

export default fp(
  async function metrics(app: FastifyInstance) {
    const { services } = app;
    const m = services.metrics;
    const cfg = services.config.metrics ?? { public: false };

    app.addHook('onResponse', async (req, reply) => {
      if (req.ws) return; // an upgraded socket: counted below, not a request/response
      m.observeRequest(req.method, req.routeOptions.url ?? 'unmatched', reply.statusCode, reply.elapsedTime / 1000);
    });
    // Counted when the upgrade completes (after the route's own auth and Origin checks).
    app.websocketServer?.on('connection', (ws: WebSocket, raw: IncomingMessage) => {
      const path = (raw.url ?? '').split('?')[0]!;
      const audience = AUDIENCE[path] ?? 'other';
      m.wsClients.inc({ audience });
      ws.once('close', () => m.wsClients.dec({ audience }));
    });

    const handler = async (req: FastifyRequest, reply: FastifyReply) => {
      if (!cfg.public && !authorized(req, services.adminTokenHash)) {
        return reply.code(401).send({ error: { code: 'unauthorized', message: 'organizer token required: send Authorization: Bearer <token>' } });
      }
      return reply.type(m.registry.contentType).send(await m.registry.metrics());
    };

    if (cfg.port === undefined) {
      app.get('/metrics', handler);
      return;
    }
    // A port of its own (a scraper on the organizers' network); nothing else is served there.
    const side = Fastify({ logger: false });
    side.get('/metrics', handler);
    // Opened with the app (a taken port fails the start, loudly), closed with it.
    app.addHook('onReady', async () => {
      await side.listen({ port: cfg.port!, host: cfg.host ?? services.config.host });
    });
    app.addHook('onClose', async () => {
      await side.close();
    });
    app.decorate('metricsServer', side);
  },
  { name: 'metrics', dependencies: ['services', '@fastify/websocket'] },
);

declare module 'fastify' {
  interface FastifyInstance {
    /** The separate /metrics listener when `metrics.port` is set. */
    metricsServer?: FastifyInstance;
  }
}
