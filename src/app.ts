import Fastify, { LogController, type FastifyInstance, type FastifyPluginAsync, type FastifyServerOptions } from 'fastify';
import createError from '@fastify/error';
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
import resultsRoutes from './http/results.js';
import qr from './http/qr.js';
import traffic from './http/traffic.js';
import openapi from './http/openapi.js';
import { buildValidator, refuseStrayBodies } from './http/validation.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Every part at once (older route plugins read it); new code names its parts below. */
    services: Services;
    config: Services['config'];
    store: Services['store'];
    teams: Services['teams'];
    gameClock: Services['gameClock'];
    scenario: Services['scenario'];
    comms: Services['comms'];
    leaderboard: Services['leaderboard'];
    incidents: Services['incidents'];
    platform: Services['platform'];
    game: Services['game'];
    probes: Services['probes'];
    /** Read on use: a test may swap services.target after the app is built. */
    target: Services['target'];
  }
}

/** The parts decorated one by one, each its own plugin named after it (what route plugins depend on). */
export const PARTS = ['config', 'store', 'teams', 'gameClock', 'scenario', 'comms', 'leaderboard', 'incidents', 'platform', 'game', 'probes', 'target'] as const;
type Part = (typeof PARTS)[number];

/**
 * A route plugin that names the parts it needs: registering it without one of them fails at boot
 * ("The dependency 'leaderboard' of plugin 'scoring-admin' is not registered"), never on a request.
 * Still encapsulated: its hooks and parsers stay its own.
 */
function routes(plugin: FastifyPluginAsync, name: string, needs: Array<Part | 'auth' | 'services'>) {
  return fp(plugin, { name, dependencies: needs, encapsulate: true });
}

const UpgradeRequired = createError('upgrade_required', '%s', 426);

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
    schemaController: { compilersFactory: { buildValidator: buildValidator as never } },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Each part its own decoration. A part that is missing is simply not registered, so the route
  // plugins that need it fail at boot.
  for (const part of PARTS) {
    if (services[part] === undefined) continue;
    const value = part === 'target' ? { getter: () => services.target } : services[part];
    await app.register(fp(async (i) => void i.decorate(part, value as never), { name: part }));
  }
  await app.register(fp(async (i) => void i.decorate('services', services), { name: 'services' }));
  app.addHook('onResponse', async (req, reply) => {
    const line = { req, status: reply.statusCode, ms: Math.round(reply.elapsedTime) };
    if (reply.statusCode >= 500) req.log.warn(line, 'request failed');
    // A refused-for-rate request is expected traffic from a flood: logging each at info would be the flood.
    else if (reply.statusCode >= 400 && reply.statusCode !== 429) req.log.info(line, 'request refused');
    else req.log.debug(line, 'request');
  });
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  // A WebSocket route asked without an upgrade answers 426 in the error shape (the plugin's own
  // answer is an empty 404). Added after the plugin: it wraps the plugin's dispatching handler,
  // which upgrades when the request carries a socket and otherwise calls the plain-HTTP handler.
  app.addHook('onRoute', (route) => {
    if (!route.websocket) return;
    const dispatch = route.handler;
    route.handler = function (this: FastifyInstance, req, reply) {
      if (String(req.headers.upgrade ?? '').toLowerCase() !== 'websocket') {
        throw new UpgradeRequired(`${req.url.split('?')[0]} is a WebSocket: connect with ws:// (Upgrade: websocket)`);
      }
      return dispatch.call(this, req, reply);
    };
  });
  await app.register(errors);
  await app.register(auth);
  await app.register(metrics); // before the routes: its hooks count every one of them
  await app.register(openapi); // before the routes: it collects their schemas
  await app.register(refuseStrayBodies); // before the routes: a route without a body schema takes none

  await app.register(routes(health, 'health', ['store']));
  await app.register(routes(session, 'session', ['auth', 'teams']));
  await app.register(routes(adminEvents, 'admin-events', ['auth', 'store']));
  await app.register(routes(leaderboard, 'leaderboard-routes', ['services', 'leaderboard']));
  await app.register(routes(teamViews, 'team-views', ['services', 'auth', 'leaderboard']));
  await app.register(routes(teamStream, 'team-stream', ['services', 'auth', 'leaderboard']));
  await app.register(routes(scoringAdmin, 'scoring-admin', ['auth', 'store', 'teams', 'leaderboard']));
  await app.register(routes(comms, 'comms-routes', ['auth', 'store', 'teams', 'scenario', 'comms', 'gameClock']));
  await app.register(routes(incidents, 'incidents-routes', ['services', 'auth', 'incidents']));
  await app.register(routes(hooksPagerduty, 'hooks-pagerduty', ['services', 'incidents']));
  await app.register(routes(ops, 'ops-routes', ['services', 'auth', 'platform']));
  await app.register(routes(teamProxy, 'team-proxy', ['teams', 'target', 'store', 'gameClock', 'scenario']));
  await app.register(routes(organizer, 'organizer', ['auth', 'config', 'store', 'teams', 'gameClock', 'game', 'probes', 'target']));
  await app.register(routes(gameRoutes, 'game-routes', ['services', 'game']));

  await app.register(routes(resultsRoutes, 'results-routes', ['services', 'auth', 'store', 'teams', 'gameClock']));
  await app.register(routes(qr, 'qr', ['config']));
  await app.register(routes(traffic, 'traffic', ['store', 'teams']));

  // Last: its HTML fallback must see every other route first.
  await app.register(routes(staticWeb, 'static-web', []));

  return app;
}
