import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { Unauthorized } from '../errors.js';
import type { Team } from '../game/teams.js';
import { hashToken } from '../tokens.js';

export const ADMIN_COOKIE = 'fd_admin';
export const TEAM_COOKIE = 'fd_team';

declare module 'fastify' {
  interface FastifyInstance {
    /** onRequest hook: the organizer token as a bearer token or the organizer cookie. */
    requireOrganizer: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
    /** onRequest hook: a team token as a bearer token or the team cookie; sets `req.team`. */
    requireTeam: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  }
  interface FastifyRequest {
    team?: Team;
  }
}

function bearer(req: FastifyRequest): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)$/i.exec(h);
  return m?.[1];
}

/** Which principal a token names, if any. */
export function whoIs(app: FastifyInstance, token: string): { role: 'organizer' } | { role: 'team'; team: Team } | undefined {
  const h = hashToken(token);
  if (h === app.services.adminTokenHash) return { role: 'organizer' };
  const team = app.services.teams.byToken(h);
  return team ? { role: 'team', team } : undefined;
}

export default fp(
  async function auth(app: FastifyInstance) {
    app.decorate('requireOrganizer', async (req: FastifyRequest) => {
      const token = bearer(req) ?? req.cookies[ADMIN_COOKIE];
      if (!token) throw new Unauthorized('organizer token required: send Authorization: Bearer <token>');
      if (hashToken(token) !== app.services.adminTokenHash) throw new Unauthorized('the organizer token is not valid');
    });
    app.decorate('requireTeam', async (req: FastifyRequest) => {
      const token = bearer(req) ?? req.cookies[TEAM_COOKIE];
      if (!token) throw new Unauthorized('team token required: open your join link or send Authorization: Bearer <token>');
      const team = app.services.teams.byToken(hashToken(token));
      if (!team) throw new Unauthorized('the team token is not valid (it may have been rotated: ask the organizers for a new join link)');
      req.team = team;
    });
  },
  { name: 'auth', dependencies: ['services', '@fastify/cookie'] },
);
