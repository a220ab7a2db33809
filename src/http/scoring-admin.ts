import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { NotFound } from '../errors.js';
import { Judging } from '../judging/service.js';
import { BoundedInteger } from './numbers.js';
import type { Static } from 'typebox';
import type { JudgingItem} from '../contract/judging.js';
import { FreezeState, JudgingQueue, OrganizerBoard, Recorded } from '../contract/judging.js';
import { Standing } from '../contract/standing.js';
import type { Mirrors, Same } from '../contract/mirror.js';
import type { Standing as DomainStanding } from '../scoring/types.js';
import type { Board } from '../leaderboard/types.js';

// The answers name every field of what they serialize (a field the schema lacks would be dropped).
export type StandingMirrors = Mirrors<Same<Static<typeof Standing>, DomainStanding>>;
export type QueueMirrors = Mirrors<Same<Static<typeof JudgingItem>, ReturnType<Judging['queue']>['items'][number]>>;
export type BoardMirrors = Mirrors<Same<Static<typeof OrganizerBoard>, Board>>;


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

  app.post('/api/admin/judgements', { schema: { body: JudgementBody, response: { 201: Recorded } } }, async (req, reply) => reply.status(201).send(await judging.recordJudgement(req.body)));

  app.post('/api/admin/adjustments', { schema: { body: AdjustmentBody, response: { 201: Recorded } } }, async (req, reply) => reply.status(201).send(await judging.adjust(req.body, organizer(req.body.by))));

  app.post('/api/admin/board/freeze', { schema: { response: { 200: FreezeState } } }, async () => {
    await judging.freeze(organizer());
    return { frozen: true };
  });

  app.post('/api/admin/board/unfreeze', { schema: { response: { 200: FreezeState } } }, async () => {
    await judging.unfreeze(organizer());
    return { frozen: false };
  });

  // Sent as the JSON prepared once per change (the schema documents it; strings are sent as they are).
  app.get('/api/admin/leaderboard', { schema: { response: { 200: OrganizerBoard } } }, async (req, reply) => {
    const view = app.leaderboard.organizerView();
    reply.header('etag', view.etag).header('cache-control', 'no-cache, private');
    // 304 has no body (the type provider knows only the 200 schema).
    if (req.headers['if-none-match'] === view.etag) return reply.code(304 as 200).send(undefined as never);
    return reply.type('application/json; charset=utf-8').send(view.json as never);
  });

  app.get('/api/admin/teams/:id/score', { schema: { params: Type.Object({ id: TeamId }), response: { 200: Standing } } }, async (req) => {
    const s = app.leaderboard.standingOf(req.params.id);
    if (!s) throw new NotFound(`no team '${req.params.id}'`);
    return s;
  });

  app.get('/api/admin/judging', { schema: { response: { 200: JudgingQueue } } }, async () => judging.queue());
}
