import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFound } from '../errors.js';
import { Judging } from '../judging/service.js';
import { BoundedInteger } from './numbers.js';

const TeamId = Type.String({ minLength: 1, maxLength: 40 });
const Name = Type.String({ minLength: 1, maxLength: 100 });

const JudgementBody = Type.Object(
  {
    team: TeamId,
    fault: Type.String({ minLength: 1, maxLength: 64 }),
    category: Type.Union([Type.Literal('communication'), Type.Literal('review')]),
    criterion: Type.String({ minLength: 1, maxLength: 64 }),
    score: BoundedInteger({ minimum: 0, maximum: 5 }),
    judge: Name,
    note: Type.Optional(Type.String({ maxLength: 2000 })),
  },
  { additionalProperties: false },
);

const AdjustmentBody = Type.Object(
  {
    team: TeamId,
    points: BoundedInteger({ minimum: -100_000, maximum: 100_000, description: 'whole points; positive = award, negative = penalty' }),
    reason: Type.String({ minLength: 3, maxLength: 500 }),
    by: Type.Optional(Name),
  },
  { additionalProperties: false },
);

/**
 * Organizer side of scoring: judgements, the judging queue, awards and penalties, freezing the
 * public board, and the live organizers' board. The rules are in src/judging.
 */
export default async function scoringAdmin(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', app.requireOrganizer);
  const judging = new Judging({ store: app.store, boards: app.leaderboard, hasTeam: (id) => !!app.teams.get(id) });
  const organizer = (name?: string) => ({ kind: 'organizer' as const, name: name ?? 'organizer' });

  app.post('/api/admin/judgements', { schema: { body: JudgementBody } }, async (req, reply) => reply.status(201).send(await judging.recordJudgement(req.body)));

  app.post('/api/admin/adjustments', { schema: { body: AdjustmentBody } }, async (req, reply) => reply.status(201).send(await judging.adjust(req.body, organizer(req.body.by))));

  app.post('/api/admin/board/freeze', async () => {
    await judging.freeze(organizer());
    return { frozen: true };
  });

  app.post('/api/admin/board/unfreeze', async () => {
    await judging.unfreeze(organizer());
    return { frozen: false };
  });

  app.get('/api/admin/leaderboard', async (req, reply) => {
    const view = app.leaderboard.organizerView();
    reply.header('etag', view.etag).header('cache-control', 'no-cache, private');
    if (req.headers['if-none-match'] === view.etag) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(view.json);
  });

  app.get('/api/admin/teams/:id/score', { schema: { params: Type.Object({ id: TeamId }) } }, async (req) => {
    const s = app.leaderboard.standingOf(req.params.id);
    if (!s) throw new NotFound(`no team '${req.params.id}'`);
    return s;
  });

  app.get('/api/admin/judging', async () => judging.queue());
}
