import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import swagger from '@fastify/swagger';
import Type from 'typebox';
import { version } from '../version.js';
import { ErrorBody } from '../contract/errors.js';

/** The routes the contract covers (and the route-schema test checks). */
export const API = /^\/(api|hooks|healthz|ws)(\/|$)/;

/**
 * OpenAPI 3 of the whole HTTP surface, built by @fastify/swagger from the route schemas (request and
 * response). Registered before the routes: it collects them as they are added. Public, like the board.
 */
export default fp(
  async function openapi(app: FastifyInstance) {
    // Every API route answers its errors in one shape: say so once, for the document and the serializer.
    app.addHook('onRoute', (route) => {
      if (route.websocket || !API.test(route.url)) return;
      const schema = (route.schema ??= {}) as { response?: Record<string, unknown> };
      const response = (schema.response ??= {});
      response['4xx'] ??= ErrorBody;
      response['5xx'] ??= ErrorBody;
    });
    await app.register(swagger, {
      openapi: {
        openapi: '3.0.3',
        info: { title: 'firedrill', description: 'SRE incident-response game server', version },
        components: {
          securitySchemes: {
            team: { type: 'http', scheme: 'bearer', description: 'a team token (or the firedrill_team cookie)' },
            organizer: { type: 'http', scheme: 'bearer', description: 'the organizer (admin) token' },
          },
        },
      },
      // The proxy to the teams' services, /join and the front end's files are not this API.
      transform: ({ schema, url }) => ({ url, schema: (API.test(url) ? schema : { ...schema, hide: true }) as never }),
    });
    app.get(
      '/api/openapi.json',
      { schema: { response: { 200: Type.Object({ openapi: Type.String() }, { additionalProperties: true }) } } },
      async () => app.swagger(),
    );
  },
  { name: 'openapi' },
);
