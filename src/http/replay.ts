import type { FastifyInstance } from 'fastify';
import Type from 'typebox';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ReplayPosition, ReplaySeeking } from '../contract/replay.js';
import { BoundedNumber } from './numbers.js';

const Strict = { additionalProperties: false } as const;

/** What the replay routes drive (src/replay-server.ts owns the Replayer and the server it plays onto). */
export interface ReplayControl {
  position(): ReplayPosition;
  pause(): void;
  resume(): void;
  setSpeed(speed: number): void;
  /** `restarting`: a seek backwards rebuilds the server, so the answer goes out before it starts. */
  seek(gameTime: number): { restarting: boolean; done: Promise<void> };
}

/**
 * `firedrill replay`: where the replay is (`GET /api/replay`, for every page's replay banner) and the
 * organizer's pause, resume, speed and seek. Registered only on a replay server.
 */
export default async function replayRoutes(fastify: FastifyInstance, opts: { control: ReplayControl }) {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  const { control } = opts;
  const organizer = { onRequest: app.requireOrganizer };
  const Empty = Type.Union([Type.Object({}, Strict), Type.Null()]);

  app.get('/api/replay', { schema: { response: { 200: ReplayPosition } } }, async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    return control.position();
  });
  app.post('/api/admin/replay/pause', { ...organizer, schema: { body: Empty, response: { 200: ReplayPosition } } }, async () => {
    control.pause();
    return control.position();
  });
  app.post('/api/admin/replay/resume', { ...organizer, schema: { body: Empty, response: { 200: ReplayPosition } } }, async () => {
    control.resume();
    return control.position();
  });
  app.post('/api/admin/replay/speed', { ...organizer, schema: { body: Type.Object({ speed: BoundedNumber({ exclusiveMinimum: 0, maximum: 10_000 }) }, Strict), response: { 200: ReplayPosition } } }, async (req) => {
    control.setSpeed(req.body.speed);
    return control.position();
  });
  app.post('/api/admin/replay/seek', { ...organizer, schema: { body: Type.Object({ gameTime: BoundedNumber({ minimum: 0, maximum: 10 * 24 * 3_600_000 }) }, Strict), response: { 200: ReplayPosition, 202: ReplaySeeking } } }, async (req, reply) => {
    const s = control.seek(req.body.gameTime);
    // Backwards, this server is about to be closed and a fresh one opened on the same port.
    if (s.restarting) {
      s.done.catch(() => {});
      return reply.status(202).send({ ...control.position(), seekingTo: req.body.gameTime });
    }
    await s.done;
    return control.position();
  });
}
