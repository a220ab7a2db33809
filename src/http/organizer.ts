import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BadRequest, NotFound } from '../errors.js';
import type { Actor } from '../events/types.js';
import { createTeam, rotateTeamToken, updateTeam } from '../game/team-admin.js';
import { gameBlock, organizerState } from '../game/views.js';
import { warningsAfter } from '../game/warnings.js';
import { BoundedInteger, BoundedNumber, MAX_SEQ } from './numbers.js';
import { TeamTarget } from '../config.js';
import { CompositeTarget } from '../targets/composite.js';
import type { Static } from 'typebox';
import type {
  OrganizerTeamState,
  Warning} from '../contract/admin.js';
import {
  Extended,
  FaultCommandDone,
  GameCommandDone,
  NextFault,
  OrganizerState,
  RevertedAll,
  SpeedSet,
  TeamCreated,
  TeamList,
  TeamUpdated,
  TokenRotated,
  Warnings,
} from '../contract/admin.js';
import type { Mirrors, Same } from '../contract/mirror.js';
import type { Warning as DomainWarning } from '../game/warnings.js';

// The answers name every field of what they serialize (a field the schema lacks would be dropped).
export type StateMirrors = Mirrors<Same<Static<typeof OrganizerTeamState>, ReturnType<typeof organizerState>[number]>>;
export type WarningMirrors = Mirrors<Same<Static<typeof Warning>, DomainWarning>>;


const Strict = { additionalProperties: false } as const;
const MemberName = Type.String({ minLength: 1, maxLength: 100 });
/** A member: a name, or `{name, role?}`. */
const Member = Type.Union([MemberName, Type.Object({ name: MemberName, role: Type.Optional(Type.String({ maxLength: 50 })) }, Strict)]);
const members = (ms: Array<string | { name: string; role?: string }> | undefined) => ms?.map((m) => (typeof m === 'string' ? { name: m } : m));
const TeamId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' });
const FaultId = Type.String({ minLength: 1, maxLength: 64 });
/** Who did it: the body's `by`, else the X-Organizer-Name header, else "organizer". */
const By = Type.Optional(Type.String({ minLength: 1, maxLength: 100 }));
const Reason = Type.Optional(Type.String({ maxLength: 500 }));
const EmptyOk = Type.Union([Type.Object({ by: By, reason: Reason }, Strict), Type.Null()]);

function actor(req: FastifyRequest): Actor {
  const body = req.body as { by?: unknown } | null | undefined;
  const fromBody = body && typeof body === 'object' && typeof body.by === 'string' ? body.by : undefined;
  const header = req.headers['x-organizer-name'];
  const name = (fromBody ?? (typeof header === 'string' ? header : undefined) ?? 'organizer').trim().slice(0, 100) || 'organizer';
  return { kind: 'organizer', name };
}

const reasonOf = (req: FastifyRequest, fallback: string) => {
  const r = (req.body as { reason?: string } | null | undefined)?.reason?.trim();
  return r || fallback;
};

/**
 * Organizer controls: teams, the game clock, per-team fault controls, the kill switch, warnings.
 * HTTP only: who is acting and why come from the request; the rules are in src/game (team-admin.ts,
 * game.ts, warnings.ts).
 */
export default async function organizer(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', app.requireOrganizer);
  // Bodies are optional on command routes: an empty POST is fine.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, null);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new BadRequest('the body is not valid JSON'), undefined);
    }
  });

  const game = () => app.game;
  const base = (req: FastifyRequest) => (app.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '');
  const joinLink = (req: FastifyRequest, token: string) => `${base(req)}/join?token=${encodeURIComponent(token)}`;
  const teamOr404 = (id: string) => {
    const t = app.teams.get(id);
    if (!t) throw new NotFound(`no team '${id}'`);
    return t;
  };

  // ------------------------------------------------------------ teams

  app.post(
    '/api/admin/teams',
    { schema: { body: Type.Object({ id: Type.Optional(TeamId), name: Type.String({ minLength: 1, maxLength: 80 }), members: Type.Optional(Type.Array(Member, { maxItems: 10 })), target: Type.Optional(TeamTarget), by: By }, Strict), response: { 201: TeamCreated } } },
    async (req, reply) => {
      const { config, store, teams } = app;
      // An external team must name an adapter this server has (kubernetes needs a kubeconfig).
      const targetKinds = app.target instanceof CompositeTarget ? app.target.kinds() : ['local'];
      const { members: ms, ...rest } = req.body;
      const t = await createTeam({ store, teams, teamPortBase: config.teamPortBase, targetKinds }, { ...rest, ...(ms ? { members: members(ms)! } : {}) }, actor(req));
      // The token leaves the server here, once; only its hash is in the log.
      return reply.status(201).send({ team: { id: t.id, name: t.name }, token: t.token, joinLink: joinLink(req, t.token) });
    },
  );

  app.patch(
    '/api/admin/teams/:id',
    {
      schema: {
        params: Type.Object({ id: TeamId }),
        body: Type.Object({ name: Type.Optional(Type.String({ minLength: 1, maxLength: 80 })), members: Type.Optional(Type.Array(Member, { maxItems: 10 })), by: By }, Strict),
        response: { 200: TeamUpdated },
      },
    },
    async (req) => {
      const { members: ms, ...rest } = req.body;
      await updateTeam(app, req.params.id, { ...rest, ...(ms ? { members: members(ms)! } : {}) }, actor(req));
      const t = teamOr404(req.params.id);
      return { team: { id: t.id, name: t.name, members: t.members } };
    },
  );

  app.post('/api/admin/teams/:id/token', { schema: { params: Type.Object({ id: TeamId }), body: EmptyOk, response: { 200: TokenRotated } } }, async (req) => {
    const { token } = await rotateTeamToken(app, req.params.id, actor(req));
    return { team: { id: req.params.id }, token, joinLink: joinLink(req, token) };
  });

  app.get('/api/admin/teams', { schema: { response: { 200: TeamList } } }, async () => ({
    teams: app.teams.list().map((t) => ({ id: t.id, name: t.name, members: t.members, portBase: t.portBase, publicUrl: app.target.publicUrl(t.id) ?? null, target: t.target ?? null })),
  }));

  app.get('/api/admin/state', { schema: { response: { 200: OrganizerState } } }, async () => {
    const g = game();
    const { gameClock, teams } = app;
    const warnings = await app.store.read({ types: ['warning.raised'] });
    return {
      game: { scenario: g.scenario.name, ...gameBlock(gameClock, g.scenario) },
      teams: organizerState(g.state, g.scenario, teams.list(), app.probes.snapshot()),
      warnings: warnings.length,
    };
  });

  app.get('/api/admin/warnings', { schema: { querystring: Type.Object({ after: BoundedInteger({ minimum: 0, maximum: MAX_SEQ, default: 0 }) }, Strict), response: { 200: Warnings } } }, async (req) => ({
    warnings: await warningsAfter(app.store, req.query.after),
  }));

  // ------------------------------------------------------------ the game clock

  const gameCmd = (name: 'start' | 'pause' | 'resume' | 'finish') =>
    app.post(`/api/admin/game/${name}`, { schema: { body: EmptyOk, response: { 200: GameCommandDone } } }, async (req) => {
      const g = game();
      const by = actor(req);
      if (name === 'start') await g.start(by);
      else if (name === 'pause') await g.pause(by);
      else if (name === 'resume') await g.resume(by);
      else await g.finish(by);
      const { gameClock } = app;
      return gameBlock(gameClock, g.scenario);
    });
  gameCmd('start');
  gameCmd('pause');
  gameCmd('resume');
  gameCmd('finish');

  app.post('/api/admin/game/speed', { schema: { body: Type.Object({ speed: BoundedNumber({ exclusiveMinimum: 0, maximum: 1000 }), by: By }, Strict), response: { 200: SpeedSet } } }, async (req) => {
    await game().setSpeed(req.body.speed, actor(req));
    return { speed: app.gameClock.speed, gameTime: app.gameClock.now() };
  });

  // ------------------------------------------------------------ faults of one team

  app.post('/api/admin/teams/:id/faults/next', { schema: { params: Type.Object({ id: TeamId }), body: EmptyOk, response: { 200: NextFault } } }, async (req) => {
    teamOr404(req.params.id);
    return game().next(req.params.id, actor(req));
  });

  const FaultParams = Type.Object({ id: TeamId, fault: FaultId });
  app.post('/api/admin/teams/:id/faults/:fault/revert', { schema: { params: FaultParams, body: EmptyOk, response: { 200: FaultCommandDone } } }, async (req) => {
    teamOr404(req.params.id);
    await game().revertFault(req.params.id, req.params.fault, actor(req), reasonOf(req, 'reverted by an organizer'));
    return { ok: true as const };
  });

  app.post('/api/admin/teams/:id/faults/:fault/skip', { schema: { params: FaultParams, body: EmptyOk, response: { 200: FaultCommandDone } } }, async (req) => {
    teamOr404(req.params.id);
    await game().skip(req.params.id, req.params.fault, actor(req), reasonOf(req, 'skipped by an organizer'));
    return { ok: true as const };
  });

  app.post(
    '/api/admin/teams/:id/faults/:fault/extend',
    { schema: { params: FaultParams, body: Type.Object({ minutes: BoundedNumber({ exclusiveMinimum: 0, maximum: 600 }), by: By }, Strict), response: { 200: Extended } } },
    async (req) => {
      teamOr404(req.params.id);
      return game().extend(req.params.id, req.params.fault, req.body.minutes, actor(req));
    },
  );

  // The kill switch.
  app.post('/api/admin/revert-all', { schema: { body: EmptyOk, response: { 200: RevertedAll } } }, async (req) => game().revertAll(actor(req), reasonOf(req, 'kill switch')));
}
