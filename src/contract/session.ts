import Type, { type Static } from 'typebox';

const Closed = { additionalProperties: false } as const;
const TeamRef = Type.Object({ id: Type.String(), name: Type.String() }, Closed);

/** POST /api/session: who the token is. */
export const SessionCreated = Type.Union([
  Type.Object({ role: Type.Literal('organizer') }, Closed),
  Type.Object({ role: Type.Literal('team'), team: TeamRef }, Closed),
]);
export type SessionCreated = Static<typeof SessionCreated>;

/** GET /api/session: what the browser's cookies say. */
export const Session = Type.Object({ organizer: Type.Boolean(), team: Type.Union([TeamRef, Type.Null()]) }, Closed);
export type Session = Static<typeof Session>;

/** DELETE /api/session. */
export const SessionEnded = Type.Object({ ok: Type.Literal(true) }, Closed);
