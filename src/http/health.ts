import type { FastifyInstance } from 'fastify';
import { Health } from '../contract/health.js';

export default async function health(app: FastifyInstance) {
  app.get(
    '/healthz',
    { schema: { response: { 200: Health } } },
    async () => ({ status: 'ok' as const, version: app.services.version, seq: app.services.store.lastSeq() }),
  );
}
