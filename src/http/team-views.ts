import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ScoreResponse, SeriesResponse, TeamsResponse, TimelineResponse } from '../contract/teams.js';
import { NotFound } from '../errors.js';
import { leaderboardOf } from './leaderboard.js';
import { BoundedInteger, MAX_SEQ } from './numbers.js';

const Params = Type.Object({ id: Type.String({ minLength: 1, maxLength: 40 }) });
const Paging = Type.Object({
  after: Type.Optional(BoundedInteger({ minimum: 0, maximum: MAX_SEQ, description: 'only items after this event seq' })),
  limit: BoundedInteger({ minimum: 1, maximum: 5000, default: 1000 }),
});

/**
 * Public reads about teams: the list, a team's timeline (fault moments, probe transitions, incident
 * states, published status updates, score changes), its score over time and its score breakdown
 * with evidence. While the board is frozen these stop at the freeze.
 */
export default async function teamViews(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  const known = (id: string) => {
    const lb = leaderboardOf(app);
    if (!lb.hasTeam(id)) throw new NotFound(`no team '${id}'`);
    return lb;
  };

  app.get('/api/teams', { schema: { response: { 200: TeamsResponse } } }, async () => {
    const lb = leaderboardOf(app);
    return { teams: lb.publicView().board.teams.map((t) => ({ id: t.id, name: t.name })) };
  });

  app.get('/api/teams/:id/timeline', { schema: { params: Params, querystring: Paging, response: { 200: TimelineResponse } } }, async (req) => {
    const items = known(req.params.id).timeline(req.params.id, 'public');
    const after = req.query.after ?? 0;
    return { team: req.params.id, items: items.filter((i) => i.seq > after).slice(0, req.query.limit) };
  });

  app.get('/api/teams/:id/series', { schema: { params: Params, response: { 200: SeriesResponse } } }, async (req) => {
    return { team: req.params.id, points: known(req.params.id).series(req.params.id, 'public') };
  });

  app.get('/api/teams/:id/score', { schema: { params: Params, response: { 200: ScoreResponse } } }, async (req) => {
    const lb = known(req.params.id);
    const b = lb.publicBreakdown(req.params.id);
    if (!b) throw new NotFound(`no score for team '${req.params.id}' yet`);
    return { team: req.params.id, frozen: lb.frozen, ...b };
  });
}
