import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { WebSocket } from 'ws';
import { hashToken } from '../tokens.js';
import { TEAM_COOKIE } from './auth.js';
import { checkOrigin } from './leaderboard.js';

const AUTH_TIMEOUT_MS = 10_000;

function bearer(req: FastifyRequest): string | undefined {
  const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
  return m?.[1];
}

/**
 * `/ws/team`: a team's own live score and timeline. The team is named by its cookie (or bearer
 * token) at the upgrade, or by `{ "type": "auth", "token": "…" }` as the first frame.
 * Frames: `{ type: 'snapshot', seq, team, items, game }`, then `{ type: 'update', seq, team, items }`,
 * and `{ type: 'game', game }` at every game-phase or speed change (a finish has no team, so no
 * team frame would tell the war room otherwise). Game frames carry no `seq`: they are not part of
 * the team's board version.
 */
export default async function teamStream(app: FastifyInstance) {
  const sockets = new Set<WebSocket>();
  let stopWatching: (() => void) | undefined;
  const gameBlock = () => {
    const lb = app.services.leaderboard!;
    const block = lb.publicView().board.game;
    // The board's block is from when the board was built: the clock is read now.
    return { durationMs: lb.scenario.game.durationMs, ...block, gameTime: app.services.gameClock.now() };
  };
  // Phase and speed, whatever the block calls the phase (`state` today, `phase` in the glossary).
  const phaseKey = (g: object) => `${String((g as { phase?: unknown }).phase ?? (g as { state?: unknown }).state)}/${String((g as { speed?: unknown }).speed)}`;
  let last = '';
  /** One listener for all team sockets: the frame is built once per phase or speed change. */
  const watchGame = () => {
    if (stopWatching || !app.services.leaderboard) return;
    last = phaseKey(gameBlock());
    stopWatching = app.services.leaderboard.onPublic((frame) => {
      if (!frame.includes('"game":')) return;
      const game = gameBlock();
      const now = phaseKey(game);
      if (now === last) return; // a freeze or unfreeze: not a game change for the team
      last = now;
      const out = JSON.stringify({ type: 'game', game });
      for (const s of sockets) if (s.readyState === s.OPEN) s.send(out);
    });
  };
  app.addHook('onClose', async () => stopWatching?.());

  app.get('/ws/team', { websocket: true, onRequest: checkOrigin }, (socket: WebSocket, req) => {
    const lb = app.services.leaderboard;
    if (!lb) {
      socket.close(1011, 'the leaderboard is not running');
      return;
    }
    watchGame();
    let unsubscribe: (() => void) | undefined;
    const start = (token: string | undefined): boolean => {
      const team = token ? app.services.teams.byToken(hashToken(token)) : undefined;
      if (!team) return false;
      const sub = lb.subscribeTeam(team.id, (frame) => {
        if (socket.readyState === socket.OPEN) socket.send(frame);
      });
      unsubscribe = sub.unsubscribe;
      // The snapshot carries the game block too (spliced in: the snapshot is serialized JSON).
      socket.send(`${sub.snapshot.slice(0, -1)},"game":${JSON.stringify(gameBlock())}}`);
      sockets.add(socket);
      return true;
    };
    socket.on('close', () => {
      unsubscribe?.();
      sockets.delete(socket);
    });
    if (start(bearer(req) ?? req.cookies[TEAM_COOKIE])) return;

    // No cookie: the first frame must carry the token.
    const timer = setTimeout(() => socket.close(4001, 'send {"type":"auth","token":"…"} first'), AUTH_TIMEOUT_MS);
    socket.once('message', (raw) => {
      clearTimeout(timer);
      let token: string | undefined;
      try {
        const msg = JSON.parse(String(raw)) as { type?: unknown; token?: unknown };
        if (msg.type === 'auth' && typeof msg.token === 'string') token = msg.token;
      } catch {
        /* not JSON: refused below */
      }
      if (!start(token)) socket.close(4001, 'the team token is not valid');
    });
    socket.on('close', () => clearTimeout(timer));
  });
}
