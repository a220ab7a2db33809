import type { FastifyInstance } from 'fastify';
import { Conflict } from '../errors.js';
import { gamePhase, teamState } from '../game/views.js';

/** The game for everyone (`GET /api/game`) and a team's own state (`GET /api/team`). */
export default async function gameRoutes(app: FastifyInstance) {
  app.get('/api/game', async () => {
    const { gameClock, game } = app.services;
    return {
      scenario: game ? { name: game.scenario.name, title: game.scenario.title } : null,
      state: gamePhase(gameClock),
      gameTime: gameClock.now(),
      speed: gameClock.speed,
    };
  });

  app.get('/api/team', { onRequest: app.requireTeam }, async (req) => {
    const { game, gameClock } = app.services;
    if (!game) throw new Conflict('no game is loaded');
    const team = req.team!;
    return {
      game: { state: gamePhase(gameClock), gameTime: gameClock.now(), speed: gameClock.speed, title: game.scenario.title },
      ...teamState(game.state, game.scenario, team),
    };
  });
}
