import Type, { type Static } from 'typebox';
import { Closed } from './faults.js';

/** GET /api/replay and the organizer's replay controls (only on a `firedrill replay` server). */
export const ReplayPosition = Type.Object(
  {
    played: Type.Integer(),
    total: Type.Integer(),
    /** Game time reached: the target of the last seek, else the last event played. */
    gameTime: Type.Number(),
    /** Game time of the last event of the log. */
    endsAt: Type.Number(),
    /** Game ms per wall ms while the replay plays (the clock pages show follows this, not the recorded speed). */
    speed: Type.Number(),
    paused: Type.Boolean(),
    done: Type.Boolean(),
  },
  Closed,
);
export type ReplayPosition = Static<typeof ReplayPosition>;

/** A backwards seek: answered before the server is rebuilt on the same port. */
export const ReplaySeeking = Type.Object({ ...ReplayPosition.properties, seekingTo: Type.Number() }, Closed);
