import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { TrafficResponse } from '../contract/traffic.js';
import { NotFound } from '../errors.js';
import { UserTraffic } from '../leaderboard/traffic.js';

/**
 * `GET /api/teams/:id/traffic`: the service as its users met it in the last complete game minute
 * ("errors for users: 37% in the last minute"), and over the game. The board's rows carry the
 * same last minute (src/leaderboard/traffic.ts folds both).
 */
export default async function traffic(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const fold = new UserTraffic();
  for (const e of await app.store.read({ types: ['traffic.minute'] })) fold.apply(e);
  const off = app.store.subscribe((e) => void fold.apply(e));
  app.addHook('onClose', async () => off());

  app.get(
    '/api/teams/:id/traffic',
    { schema: { params: Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }) }, { additionalProperties: false }), response: { 200: TrafficResponse } } },
    async (req) => {
      const t = app.teams.get(req.params.id);
      if (!t) throw new NotFound(`no team '${req.params.id}'`);
      return { team: t.id, lastMinute: fold.lastMinute(t.id), game: fold.total(t.id) };
    },
  );
}
