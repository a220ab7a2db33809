import Type, { type Static } from 'typebox';

const Closed = { additionalProperties: false } as const;
const Counts = {
  requests: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  slow: Type.Integer({ minimum: 0 }),
  /** failed / requests, 0..1 rounded to 0.001 (0 without requests). */
  errorRate: Type.Number({ minimum: 0, maximum: 1 }),
};

/** One game minute of a team's service as its users (spectators through /t/) met it. */
export const TrafficMinute = Type.Object({ minute: Type.Integer({ minimum: 0 }), ...Counts }, Closed);
export type TrafficMinute = Static<typeof TrafficMinute>;

/** GET /api/teams/:id/traffic: the last complete game minute (null before any), and the whole game. */
export const TrafficResponse = Type.Object({ team: Type.String(), lastMinute: Type.Union([TrafficMinute, Type.Null()]), game: Type.Object(Counts, Closed) }, Closed);
export type TrafficResponse = Static<typeof TrafficResponse>;
