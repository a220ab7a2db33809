import type { FastifyInstance } from 'fastify';
import { Conflict } from '../errors.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { GameResponse } from '../contract/game.js';
import { TeamState } from '../contract/team.js';
import { gameBlock, teamState } from '../game/views.js';

/** The game for everyone (`GET /api/game`) and a team's own state (`GET /api/team`). */
export default async function gameRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.get('/api/game', { schema: { response: { 200: GameResponse } } }, async () => {
    const { gameClock, game } = app.services;
    return {
      scenario: game ? { name: game.scenario.name, title: game.scenario.title, description: game.scenario.description } : null,
      ...gameBlock(gameClock, game?.scenario),
    };
  });

  app.get('/api/team', { onRequest: app.requireTeam, schema: { response: { 200: TeamState } } }, async (req) => {
    const { game, gameClock } = app.services;
    if (!game) throw new Conflict('no game is loaded');
    const team = req.team!;
    return {
      game: { ...gameBlock(gameClock, game.scenario), title: game.scenario.title },
      ...teamState(game.state, game.scenario, team),
    };
  });
}
