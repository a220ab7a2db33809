import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifyInstance, FastifyRequest, FastifySchema, FastifySchemaCompiler } from 'fastify';
import fp from 'fastify-plugin';
import { BadRequest } from '../errors.js';

/**
 * Strict request validation. Fastify's default Ajv removes fields a schema does not name and coerces
 * types, so `{"nextUpdateInMinute":5}` vanished silently and `"text": true` became "true". Bodies are
 * JSON, so they are taken as sent: an unknown field or a wrong type is a 400 naming it. Querystrings,
 * params and headers arrive as strings, so they keep coercion ("20" → 20), and never lose a field.
 */
export function buildValidator(externalSchemas: unknown, ajvOptions: unknown): FastifySchemaCompiler<FastifySchema> {
  const pool = AjvCompiler();
  const custom = (ajvOptions as { customOptions?: object } | undefined)?.customOptions ?? {};
  const opts = (more: object) => ({ ...(ajvOptions as object), customOptions: { ...custom, removeAdditional: false, ...more } });
  const body = pool(externalSchemas as never, opts({ coerceTypes: false }) as never);
  const strings = pool(externalSchemas as never, opts({ coerceTypes: 'array' }) as never);
  return (route) => (route.httpPart === 'body' ? body(route as never) : strings(route as never)) as never;
}

const WRITES = new Set(['POST', 'PUT', 'PATCH']);

/**
 * Routes whose handler checks an optional body itself (a YAML-or-JSON manifest; `{ name }` or
 * nothing), which a route body schema cannot say. They refuse `{"bogus":1}` too (the test checks).
 */
export const BODY_CHECKED_BY_HANDLER = new Set([
  'PUT /api/team/ops/manifest',
  'POST /api/team/incidents/:id/acknowledge',
  'POST /api/team/incidents/:id/resolve',
  'POST /api/team/incidents/:id/reopen',
]);

/**
 * A command route that declares no body takes none: `POST /api/admin/board/freeze {"bogus":1}` is a
 * 400 naming the field, like an unknown field on a route that has a body schema, and nothing is
 * written. An empty body, `{}` or `null` is fine (the web posts `{}`). Registered before the routes.
 */
export const refuseStrayBodies = fp(
  async function refuseStrayBodies(app: FastifyInstance) {
    app.addHook('onRoute', (route) => {
      if (!/^\/api\//.test(route.url) || (route.schema as FastifySchema | undefined)?.body !== undefined) return;
      const methods = [route.method].flat().filter((m) => WRITES.has(m) && !BODY_CHECKED_BY_HANDLER.has(`${m} ${route.url}`));
      if (!methods.length) return;
      route.preValidation = [...[route.preValidation ?? []].flat(), noBody];
    });
  },
  { name: 'refuse-stray-bodies' },
);

async function noBody(req: FastifyRequest): Promise<void> {
  const body: unknown = req.body;
  if (body === undefined || body === null || body === '') return;
  if (typeof body === 'object' && !Array.isArray(body) && !Buffer.isBuffer(body)) {
    const first = Object.keys(body)[0];
    if (first === undefined) return;
    throw new BadRequest(`body.${first} is not a known field (this route takes no body)`);
  }
  throw new BadRequest('body: this route takes no body');
}
