import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
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
import { logRedactPaths, redactUrl } from './http/redact.js';

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
  await app.register(cookie);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  await app.register(errors);
  await app.register(auth);

  await app.register(health);
  await app.register(session);
  await app.register(adminEvents);

  return app;
}
