import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import createError from '@fastify/error';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Clock } from '../clock.js';
import type { ChannelMessage, StatusUpdate } from '../comms/index.js';
import { BadRequest, Conflict, NotFound } from '../errors.js';
import type { Team } from '../game/teams.js';
import { BoundedInteger, BoundedNumber, MAX_SEQ } from './numbers.js';

/**
 * The communication contract: a team's channel with the CTO and stakeholders, its status page,
 * postmortems and hints; spectators' problem reports; organizers speaking as a persona.
 * Everything is an event first (message.posted, status.published, postmortem.submitted,
 * hint.taken, report.filed); reads come from the comms fold. Text is stored verbatim and only ever
 * returned as JSON text — the front end renders it as text, never HTML.
 */

const RateLimited = createError('rate_limited', '%s', 429);

const ClientId = Type.String({ minLength: 1, maxLength: 100, pattern: '^[A-Za-z0-9_.:-]+$', description: 'makes a retry idempotent' });
const Name = Type.String({ minLength: 1, maxLength: 100 });
const FaultId = Type.String({ minLength: 1, maxLength: 64 });
const TeamId = Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' });
const Channel = Type.Enum(['incident', 'stakeholders']);
const Strict = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

/** Text a person typed: stored as is, but not blank. */
function nonBlank(text: string, field = 'text'): string {
  if (!text.trim()) throw new BadRequest(`${field} must not be blank`);
  return text;
}

/** Fixed per-key budget over a sliding window, in memory (one server; resets on restart). */
export class RateLimiter {
  private readonly hits = new Map<string, number[]>();
  constructor(
    private readonly clock: Clock,
    private readonly max: number,
    private readonly windowMs: number,
  ) {}

  /** Counts a hit; returns 0 when allowed, else ms until the next hit would be. */
  hit(key: string): number {
    const now = this.clock.now();
    const since = now - this.windowMs;
    const times = (this.hits.get(key) ?? []).filter((t) => t > since);
    if (times.length >= this.max) {
      this.hits.set(key, times);
      return times[0]! + this.windowMs - now;
    }
    times.push(now);
    this.hits.set(key, times);
    if (this.hits.size > 10_000) this.prune(since);
    return 0;
  }

  private prune(since: number): void {
    for (const [k, times] of this.hits) if ((times.at(-1) ?? 0) <= since) this.hits.delete(k);
  }
}

const publicStatus = (s: StatusUpdate) => ({
  seq: s.seq,
  at: s.at,
  gameTime: s.gameTime,
  text: s.text,
  resolved: s.resolved,
  ...(s.impact !== undefined ? { impact: s.impact } : {}),
  ...(s.currentAction !== undefined ? { currentAction: s.currentAction } : {}),
  ...(s.nextUpdateAt !== undefined ? { nextUpdateAt: s.nextUpdateAt } : {}),
});

export interface CommsRouteOptions {
  /** Spectator reports per IP per minute (default 10). */
  reportsPerMinute?: number;
}

export default async function comms(fastify: FastifyInstance, opts: CommsRouteOptions = {}) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const s = app.services;
  const fold = () => s.comms.fold;
  const teamOf = (req: FastifyRequest): Team => req.team!;
  const author = (req: FastifyRequest, name: string | undefined) => ({ kind: 'team' as const, name: name ?? teamOf(req).name });
  const faultOf = (id: string) => s.scenario.faults.find((f) => f.id === id);

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
        },
      },
      async (req, reply) => {
        const team = teamOf(req);
        const b = req.body;
        nonBlank(b.text);
        if (b.replyTo !== undefined && !fold().message(team.id, b.replyTo)) throw new BadRequest(`replyTo: no message ${b.replyTo} in your channel`);
        const { event, duplicate } = await s.store.append({
          type: 'message.posted',
          team: team.id,
          source: 'team',
          key: `msg:${team.id}:${b.clientId}`,
          data: {
            channel: b.channel,
            author: author(req, b.name),
            text: b.text,
            ...(b.replyTo !== undefined ? { replyTo: b.replyTo } : {}),
          },
        });
        return reply.status(duplicate ? 200 : 201).send({ message: fold().message(team.id, event.seq), duplicate });
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
        },
      },
      async (req, reply) => {
        const team = teamOf(req);
        const b = req.body;
        nonBlank(b.text);
        // "Next update in N minutes" is promised in game time: the cadence is scored on the game clock.
        const nextUpdateAt = b.nextUpdateInMinutes !== undefined ? s.gameClock.now() + Math.round(b.nextUpdateInMinutes * 60_000) : undefined;
        const { event, duplicate } = await s.store.append({
          type: 'status.published',
          team: team.id,
          source: 'team',
          key: b.clientId ? `status:${team.id}:${b.clientId}` : null,
          data: {
            text: b.text,
            ...(b.impact?.trim() ? { impact: b.impact } : {}),
            ...(b.currentAction?.trim() ? { currentAction: b.currentAction } : {}),
            ...(nextUpdateAt !== undefined ? { nextUpdateAt } : {}),
            resolved: b.resolved ?? false,
            by: author(req, b.name),
          },
        });
        const status = fold()
          .statusUpdates(team.id, event.seq - 1, 1)
          .find((u) => u.seq === event.seq);
        return reply.status(duplicate ? 200 : 201).send({ status, duplicate });
      },
    );

    r.post(
      '/api/team/postmortems',
      { schema: { body: Strict({ fault: FaultId, text: Type.String({ minLength: 1, maxLength: 20_000 }), name: Type.Optional(Name) }) } },
      async (req, reply) => {
        const team = teamOf(req);
        const b = req.body;
        nonBlank(b.text);
        if (!faultOf(b.fault)) throw new BadRequest(`unknown fault '${b.fault}' (known: ${s.scenario.faults.map((f) => f.id).join(', ')})`);
        if (!fold().wasInjected(team.id, b.fault)) throw new Conflict(`fault '${b.fault}' has not happened to your team yet`);
        const { event } = await s.store.append({
          type: 'postmortem.submitted',
          team: team.id,
          source: 'team',
          data: { fault: b.fault, text: b.text, by: author(req, b.name) },
        });
        return reply.status(201).send({ postmortem: { seq: event.seq, fault: b.fault, at: event.at, gameTime: event.gameTime } });
      },
    );

    // Hints of the faults that have happened to this team; the text only once taken.
    r.get('/api/team/hints', async (req) => {
      const team = teamOf(req);
      const hints = s.scenario.faults
        .filter((f) => fold().wasInjected(team.id, f.id))
        .flatMap((f) =>
          f.hints.map((h) => {
            const taken = fold().hintTaken(team.id, f.id, h.id);
            return { fault: f.id, id: h.id, cost: h.cost, taken, ...(taken ? { text: h.text } : {}) };
          }),
        );
      return { hints };
    });

    r.post(
      '/api/team/hints/:fault/:hint',
      { schema: { params: Strict({ fault: FaultId, hint: Type.String({ minLength: 1, maxLength: 64 }) }) } },
      async (req, reply) => {
        const team = teamOf(req);
        const fault = faultOf(req.params.fault);
        const hint = fault?.hints.find((h) => h.id === req.params.hint);
        if (!fault || !hint) throw new NotFound(`no hint '${req.params.hint}' for fault '${req.params.fault}'`);
        // Hints exist only for what has happened: asking earlier would give the fault away.
        if (!fold().wasInjected(team.id, fault.id)) throw new Conflict(`fault '${fault.id}' has not happened to your team yet`);
        const { duplicate } = await s.store.append({
          type: 'hint.taken',
          team: team.id,
          source: 'team',
          key: `hint:${team.id}:${fault.id}:${hint.id}`,
          data: { fault: fault.id, hint: hint.id, cost: hint.cost },
        });
        return reply.status(duplicate ? 200 : 201).send({ hint: { fault: fault.id, id: hint.id, cost: hint.cost, text: hint.text }, duplicate });
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
        },
      },
      async (req) => {
        const team = teamOf(req);
        const messages: ChannelMessage[] = fold().messages(team.id, req.query.after, req.query.limit);
        const statusUpdates: StatusUpdate[] = fold().statusUpdates(team.id, req.query.after, req.query.limit);
        return { messages, statusUpdates, lastSeq: s.store.lastSeq() };
      },
    );
  });

  // --- public: the status page and spectators' reports ------------------------------------------
  await app.register(async (scope) => {
    const r = scope.withTypeProvider<TypeBoxTypeProvider>();
    const limiter = new RateLimiter(s.clock, opts.reportsPerMinute ?? 10, 60_000);
    const knownTeam = (id: string): Team => {
      const t = s.teams.get(id);
      if (!t) throw new NotFound(`no team '${id}'`);
      return t;
    };

    // Only what the team published: never its internal channel.
    r.get(
      '/api/teams/:id/status',
      { schema: { params: Strict({ id: TeamId }), querystring: Strict({ limit: BoundedInteger({ minimum: 1, maximum: 100, default: 20 }) }) } },
      async (req) => {
        const t = knownTeam(req.params.id);
        return { team: { id: t.id, name: t.name }, updates: fold().latestStatus(t.id, req.query.limit).map(publicStatus) };
      },
    );

    r.post(
      '/api/teams/:id/reports',
      {
        // Counted before validation, so a flood of bad requests is limited too.
        onRequest: async (req: FastifyRequest, reply: FastifyReply) => {
          const wait = limiter.hit(req.ip);
          if (wait > 0) {
            reply.header('retry-after', String(Math.ceil(wait / 1000)));
            throw new RateLimited('too many reports from your address: try again in a minute');
          }
        },
        schema: {
          params: Strict({ id: TeamId }),
          body: Strict({ text: Type.String({ minLength: 1, maxLength: 1000 }), name: Type.Optional(Type.String({ minLength: 1, maxLength: 60 })) }),
        },
      },
      async (req, reply) => {
        const t = knownTeam(req.params.id);
        nonBlank(req.body.text);
        const { event } = await s.store.append({
          type: 'report.filed',
          team: t.id,
          source: 'spectator',
          data: { text: req.body.text, by: { kind: 'spectator', name: req.body.name?.trim() || 'anonymous' } },
        });
        return reply.status(201).send({ report: { seq: event.seq, at: event.at } });
      },
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
            replyTo: Type.Optional(BoundedInteger({ minimum: 1, maximum: MAX_SEQ })),
            clientId: Type.Optional(ClientId),
          }),
        },
      },
      async (req, reply) => {
        const b = req.body;
        nonBlank(b.text);
        if (!s.teams.get(b.team)) throw new NotFound(`no team '${b.team}'`);
        const persona = s.scenario.personas.find((p) => p.id === b.persona);
        if (!persona) throw new BadRequest(`unknown persona '${b.persona}' (known: ${s.scenario.personas.map((p) => p.id).join(', ')})`);
        if (b.fault !== undefined && !faultOf(b.fault)) throw new BadRequest(`unknown fault '${b.fault}'`);
        if (b.replyTo !== undefined && !fold().message(b.team, b.replyTo)) throw new BadRequest(`replyTo: no message ${b.replyTo} in that team's channel`);
        const { event, duplicate } = await s.store.append({
          type: 'message.posted',
          team: b.team,
          source: 'organizer',
          key: b.clientId ? `staff:${b.team}:${b.clientId}` : null,
          data: {
            channel: b.channel,
            author: { kind: 'persona', name: persona.name.en },
            persona: persona.id,
            text: b.text,
            ...(b.fault !== undefined ? { fault: b.fault } : {}),
            ...(b.expectsAnswer !== undefined ? { expectsAnswer: b.expectsAnswer } : {}),
            ...(b.replyTo !== undefined ? { replyTo: b.replyTo } : {}),
          },
        });
        return reply.status(duplicate ? 200 : 201).send({ message: fold().message(b.team, event.seq), duplicate });
      },
    );
  });
}
