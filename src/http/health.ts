import type { FastifyInstance } from 'fastify';
import Type from 'typebox';

export default async function health(app: FastifyInstance) {
  app.get(
    '/healthz',
    { schema: { response: { 200: Type.Object({ status: Type.Literal('ok'), version: Type.String(), seq: Type.Integer() }) } } },
    async () => ({ status: 'ok' as const, version: app.services.version, seq: app.services.store.lastSeq() }),
  );
}
