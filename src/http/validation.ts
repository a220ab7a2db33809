import AjvCompiler from '@fastify/ajv-compiler';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

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
