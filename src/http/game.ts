import type { FastifyInstance } from 'fastify';
import { Conflict } from '../errors.js';
import { GameResponse } from '../contract/game.js';
import { gameBlock, teamState } from '../game/views.js';

/** The game for everyone (`GET /api/game`) and a team's own state (`GET /api/team`). */
export default async function gameRoutes(app: FastifyInstance) {
  app.get('/api/game', { schema: { response: { 200: GameResponse } } }, async () => {
    const { gameClock, game } = app.services;
    return {
      scenario: game ? { name: game.scenario.name, title: game.scenario.title } : null,
      ...gameBlock(gameClock, game?.scenario),
    };
  });

  app.get('/api/team', { onRequest: app.requireTeam }, async (req) => {
    const { game, gameClock } = app.services;
    if (!game) throw new Conflict('no game is loaded');
    const team = req.team!;
    return {
      game: { ...gameBlock(gameClock, game.scenario), title: game.scenario.title },
      ...teamState(game.state, game.scenario, team),
    };
  });
}
