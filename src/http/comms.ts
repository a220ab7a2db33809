import { randomBytes } from 'node:crypto';
import { OrganizerChannels, PersonaMessagePosted } from '../contract/admin.js';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import createError from '@fastify/error';
import rateLimit from '@fastify/rate-limit';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Clock } from '../clock.js';
import type { StatusUpdate } from '../comms/index.js';
import { CommsCommands, publicStatus } from '../comms/commands.js';
import { ReportFiled, StatusPageResponse } from '../contract/teams.js';
import { NotFound } from '../errors.js';
import type { Team } from '../game/teams.js';
import { BoundedInteger, BoundedNumber, MAX_SEQ } from './numbers.js';
import { Channels, MessagePosted, StatusPublished } from '../contract/channels.js';
import { HintTaken, Hints, PostmortemSubmitted } from '../contract/team.js';

/**
 * The communication routes: a team's channel with the CTO and stakeholders, its status page,
 * postmortems and hints; spectators' problem reports; organizers speaking as a persona. The rules
 * live in src/comms/commands.ts; this file parses, calls them and answers. Text is only ever
 * returned as JSON text — the front end renders it as text, never HTML.
 */

const RateLimited = createError('rate_limited', '%s', 429);

const ClientId = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$', description: 'makes a retry idempotent' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const FaultId = Type.String({ minLength: 1, maxLength: 64 });
const TeamId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' });
const Channel = Type.Enum(['incident', 'stakeholders']);
const Strict = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

interface Hits {
  current: number;
  ttl: number;
  start: number;
}

/**
 * @fastify/rate-limit's store on the injected clock (its own store reads Date.now, which a test
 * cannot move): a fixed window per key, at most `cache` keys kept (oldest forgotten first).
 */
export function clockStore(clock: Clock, cache = 10_000) {
  return class ClockStore {
    private readonly hits = new Map<string, Hits>();
    incr(key: string, cb: (err: Error | null, res: { current: number; ttl: number }) => void, timeWindow: number): void {
      const now = clock.now();
      let h = this.hits.get(key);
      if (!h || h.start + timeWindow <= now) {
        this.hits.delete(key);
        h = { current: 0, ttl: timeWindow, start: now };
        if (this.hits.size >= cache) this.hits.delete(this.hits.keys().next().value!);
        this.hits.set(key, h);
      }
      h.current++;
      h.ttl = h.start + timeWindow - now;
      cb(null, { current: h.current, ttl: h.ttl });
    }
    child() {
      return new ClockStore();
    }
  };
}

export interface CommsRouteOptions {
  /** Spectator reports per browser (the `fd_browser` cookie) per minute, and per address for a client without the cookie (default 10). */
  reportsPerMinute?: number;
  /** Reports per address per minute from browsers with the cookie: a venue behind one NAT is many people (default 600). */
  reportsPerAddressPerMinute?: number;
}

/** A random browser id (no personal data), set on the first visit; the per-browser rate-limit key. */
export const BROWSER_COOKIE = 'fd_browser';
const BROWSER_ID = /^[A-Za-z0-9_-]{16,64}$/;
export const browserIdOf = (req: FastifyRequest): string | undefined => {
  const id = req.cookies[BROWSER_COOKIE];
  return id && BROWSER_ID.test(id) ? id : undefined;
};
/** Give a browser its id cookie if it has none (HttpOnly: pages never read it). */
export function ensureBrowserId(req: FastifyRequest, reply: FastifyReply): void {
  if (browserIdOf(req)) return;
  reply.setCookie(BROWSER_COOKIE, randomBytes(16).toString('base64url'), { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
}

export default async function comms(fastify: FastifyInstance, opts: CommsRouteOptions = {}) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const s = app.services;
  const fold = () => s.comms.fold;
  const commands = new CommsCommands({ store: s.store, scenario: s.scenario, fold: s.comms.fold, gameNow: () => s.gameClock.now(), hasTeam: (id) => !!s.teams.get(id) });
  const teamOf = (req: FastifyRequest): Team => req.team!;
  const author = (req: FastifyRequest, name: string | undefined) => ({ team: teamOf(req).id, name: name ?? teamOf(req).name });

  // --- the team's own routes (the team is named by its token) -------------------------------------
  await app.register(async (scope) => {
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    r.addHook('onRequest', app.requireTeam);

    r.post(
      '/api/team/messages',
      {
        schema: {
          body: Strict({
            channel: Channel,
            text: Type.String({ minLength: 1, maxLength: 4000 }),
            clientId: ClientId,
            name: Type.Optional(Name),
            replyTo: Type.Optional(BoundedInteger({ minimum: 1, maximum: MAX_SEQ, description: 'seq of the message answered' })),
          }),
          response: { 200: MessagePosted, 201: MessagePosted },
        },
      },
      async (req, reply) => {
        const r = await commands.postTeamMessage(author(req, req.body.name), req.body);
        return reply.status(r.duplicate ? 200 : 201).send(r);
      },
    );

    r.post(
      '/api/team/status',
      {
        schema: {
          body: Strict({
            text: Type.String({ minLength: 1, maxLength: 4000 }),
            impact: Type.Optional(Type.String({ maxLength: 1000 })),
            currentAction: Type.Optional(Type.String({ maxLength: 1000 })),
            nextUpdateInMinutes: Type.Optional(BoundedNumber({ exclusiveMinimum: 0, maximum: 24 * 60 })),
            resolved: Type.Optional(Type.Boolean()),
            name: Type.Optional(Name),
            clientId: Type.Optional(ClientId),
          }),
          response: { 200: StatusPublished, 201: StatusPublished },
        },
      },
      async (req, reply) => {
        const r = await commands.publishStatus(author(req, req.body.name), req.body);
        return reply.status(r.duplicate ? 200 : 201).send(r);
      },
    );

    r.post(
      '/api/team/postmortems',
      {
        schema: {
          body: Strict({ fault: FaultId, text: Type.String({ minLength: 1, maxLength: 20_000 }), name: Type.Optional(Name) }),
          response: { 201: PostmortemSubmitted },
        },
      },
      async (req, reply) => reply.status(201).send({ postmortem: await commands.submitPostmortem(author(req, req.body.name), req.body) }),
    );

    r.get('/api/team/hints', { schema: { response: { 200: Hints } } }, async (req) => ({ hints: commands.hintsOf(teamOf(req).id) }));

    r.post(
      '/api/team/hints/:fault/:hint',
      { schema: { params: Strict({ fault: FaultId, hint: Type.String({ minLength: 1, maxLength: 64 }) }), response: { 200: HintTaken, 201: HintTaken } } },
      async (req, reply) => {
        const r = await commands.takeHint(teamOf(req).id, req.params.fault, req.params.hint);
        return reply.status(r.duplicate ? 200 : 201).send(r);
      },
    );

    r.get(
      '/api/team/channels',
      {
        schema: {
          querystring: Strict({
            after: BoundedInteger({ minimum: 0, maximum: MAX_SEQ, default: 0, description: 'only what came after this sequence number' }),
            limit: BoundedInteger({ minimum: 1, maximum: 1000, default: 500 }),
          }),
          response: { 200: Channels },
        },
      },
      async (req) => {
        const team = teamOf(req);
        const messages = commands.channelView(team.id, req.query.after, req.query.limit, s.gameClock.now());
        const statusUpdates: StatusUpdate[] = fold().statusUpdates(team.id, req.query.after, req.query.limit);
        return { messages, statusUpdates, lastSeq: s.store.lastSeq() };
      },
    );
  });

  // --- public: the status page and spectators' reports ------------------------------------------
  await app.register(async (scope) => {
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    // Reports are limited per browser (its id cookie), and per address with a higher ceiling (5,000
    // phones behind one NAT are not one person); a client without the cookie is limited per address
    // at the low ceiling. Counted in onRequest, before validation, so a flood of bad requests is
    // limited too.
    await r.register(rateLimit, {
      global: false,
      store: clockStore(s.clock),
      errorResponseBuilder: () => new RateLimited('too many reports from your address: try again in a minute'),
      addHeadersOnExceeding: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false },
      addHeaders: { 'x-ratelimit-limit': false, 'x-ratelimit-remaining': false, 'x-ratelimit-reset': false, 'retry-after': true },
    });

    const perAddress = r.createRateLimit({ max: opts.reportsPerAddressPerMinute ?? 600, timeWindow: 60_000, keyGenerator: (req) => `venue:${req.ip}` });

    // Only what the team published: never its internal channel.
    r.get(
      '/api/teams/:id/status',
      { schema: { params: Strict({ id: TeamId }), querystring: Strict({ limit: BoundedInteger({ minimum: 1, maximum: 100, default: 20 }) }), response: { 200: StatusPageResponse } } },
      async (req) => {
        const t = s.teams.get(req.params.id);
        if (!t) throw new NotFound(`no team '${req.params.id}'`);
        return { team: { id: t.id, name: t.name }, updates: fold().latestStatus(t.id, req.query.limit).map(publicStatus) };
      },
    );

    r.post(
      '/api/teams/:id/reports',
      {
        config: {
          rateLimit: {
            max: opts.reportsPerMinute ?? 10,
            timeWindow: 60_000,
            keyGenerator: (req: FastifyRequest) => {
              const id = browserIdOf(req);
              return id ? `browser:${id}` : `address:${req.ip}`;
            },
          },
        },
        onRequest: async (req, reply) => {
          if (!browserIdOf(req)) return ensureBrowserId(req, reply);
          const limit = await perAddress(req);
          if (!limit.isAllowed && limit.isExceeded) {
            reply.header('retry-after', String(Math.ceil(limit.ttl / 1000)));
            throw new RateLimited('too many reports from your address: try again in a minute');
          }
        },
        schema: {
          params: Strict({ id: TeamId }),
          body: Strict({ text: Type.String({ minLength: 1, maxLength: 1000 }), name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })) }),
          response: { 201: ReportFiled },
        },
      },
      async (req, reply) => reply.status(201).send({ report: await commands.fileReport(req.params.id, req.body) }),
    );
  });

  // --- organizers: a staff member speaks as a persona -------------------------------------------
  await app.register(async (scope) => {
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    r.addHook('onRequest', app.requireOrganizer);
    r.post(
      '/api/admin/messages',
      {
        schema: {
          body: Strict({
            team: TeamId,
            persona: Type.String({ minLength: 1, maxLength: 64 }),
            channel: Channel,
            text: Type.String({ minLength: 1, maxLength: 4000 }),
            fault: Type.Optional(FaultId),
            expectsAnswer: Type.Optional(Type.Boolean()),
            expects: Type.Optional(Type.Array(Type.Enum(['eta', 'impact', 'current_action', 'decision', 'cause', 'workaround', 'next_update']), { maxItems: 7, uniqueItems: true })),
            replyTo: Type.Optional(BoundedInteger({ minimum: 1, maximum: MAX_SEQ })),
            clientId: Type.Optional(ClientId),
          }),
          response: { 200: PersonaMessagePosted, 201: PersonaMessagePosted },
        },
      },
      async (req, reply) => {
        const r = await commands.speakAsPersona({ kind: 'organizer', name: 'organizer' }, req.body);
        return reply.status(r.duplicate ? 200 : 201).send(r);
      },
    );
    // Live staff see what they answer: the team's channels with each question's state and age.
    r.get(
      '/api/admin/teams/:id/channels',
      { schema: { params: Strict({ id: TeamId }), querystring: Strict({ limit: BoundedInteger({ minimum: 1, maximum: 500, default: 100 }) }), response: { 200: OrganizerChannels } } },
      async (req) => {
        const t = s.teams.get(req.params.id);
        if (!t) throw new NotFound(`no team '${req.params.id}'`);
        const all = commands.channelView(t.id, 0, Number.MAX_SAFE_INTEGER, s.gameClock.now());
        return { messages: all.slice(-req.query.limit), lastSeq: s.store.lastSeq() };
      },
    );
  });
}
