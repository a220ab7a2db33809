import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Unauthorized } from '../errors.js';
import { Session, SessionCreated, SessionEnded } from '../contract/session.js';
import { ADMIN_COOKIE, TEAM_COOKIE, whoIs } from './auth.js';

const cookieOpts = { path: '/', httpOnly: true, sameSite: 'lax' as const, maxAge: 7 * 24 * 3600 };

/** The browser trades a token (typed in, or from a join link) for an HttpOnly cookie. */
export default async function session(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();

  app.post(
    '/api/session',
    { schema: { body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false }), response: { 200: SessionCreated } } },
    async (req, reply) => {
      const who = whoIs(app, req.body.token);
      if (!who) throw new Unauthorized('that token is not valid');
      reply.setCookie(who.role === 'organizer' ? ADMIN_COOKIE : TEAM_COOKIE, req.body.token, cookieOpts);
      return who.role === 'organizer' ? { role: who.role } : { role: who.role, team: { id: who.team.id, name: who.team.name } };
    },
  );

  app.get('/api/session', { schema: { response: { 200: Session } } }, async (req) => {
    const admin = req.cookies[ADMIN_COOKIE];
    const team = req.cookies[TEAM_COOKIE];
    const a = admin ? whoIs(app, admin) : undefined;
    const t = team ? whoIs(app, team) : undefined;
    return {
      organizer: a?.role === 'organizer',
      team: t?.role === 'team' ? { id: t.team.id, name: t.team.name } : null,
    };
  });

  app.delete('/api/session', { schema: { response: { 200: SessionEnded } } }, async (_req, reply) => {
    reply.clearCookie(ADMIN_COOKIE, { path: '/' }).clearCookie(TEAM_COOKIE, { path: '/' });
    return { ok: true as const };
  });

  // A join link: /join?token=… (the token query parameter is redacted from logs).
  app.get('/join', { schema: { querystring: Type.Object({ token: Type.String({ minLength: 1 }) }) } }, async (req, reply) => {
    const who = whoIs(app, req.query.token);
    if (!who) throw new Unauthorized('this join link is not valid (it may have been rotated)');
    reply.setCookie(who.role === 'organizer' ? ADMIN_COOKIE : TEAM_COOKIE, req.query.token, cookieOpts);
    return reply.redirect(who.role === 'organizer' ? '/admin' : '/team', 303);
  });
}
