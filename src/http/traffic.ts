import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFound } from '../errors.js';
import type { StoredEvent } from '../events/types.js';

type Minute = { minute: number; requests: number; failed: number; slow: number };

/**
 * `GET /api/teams/:id/traffic`: the service as its users met it in the last complete game minute
 * ("errors for users: 37% in the last minute"), and over the game. A fold of `traffic.minute`
 * events, so a replayed game answers the same.
 */
export default async function traffic(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const last = new Map<string, Minute>();
  const game = new Map<string, { requests: number; failed: number; slow: number }>();
  const apply = (e: StoredEvent) => {
    if (e.type !== 'traffic.minute' || !e.team) return;
    const prev = last.get(e.team);
    const g = game.get(e.team) ?? { requests: 0, failed: 0, slow: 0 };
    // The last report of a minute wins (as in scoring): take the earlier report of it back out.
    if (prev && prev.minute === e.data.minute) for (const k of ['requests', 'failed', 'slow'] as const) g[k] -= prev[k];
    for (const k of ['requests', 'failed', 'slow'] as const) g[k] += e.data[k];
    game.set(e.team, g);
    if (!prev || e.data.minute >= prev.minute) last.set(e.team, { ...e.data });
  };
  for (const e of await app.store.read({ types: ['traffic.minute'] })) apply(e);
  const off = app.store.subscribe(apply);
  app.addHook('onClose', async () => off());

  const rate = (m: { requests: number; failed: number; slow: number }) => (m.requests ? Math.round((1000 * m.failed) / m.requests) / 1000 : 0);
  app.get('/api/teams/:id/traffic', { schema: { params: Type.Object({ id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }) }, { additionalProperties: false }) } }, async (req) => {
    const t = app.teams.get(req.params.id);
    if (!t) throw new NotFound(`no team '${req.params.id}'`);
    const m = last.get(t.id) ?? null;
    const g = game.get(t.id) ?? { requests: 0, failed: 0, slow: 0 };
    return {
      team: t.id,
      lastMinute: m && { ...m, errorRate: rate(m) },
      game: { ...g, errorRate: rate(g) },
    };
  });
}
