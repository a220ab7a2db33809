import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { Results as ResultsSchema } from '../contract/results.js';
import { Conflict, NotFound } from '../errors.js';
import type { Actor } from '../events/types.js';
import { eventsJsonl, results, resultsCsv, type Results } from '../export/results.js';
import { retrospective } from '../export/retro.js';
import type { Static } from 'typebox';
import { EventsJsonlFile, ResultsCsvFile, ResultsJsonFile, RetroFile } from '../contract/export.js';
import { Revealed } from '../contract/admin.js';
import type { Mirrors, Same } from '../contract/mirror.js';

// The answer names every field of what it serializes (a field the schema lacks would be dropped).
export type ResultsMirrors = Mirrors<Same<Static<typeof ResultsSchema>, Results>>;


const Strict = { additionalProperties: false } as const;

/**
 * The ending: the results (public once the game is finished, organizers any time), the organizers'
 * downloads (results JSON/CSV, the whole log as JSON Lines, each team's retrospective pack), and the
 * organizers' early reveal of every fault's real title and cause (`game.revealed`).
 */
export default async function resultsRoutes(fastify: FastifyInstance) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { store } = app.services;

  // Built from the whole log once per change of the log (a finished game: once), not per request.
  let cached: { seq: number; r: Results } | undefined;
  const current = async (): Promise<Results> => {
    const seq = store.lastSeq();
    if (cached?.seq !== seq) cached = { seq, r: results(app.services.scenario, await store.read()) };
    return cached.r;
  };
  const finished = () => app.services.gameClock.phase === 'finished';
  const attachment = (reply: FastifyReply, name: string, type: string) => reply.header('content-disposition', `attachment; filename="${name}"`).header('cache-control', 'no-store').type(type);

  app.get('/api/results', { schema: { response: { 200: ResultsSchema } } }, async (_req, reply) => {
    if (!finished()) throw new Conflict('the results are published when the game is finished');
    reply.header('cache-control', 'no-cache');
    return await current();
  });

  const organizer = { onRequest: app.requireOrganizer };
  app.get('/api/admin/results', { ...organizer, schema: { response: { 200: ResultsSchema } } }, async () => await current());
  app.get('/api/admin/export/results.json', { ...organizer, schema: { response: { 200: ResultsJsonFile } } }, async (_req, reply) => attachment(reply, 'results.json', 'application/json; charset=utf-8').send(JSON.stringify(await current(), null, 2) + '\n'));
  app.get('/api/admin/export/results.csv', { ...organizer, schema: { response: { 200: ResultsCsvFile } } }, async (_req, reply) => attachment(reply, 'results.csv', 'text/csv; charset=utf-8').send(resultsCsv(await current())));
  app.get('/api/admin/export/events.jsonl', { ...organizer, schema: { response: { 200: EventsJsonlFile } } }, async (_req, reply) => attachment(reply, 'events.jsonl', 'application/x-ndjson; charset=utf-8').send(eventsJsonl(await store.read())));
  app.get(
    '/api/admin/export/retro/:file',
    { ...organizer, schema: { params: Type.Object({ file: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}\\.md$', description: '<team>.md' }) }, Strict), querystring: Type.Object({ lang: Type.Optional(Type.Union([Type.Literal('en'), Type.Literal('ja')])) }, Strict), response: { 200: RetroFile } } },
    async (req, reply) => {
      const team = req.params.file.slice(0, -'.md'.length);
      if (!app.services.teams.get(team)) throw new NotFound(`no team '${team}'`);
      const lang = req.query.lang ?? 'en';
      const md = retrospective(app.services.scenario, await store.read(), await current(), team, lang);
      return attachment(reply, `${team}${lang === 'en' ? '' : `.${lang}`}.md`, 'text/markdown; charset=utf-8').send(md);
    },
  );

  app.post(
    '/api/admin/reveal',
    { ...organizer, schema: { body: Type.Optional(Type.Union([Type.Object({ by: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })) }, Strict), Type.Null()])), response: { 200: Revealed } } },
    async (req: FastifyRequest) => {
      const body = req.body as { by?: string } | null | undefined;
      const header = req.headers['x-organizer-name'];
      const by: Actor = { kind: 'organizer', name: (body?.by ?? (typeof header === 'string' ? header : undefined) ?? 'organizer').trim().slice(0, 100) || 'organizer' };
      // Once per game (the key): a second reveal, or one after the finish, changes nothing.
      if (finished() || (await store.read({ types: ['game.revealed'], limit: 1 })).length) return { revealed: true as const };
      await store.append({ type: 'game.revealed', source: 'organizer', key: 'game.revealed', data: { by } });
      return { revealed: true as const };
    },
  );
}
