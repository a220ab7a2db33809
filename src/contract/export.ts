import Type, { type Static } from 'typebox';
import { Text } from './game.js';

/** The ending: the results table (src/export/results.ts) and the organizers' downloads. */

const Closed = { additionalProperties: false } as const;
const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

export const FaultSummary = Type.Object(
  {
    fault: Type.String(),
    index: Type.Integer(),
    title: Text,
    symptom: Text,
    /** The organizer briefing: published with the results once the game is over. */
    cause: Text,
    state: Type.String(),
    injectedAt: Nullable(Type.Number()),
    detectMs: Nullable(Type.Number()),
    acknowledgeMs: Nullable(Type.Number()),
    recoverMs: Nullable(Type.Number()),
    resolvedBy: Nullable(Type.Union([Type.Literal('incident'), Type.Literal('grace')])),
    points: Type.Number(),
    max: Type.Number(),
    categories: Type.Object({ recovery: Type.Number(), detection: Type.Number(), communication: Type.Number(), review: Type.Number() }, Closed),
  },
  Closed,
);

export const TeamResult = Type.Object(
  {
    rank: Type.Integer(),
    team: Type.String(),
    name: Type.String(),
    total: Type.Number(),
    categories: Type.Record(Type.String(), Type.Number()),
    faults: Type.Array(FaultSummary),
    adjustments: Type.Array(Type.Object({ points: Type.Number(), reason: Type.String(), seq: Type.Integer() }, Closed)),
  },
  Closed,
);

/** GET /api/admin/results (any time) and GET /api/results (once finished): the final table, milli-points. */
export const Results = Type.Object(
  {
    scenario: Type.String(),
    title: Text,
    finished: Type.Boolean(),
    gameTime: Type.Number(),
    podium: Type.Array(Type.Object({ rank: Type.Integer(), team: Type.String(), name: Type.String(), total: Type.Number() }, Closed)),
    teams: Type.Array(TeamResult),
  },
  Closed,
);
export type Results = Static<typeof Results>;

/** A download that is not JSON: declared by content type, so OpenAPI lists it. */
const file = (type: string, description: string) => ({ description, content: { [type]: { schema: Type.String() } } });
export const ResultsJsonFile = file('application/json', 'results.json (attachment): the results, pretty-printed');
export const ResultsCsvFile = file('text/csv', 'results.csv (attachment): one row per team, points');
export const EventsJsonlFile = file('application/x-ndjson', 'events.jsonl (attachment): the whole log, one event per line');
export const RetroFile = file('text/markdown', '<team>.md (attachment): the retrospective pack, en or ja');
