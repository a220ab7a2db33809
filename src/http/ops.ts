import type { FastifyInstance, FastifyRequest } from 'fastify';
import Type from 'typebox';
import { Compile } from 'typebox/compile';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { BadRequest, NotFound } from '../errors.js';
import { components, type Component } from '../platform/catalog.js';
import { cloneManifest, ManifestError, manifestYaml, parseManifest } from '../platform/manifest.js';
import type { Change, LocalPlatform } from '../platform/platform.js';
import type { Team } from '../game/teams.js';
import { BoundedInteger } from './numbers.js';
import { ChangeMade, Changes, Components, Logs, ManifestAnswer, Releases, RollbackMade } from '../contract/ops.js';

const Message = Type.String({ minLength: 1, maxLength: 500, description: 'the commit message shown in the change history' });
const Author = Type.String({ minLength: 1, maxLength: 100, description: 'who made the change (a member name); default: the team name' });

const PutJson = Type.Object(
  { manifest: Type.Union([Type.String({ maxLength: 64 * 1024 }), Type.Object({})]), message: Message, author: Type.Optional(Author) },
  { additionalProperties: false },
);
const putJson = Compile(PutJson);
const PutJsonCheck = (b: unknown): b is { manifest: string | object; message: string; author?: string } => putJson.Check(b);
const PutQuery = Type.Object({ message: Type.Optional(Message), author: Type.Optional(Author) }, { additionalProperties: false });
const Rollback = Type.Object(
  { component: Type.Union([Type.Literal('frontend'), Type.Literal('backend')]), version: Type.String({ minLength: 1, maxLength: 40 }), message: Type.Optional(Message), author: Type.Optional(Author) },
  { additionalProperties: false },
);

const view = (c: Change) => ({
  change: c.change,
  at: c.at,
  author: c.author,
  message: c.message,
  // Whether a change was a fault is not shown: teams find the culprit as they would at work.
  ...(c.revertOf ? { revertOf: c.revertOf } : {}),
  manifest: c.manifest,
});

/**
 * The team's ops console: component status, logs, manifest, releases, change history. Teams fix
 * their service here the way they would in production — by editing the manifest or rolling back a
 * release. There is deliberately no "fix" button.
 */
export default async function ops(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', app.requireTeam);
  // A manifest may arrive as YAML text, as it would from an editor or `curl --data-binary @file`.
  app.addContentTypeParser(['text/yaml', 'application/yaml', 'application/x-yaml'], { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, body, done) =>
    done(null, body),
  );

  const platformFor = (req: FastifyRequest): { platform: LocalPlatform; team: Team } => {
    const platform = app.services.platform;
    const team = req.team as Team;
    if (!platform?.has(team.id)) throw new NotFound('your team has no service on the embedded platform');
    return { platform, team };
  };
  const authorOf = (team: Team, given: string | undefined) => given?.trim() || team.name;

  app.get('/api/team/ops/components', { schema: { response: { 200: Components } } }, async (req) => {
    const { platform, team } = platformFor(req);
    return { components: platform.status(team.id), publicUrl: platform.publicUrl(team.id) ?? null };
  });

  app.get(
    '/api/team/ops/logs/:component',
    {
      schema: {
        params: Type.Object({ component: Type.String() }),
        querystring: Type.Object({ lines: BoundedInteger({ minimum: 1, maximum: 2000, default: 200 }) }),
        response: { 200: Logs },
      },
    },
    async (req) => {
      const { platform, team } = platformFor(req);
      const c = req.params.component as Component;
      if (!components.includes(c)) throw new NotFound(`no component '${req.params.component}' (components: ${components.join(', ')})`);
      return { component: c, lines: platform.logs(team.id, c, req.query.lines) };
    },
  );

  app.get('/api/team/ops/manifest', { schema: { response: { 200: ManifestAnswer } } }, async (req) => {
    const { platform, team } = platformFor(req);
    const m = platform.manifest(team.id);
    const last = platform.changes(team.id)[0];
    return { yaml: m ? manifestYaml(m) : '', manifest: m ?? null, change: last?.change ?? null };
  });

  app.put('/api/team/ops/manifest', { schema: { querystring: PutQuery, response: { 201: ChangeMade } } }, async (req, reply) => {
    const { platform, team } = platformFor(req);
    let raw: unknown;
    let message: string | undefined;
    let author: string | undefined;
    if (typeof req.body === 'string') {
      raw = req.body;
      message = req.query.message;
      author = req.query.author;
      if (!message) throw new BadRequest('a change needs a message: send ?message=… with a YAML body, or JSON { manifest, message }');
    } else {
      if (!PutJsonCheck(req.body)) throw new BadRequest('send JSON { "manifest": <YAML text or object>, "message": "…", "author"?: "…" } or a YAML body with ?message=…');
      raw = req.body.manifest;
      message = req.body.message;
      author = req.body.author;
    }
    let manifest;
    try {
      manifest = parseManifest(raw, platform.catalog);
    } catch (err) {
      if (err instanceof ManifestError) throw new BadRequest(`the manifest is not valid: ${err.message}`);
      throw err;
    }
    const change = await platform.change(team.id, { author: authorOf(team, author), message: message as string, manifest, source: 'team' });
    return reply.status(201).send({ change: view(change) });
  });

  app.get('/api/team/ops/releases', { schema: { response: { 200: Releases } } }, async (req) => {
    const { platform, team } = platformFor(req);
    const m = platform.manifest(team.id);
    const rel = platform.releases();
    return {
      components: (['frontend', 'backend'] as const).map((c) => ({
        component: c,
        current: m?.services[c].release ?? null,
        releases: rel[c].map((r) => ({ version: r.version, date: r.date, notes: r.notes, current: m?.services[c].release === r.version })),
      })),
    };
  });

  app.post('/api/team/ops/rollback', { schema: { body: Rollback, response: { 201: RollbackMade } } }, async (req, reply) => {
    const { platform, team } = platformFor(req);
    const { component, version } = req.body;
    if (!platform.findRelease(component, version)) throw new BadRequest(`there is no release ${version} of ${component}`);
    const change = await platform.mutate(team.id, (cur) => {
      const next = cloneManifest(cur);
      const from = next.services[component].release;
      next.services[component].release = version;
      return {
        author: authorOf(team, req.body.author),
        message: req.body.message?.trim() || `Roll ${component} back from ${from} to ${version}`,
        manifest: next,
        source: 'team',
      };
    });
    return reply.status(201).send({ change: change ? view(change) : null });
  });

  app.get('/api/team/ops/changes', { schema: { response: { 200: Changes } } }, async (req) => {
    const { platform, team } = platformFor(req);
    return { changes: platform.changes(team.id).map(view) };
  });
}
