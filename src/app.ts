import Fastify, { LogController, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import fp from 'fastify-plugin';
import cookie from '@fastify/cookie';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Services } from './services.js';
import errors from './http/errors.js';
import auth from './http/auth.js';
import health from './http/health.js';
import session from './http/session.js';
import adminEvents from './http/admin-events.js';
import comms from './http/comms.js';
import incidents from './http/incidents.js';
import hooksPagerduty from './http/hooks-pagerduty.js';
import staticWeb from './http/static.js';
import ops from './http/ops.js';
import teamProxy from './http/team-proxy.js';
import leaderboard from './http/leaderboard.js';
import teamViews from './http/team-views.js';
import teamStream from './http/team-stream.js';
import scoringAdmin from './http/scoring-admin.js';
import organizer from './http/organizer.js';
import gameRoutes from './http/game.js';
import { logRedactPaths, redactUrl } from './http/redact.js';
import metrics from './http/metrics.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
}

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    redact: { paths: logRedactPaths, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
    },
  };
}

/** The whole HTTP surface, registered in one readable place. Routes: docs/architecture.md. */
export async function buildApp(services: Services, opts: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: opts.logger ?? false,
    // Bots, probes through the proxy and 2,000 phones make per-request info lines noise: the
    // onResponse hook below logs failures at info and everything else at debug.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: 256 * 1024,
    trustProxy: false,
  }).withTypeProvider<TypeBoxTypeProvider>();

  await app.register(
    fp(
      async (i) => {
        i.decorate('services', services);
      },
      { name: 'services' },
    ),
  );
  app.addHook('onResponse', async (req, reply) => {
    const line = { req, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) req.log.warn(line, 'request failed');
    else if (reply.statusCode >= 400) req.log.info(line, 'request refused');
    else req.log.debug(line, 'request');
  });
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(errors);
  await app.register(auth);
  await app.register(metrics); // before the routes: its hooks count every one of them

  await app.register(health);
  await app.register(session);
  await app.register(adminEvents);
  await app.register(leaderboard);
  await app.register(teamViews);
  await app.register(teamStream);
  await app.register(scoringAdmin);
  await app.register(comms);
  await app.register(incidents);
  await app.register(hooksPagerduty);
  await app.register(ops);
  await app.register(teamProxy);
  await app.register(organizer);
  await app.register(gameRoutes);

  // Last: its HTML fallback must see every other route first.
  await app.register(staticWeb);

  return app;
}
