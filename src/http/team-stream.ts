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
 * Frames: `{ type: 'snapshot', seq, team, items }`, then `{ type: 'update', seq, team, items }`.
 */
export default async function teamStream(app: FastifyInstance) {
  app.get('/ws/team', { websocket: true, onRequest: checkOrigin }, (socket: WebSocket, req) => {
    const lb = app.services.leaderboard;
    if (!lb) {
      socket.close(1011, 'the leaderboard is not running');
      return;
    }
    let unsubscribe: (() => void) | undefined;
    const start = (token: string | undefined): boolean => {
      const team = token ? app.services.teams.byToken(hashToken(token)) : undefined;
      if (!team) return false;
      const sub = lb.subscribeTeam(team.id, (frame) => {
        if (socket.readyState === socket.OPEN) socket.send(frame);
      });
      unsubscribe = sub.unsubscribe;
      socket.send(sub.snapshot);
      return true;
    };
    socket.on('close', () => unsubscribe?.());
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
