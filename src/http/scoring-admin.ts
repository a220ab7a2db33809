import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import type { CriterionScore } from '../scoring/types.js';
import { leaderboardOf } from './leaderboard.js';
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
 * Organizer side of scoring: judgements (checked against the scenario's rubric), the judging
 * queue, awards and penalties, freezing the public board, and the live organizers' board.
 */
export default async function scoringAdmin(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', app.requireOrganizer);

  const teamOf = (id: string) => {
    const t = app.services.teams.get(id);
    if (!t) throw new BadRequest(`no team '${id}'`);
    return t;
  };

  app.post('/api/admin/judgements', { schema: { body: JudgementBody } }, async (req, reply) => {
    const b = req.body;
    const lb = leaderboardOf(app);
    teamOf(b.team);
    const fault = lb.scenario.faults.find((f) => f.id === b.fault);
    if (!fault) throw new BadRequest(`no fault '${b.fault}' in the scenario (faults: ${lb.scenario.faults.map((f) => f.id).join(', ')})`);
    const rubric = b.category === 'communication' ? lb.scenario.scoring.communication.rubric : lb.scenario.scoring.review.rubric;
    if (!rubric.some((r) => r.id === b.criterion)) {
      throw new BadRequest(`'${b.criterion}' is not a ${b.category} criterion (criteria: ${rubric.map((r) => r.id).join(', ')})`);
    }
    const fs = lb.standingOf(b.team)?.breakdown.faults.find((f) => f.fault === b.fault);
    if (!fs || fs.injectedAt === null) throw new Conflict(`fault '${b.fault}' has not happened for team '${b.team}' yet`);
    if (!fs.counted) throw new Conflict(`fault '${b.fault}' was ${fs.state} for team '${b.team}': it is not scored`);
    if (b.category === 'review' && fs.postmortem === null) throw new Conflict(`team '${b.team}' has not submitted a postmortem for '${b.fault}' yet`);
    const { event } = await app.services.store.append({
      type: 'judgement.recorded',
      team: b.team,
      source: 'organizer',
      data: { fault: b.fault, category: b.category, criterion: b.criterion, score: b.score, judge: b.judge, ...(b.note ? { note: b.note } : {}) },
    });
    return reply.status(201).send({ seq: event.seq });
  });

  app.post('/api/admin/adjustments', { schema: { body: AdjustmentBody } }, async (req, reply) => {
    const b = req.body;
    teamOf(b.team);
    const reason = b.reason.trim();
    if (reason.length < 3) throw new BadRequest('body.reason must say why, in at least 3 characters');
    if (b.points === 0) throw new BadRequest('body.points must not be 0');
    const { event } = await app.services.store.append({
      type: 'score.adjusted',
      team: b.team,
      source: 'organizer',
      data: { points: b.points, reason, by: { kind: 'organizer', name: b.by ?? 'organizer' } },
    });
    return reply.status(201).send({ seq: event.seq });
  });

  app.post('/api/admin/board/freeze', async () => {
    if (leaderboardOf(app).frozen) throw new Conflict('the public board is already frozen');
    await app.services.store.append({ type: 'game.board_frozen', source: 'organizer', data: { by: { kind: 'organizer', name: 'organizer' } } });
    return { frozen: true };
  });

  app.post('/api/admin/board/unfreeze', async () => {
    if (!leaderboardOf(app).frozen) throw new Conflict('the public board is not frozen');
    await app.services.store.append({ type: 'game.board_unfrozen', source: 'organizer', data: { by: { kind: 'organizer', name: 'organizer' } } });
    return { frozen: false };
  });

  app.get('/api/admin/leaderboard', async (req, reply) => {
    const view = leaderboardOf(app).organizerView();
    reply.header('etag', view.etag).header('cache-control', 'no-cache, private');
    if (req.headers['if-none-match'] === view.etag) return reply.status(304).send();
    return reply.type('application/json; charset=utf-8').send(view.json);
  });

  app.get('/api/admin/teams/:id/score', { schema: { params: Type.Object({ id: TeamId }) } }, async (req) => {
    const s = leaderboardOf(app).standingOf(req.params.id);
    if (!s) throw new NotFound(`no team '${req.params.id}'`);
    return s;
  });

  /**
   * The judging queue: per team and fault that happened, the status updates and postmortem to
   * judge, what each judge has scored (with notes), and what is still waiting.
   */
  app.get('/api/admin/judging', async () => {
    const lb = leaderboardOf(app);
    const rules = lb.scenario.scoring;
    const withNotes = (cs: CriterionScore[]) =>
      cs.map((c) => ({ ...c, judges: c.judges.map((j) => ({ ...j, note: lb.noteOf(j.seq) ?? null })) }));
    const items = [];
    for (const id of lb.teamIds()) {
      const s = lb.standingOf(id);
      if (!s) continue;
      for (const f of s.breakdown.faults) {
        if (f.injectedAt === null || !f.counted) continue;
        const statusUpdates = f.statusUpdates.map((seq) => ({ seq, ...lb.textOf(seq) }));
        const pm = f.postmortem === null ? null : { seq: f.postmortem, ...lb.textOf(f.postmortem) };
        const unjudged = (cs: CriterionScore[]) => cs.filter((c) => c.mean === null).map((c) => c.criterion);
        const commMissing = unjudged(f.communication.judged.criteria);
        const reviewMissing = pm ? unjudged(f.review.criteria) : [];
        items.push({
          team: id,
          teamName: s.name,
          fault: f.fault,
          title: f.title,
          state: f.state,
          statusUpdates,
          postmortem: pm,
          communication: { criteria: withNotes(f.communication.judged.criteria), missing: commMissing },
          review: { criteria: withNotes(f.review.criteria), missing: reviewMissing },
          waiting: [...(statusUpdates.length && commMissing.length ? ['communication'] : []), ...(reviewMissing.length ? ['review'] : [])],
        });
      }
    }
    return { rubric: { communication: rules.communication.rubric, review: rules.review.rubric }, items };
  });
}
