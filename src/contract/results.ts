import Type, { type Static } from 'typebox';
import { Categories } from './board.js';
import { Closed, FaultState } from './faults.js';
import { Text } from './game.js';

const MsOrNull = Type.Union([Type.Number(), Type.Null()]);

/** One fault of one team in the results (src/export/results.ts FaultSummary): public once the game is finished. */
export const FaultSummary = Type.Object(
  {
    fault: Type.String(),
    index: Type.Integer(),
    title: Text,
    /** What teams and spectators read during the game. */
    symptom: Text,
    /** The organizer briefing: revealed once the game is over. */
    cause: Text,
    state: FaultState,
    injectedAt: MsOrNull,
    /** Game ms from injection; null when it never happened. */
    detectMs: MsOrNull,
    acknowledgeMs: MsOrNull,
    recoverMs: MsOrNull,
    resolvedBy: Type.Union([Type.Literal('incident'), Type.Literal('grace'), Type.Literal('sign_off'), Type.Null()]),
    points: Type.Number(),
    max: Type.Number(),
    categories: Type.Object({ recovery: Type.Number(), detection: Type.Number(), communication: Type.Number(), review: Type.Number() }, Closed),
  },
  Closed,
);
export type FaultSummary = Static<typeof FaultSummary>;

export const TeamResult = Type.Object(
  {
    rank: Type.Integer(),
    team: Type.String(),
    name: Type.String(),
    /** milli-points */
    total: Type.Number(),
    categories: Categories,
    faults: Type.Array(FaultSummary),
    adjustments: Type.Array(Type.Object({ points: Type.Number(), reason: Type.String(), seq: Type.Integer() }, Closed)),
  },
  Closed,
);
export type TeamResult = Static<typeof TeamResult>;

/** GET /api/results (409 before the finish) and the organizers' GET /api/admin/results. */
export const Results = Type.Object(
  {
    scenario: Type.String(),
    title: Text,
    finished: Type.Boolean(),
    /** Game ms of the last event. */
    gameTime: Type.Number(),
    /** The first three of the final table (ties keep the table's order). */
    podium: Type.Array(Type.Object({ rank: Type.Integer(), team: Type.String(), name: Type.String(), total: Type.Number() }, Closed)),
    teams: Type.Array(TeamResult),
  },
  Closed,
);
export type Results = Static<typeof Results>;

/** GET /api/qr.svg: the spectator page's address as an SVG image. */
export const QrSvg = Type.String({ description: 'an SVG image (image/svg+xml) of the spectator address as a QR code' });
