import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BadRequest } from '../errors.js';
import { eventTypes } from '../events/types.js';
import { BoundedInteger, MAX_SEQ } from './numbers.js';
import { EventsPage } from '../contract/admin.js';

const Query = Type.Object(
  {
    after: BoundedInteger({ minimum: 0, maximum: MAX_SEQ, default: 0, description: 'return events with a sequence number above this' }),
    limit: BoundedInteger({ minimum: 1, maximum: 5000, default: 500 }),
    team: Type.Optional(Type.String({ minLength: 1 })),
    type: Type.Optional(Type.String({ description: 'comma-separated event types' })),
  },
  { additionalProperties: false },
);

/** The raw log for organizers: audit, export, replay. */
export default async function adminEvents(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', app.requireOrganizer);
  app.get('/api/admin/events', { schema: { querystring: Query, response: { 200: EventsPage } } }, async (req) => {
    const types = req.query.type?.split(',').map((t) => t.trim()).filter(Boolean);
    const unknown = types?.filter((t) => !(eventTypes as string[]).includes(t));
    if (unknown?.length) {
      throw new BadRequest(`unknown event type: ${unknown.join(', ')}`);
    }
    const events = await app.services.store.read({
      after: req.query.after,
      limit: req.query.limit,
      ...(req.query.team ? { team: req.query.team } : {}),
      ...(types?.length ? { types: types as typeof eventTypes } : {}),
    });
    const last = events.at(-1)?.seq ?? req.query.after;
    return { events, next: last, lastSeq: app.services.store.lastSeq() };
  });
}
