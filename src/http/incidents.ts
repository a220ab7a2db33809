import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import { BadRequest, Conflict } from '../errors.js';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Incident } from '../incidents/fold.js';
import { IncidentAnswer, OrganizerIncidents, TeamIncidents } from '../contract/incidents.js';
import { RolesSet, SetRolesBody } from '../contract/roles.js';

/** Text a person typed: at least one visible character. */
const Typed = (max: number) => Type.String({ minLength: 1, maxLength: max, pattern: '\\S' });
const Severity = Type.Union([Type.Literal('SEV1'), Type.Literal('SEV2'), Type.Literal('SEV3'), Type.Literal('SEV4')]);
const Params = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$' }) });
const Who = Type.Object({ name: Type.Optional(Typed(100)) }, { additionalProperties: false });
const checkWho = Compile(Who);
const Strict = { additionalProperties: false } as const;

/** What a client sees of an incident (wall times in epoch ms; `openedGameTime` in game ms). */
export function incidentView(i: Incident) {
  return {
    id: i.id,
    team: i.team,
    via: i.via,
    title: i.title,
    severity: i.severity ?? null,
    channel: i.channel ?? null,
    agent: i.agent ?? null,
    status: i.status,
    openedAtWall: i.openedAtWall,
    openedGameTime: i.openedGameTime,
    acknowledgedAtWall: i.acknowledgedAtWall ?? null,
    acknowledgedBy: i.acknowledgedBy ?? null,
    resolvedAtWall: i.resolvedAtWall ?? null,
    resolvedBy: i.resolvedBy ?? null,
    notes: i.notes.map((n) => ({ text: n.text, agent: n.agent ?? null, atWall: n.atWall })),
    statusUpdates: i.statusUpdates.map((u) => ({ message: u.message, atWall: u.atWall })),
    roles: rolesView(i),
  };
}

/** The incident's roles (src/contract/roles.ts IncidentRolesView), null before any are named. */
const rolesView = (i: Incident) => (i.roles ? { commander: i.roles.commander, communications: i.roles.communications, ops: i.roles.ops, setBy: i.roles.setBy, setAtWall: i.roles.setAtWall } : null);

/**
 * The built-in incident board (team token) and the organizers' view of every team's incidents.
 * With PagerDuty configured the board is read-only here: changes answer 409 (use PagerDuty).
 */
export default async function incidents(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const svc = () => {
    if (!app.services.incidents) throw new Error('incidents service not wired (createRuntime sets it)');
    return app.services.incidents;
  };
  const team = { onRequest: app.requireTeam };
  const teamId = (req: { team?: { id: string } }) => req.team!.id;

  app.get('/api/team/incidents', { ...team, schema: { response: { 200: TeamIncidents } } }, async (req) => ({ mode: svc().mode, incidents: svc().list(teamId(req)).map(incidentView) }));

  app.post(
    '/api/team/incidents',
    { ...team, schema: { body: Type.Object({ title: Typed(200), severity: Type.Optional(Severity), name: Typed(100) }, Strict), response: { 201: IncidentAnswer } } },
    async (req, reply) => {
      const b = req.body;
      if (app.services.gameClock.phase === 'finished') throw new Conflict('the game is finished: incidents can no longer be opened');
      const inc = await svc().open(teamId(req), { title: b.title.trim(), name: b.name.trim(), ...(b.severity ? { severity: b.severity } : {}) });
      return reply.status(201).send({ incident: incidentView(inc) });
    },
  );

  const action = (path: string, run: (team: string, id: string, name?: string) => Promise<Incident>) =>
    // The body is optional ({ name }), which a route body schema cannot say: checked here.
    app.post(`/api/team/incidents/:id/${path}`, { ...team, schema: { params: Params, response: { 200: IncidentAnswer } } }, async (req) => {
      const body = req.body ?? {};
      if (!checkWho.Check(body)) throw new BadRequest('body: expected nothing or { "name": "<your name>" }');
      return { incident: incidentView(await run(teamId(req), req.params.id, body.name?.trim())) };
    });
  action('acknowledge', (t, id, name) => svc().acknowledge(t, id, name));
  action('resolve', (t, id, name) => svc().resolve(t, id, name));
  action('reopen', (t, id) => svc().reopen(t, id));

  app.post(
    '/api/team/incidents/:id/notes',
    { ...team, schema: { params: Params, body: Type.Object({ text: Typed(4000), name: Type.Optional(Typed(100)) }, Strict), response: { 201: IncidentAnswer } } },
    async (req, reply) => {
      const inc = await svc().annotate(teamId(req), req.params.id, req.body.text, req.body.name?.trim());
      return reply.status(201).send({ incident: incidentView(inc) });
    },
  );

  app.post(
    '/api/team/incidents/:id/severity',
    { ...team, schema: { params: Params, body: Type.Object({ severity: Severity }, Strict), response: { 200: IncidentAnswer } } },
    async (req) => ({ incident: incidentView(await svc().setSeverity(teamId(req), req.params.id, req.body.severity)) }),
  );

  app.post(
    '/api/team/incidents/:id/status-updates',
    { ...team, schema: { params: Params, body: Type.Object({ message: Typed(4000), resolved: Type.Optional(Type.Boolean()), name: Type.Optional(Typed(100)) }, Strict), response: { 201: IncidentAnswer } } },
    async (req, reply) => {
      // A status update (issue 15: one concept): appended as status.published, linked to the incident.
      const inc = await svc().publishStatusUpdate(teamId(req), req.params.id, req.body.message, { resolved: req.body.resolved ?? false, ...(req.body.name ? { name: req.body.name.trim() } : {}) });
      return reply.status(201).send({ incident: incidentView(inc) });
    },
  );

  // Issue 15: name the incident's roles from the team's members (400 for anyone else).
  app.post(
    '/api/team/incidents/:id/roles',
    { ...team, schema: { params: Params, body: SetRolesBody, response: { 200: RolesSet } } },
    async (req) => {
      const { name, ...roles } = req.body;
      const inc = await svc().setRoles(teamId(req), req.params.id, roles, { kind: 'team', name: name?.trim() || req.team!.name });
      return { incident: inc.id, roles: rolesView(inc)! };
    },
  );

  app.get('/api/admin/incidents', { onRequest: app.requireOrganizer, schema: { response: { 200: OrganizerIncidents } } }, async () => ({
    mode: svc().mode,
    incidents: svc().all().map(incidentView),
    alerts: svc().alerts.pending().map((q) => ({ seq: q.seq, team: q.team, fault: q.data.fault, action: q.data.action, attempts: q.attempts, nextAtWall: q.nextAtWall })),
  }));
}
