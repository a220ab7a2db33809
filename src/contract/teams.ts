import Type, { type Static, type TSchema } from 'typebox';
import { Categories } from './board.js';
import { Closed, Detection, FaultState, Masked, PublicCurrentFault, PublicTitle, Shown } from './faults.js';
import { BoardGameBlock } from './game.js';

/**
 * The public reads about one team (src/http/team-views.ts, the status page and reports in
 * src/http/comms.ts) and the /ws/team frames. Masked faults (src/contract/faults.ts) are objects
 * WITHOUT `additionalProperties: false` on purpose: fast-json-stringify then writes only the named
 * fields, so an id or title handed in by mistake is dropped instead of failing the answer.
 */

const TeamRef = Type.Object({ id: Type.String(), name: Type.String() }, Closed);

/** GET /api/teams. */
export const TeamsResponse = Type.Object({ teams: Type.Array(TeamRef) }, Closed);
export type TeamsResponse = Static<typeof TeamsResponse>;

const Seqs = Type.Array(Type.Integer());
const PartFields = { points: Type.Number(), max: Type.Number(), evidence: Seqs };
const Part = <P extends Record<string, TSchema>>(extra: P) => Type.Object({ ...PartFields, ...extra }, Closed);

const Explained = Type.Object({ en: Type.String(), ja: Type.String() }, Closed);
/** A persona question's share of the answer measure, and each `expects` finding ("no ETA found"). */
export const PersonaQuestion = Type.Object(
  {
    seq: Type.Integer(),
    share: Type.Number(),
    note: Explained,
    findings: Type.Optional(Type.Array(Type.Object({ element: Type.String(), found: Type.Boolean(), explanation: Explained }, Closed))),
  },
  Closed,
);
/** One roles fact of a fault (src/scoring/types.ts RoleFactScore). */
export const RoleFact = Type.Object(
  { fact: Type.Union([Type.Literal('named'), Type.Literal('commsLead'), Type.Literal('rotation')]), share: Type.Union([Type.Number(), Type.Null()]), evidence: Seqs, note: Explained },
  Closed,
);
/** One automatic communication measure (src/scoring/types.ts SubScore). */
export const SubScore = Type.Object(
  {
    share: Type.Union([Type.Number(), Type.Null()]),
    evidence: Seqs,
    note: Type.String(),
    noteJa: Type.Optional(Type.String()),
    escalations: Type.Optional(Seqs),
    questions: Type.Optional(Type.Array(PersonaQuestion)),
    /** roles: each fact (named in time, written by the Communications Lead, rotation) with its evidence. */
    roles: Type.Optional(Type.Array(RoleFact)),
  },
  Closed,
);
export const CriterionScore = Type.Object(
  { criterion: Type.String(), mean: Type.Union([Type.Number(), Type.Null()]), judges: Type.Array(Type.Object({ judge: Type.String(), score: Type.Number(), seq: Type.Integer() }, Closed)) },
  Closed,
);
const Criteria = Type.Array(CriterionScore);
const MsOrNull = Type.Union([Type.Number(), Type.Null()]);

/** A fault's score lines (src/scoring/types.ts FaultScore), without its id and title. */
export const FaultScoreFields = {
  weight: Type.Number(),
  state: FaultState,
  /** false for voided and skipped faults: they count for nothing either way (max 0). */
  counted: Type.Boolean(),
  injectedAt: MsOrNull,
  deadlineAt: MsOrNull,
  recoveredAt: MsOrNull,
  ...PartFields,
  recovery: Part({ share: Type.Number(), ttrMs: MsOrNull }),
  detection: Part({ share: Type.Number(), kind: Type.Union([Type.Literal('acknowledge'), Type.Literal('open_incident')]), state: Detection, ms: MsOrNull, premature: Type.Boolean() }),
  communication: Part({
    automatic: Part({ share: Type.Number(), firstUpdate: SubScore, cadence: SubScore, ctoAnswer: SubScore, requiredFields: SubScore, resolutionNotice: SubScore, signOff: SubScore, roles: SubScore }),
    judged: Part({ share: Type.Number(), criteria: Criteria }),
  }),
  review: Part({ share: Type.Number(), submitted: Type.Boolean(), criteria: Criteria }),
  statusUpdates: Seqs,
  postmortem: Type.Union([Type.Integer(), Type.Null()]),
};
/** A fault in a public score breakdown: a masked one has no `fault` id and no `title`. */
export const PublicFaultScore = Type.Union([Type.Object({ ...Shown, fault: Type.String(), title: PublicTitle, ...FaultScoreFields }, Closed), Type.Object({ ...Masked, ...FaultScoreFields })]);
export type PublicFaultScore = Static<typeof PublicFaultScore>;

/** A team's breakdown without its faults (src/scoring/types.ts TeamBreakdown). */
export const BreakdownFields = {
  team: Type.String(),
  total: Type.Number(),
  categories: Categories,
  availability: Part({ good: Type.Number(), total: Type.Number(), users: Type.Object({ requests: Type.Number(), bad: Type.Number() }, Closed) }),
  hints: Part({ items: Type.Array(Type.Object({ fault: Type.String(), hint: Type.String(), cost: Type.Number(), seq: Type.Integer() }, Closed)) }),
  adjustments: Part({ items: Type.Array(Type.Object({ points: Type.Number(), reason: Type.String(), seq: Type.Integer() }, Closed)) }),
};
/** A team's score breakdown with evidence, as the public and the team read it. */
export const PublicBreakdown = Type.Object({ ...BreakdownFields, faults: Type.Array(PublicFaultScore) }, Closed);
export type PublicBreakdown = Static<typeof PublicBreakdown>;

/** GET /api/teams/:id/score: the live breakdown, or the one frozen with the board. */
export const ScoreResponse = Type.Object({ team: Type.String(), frozen: Type.Boolean(), rank: Type.Integer(), score: Type.Number(), breakdown: PublicBreakdown }, Closed);
export type ScoreResponse = Static<typeof ScoreResponse>;

/** A team's standing in its own /ws/team frames (src/scoring/types.ts Standing, spoiler-free). */
export const PublicStanding = Type.Object(
  { team: Type.String(), name: Type.String(), rank: Type.Integer(), total: Type.Number(), reachedSeq: Type.Integer(), currentFault: PublicCurrentFault, breakdown: PublicBreakdown },
  Closed,
);
export type PublicStanding = Static<typeof PublicStanding>;

const At = { seq: Type.Integer(), gameTime: Type.Number() };
const FaultMoment = Type.Enum(['injected', 'detected', 'acknowledged', 'premature_resolve', 'recovered', 'relapsed', 'resolved', 'timed_out', 'skipped', 'voided', 'reverted', 'deadline_extended', 'signed_off']);
export const IncidentState = Type.Enum(['triggered', 'acknowledged', 'unacknowledged', 'resolved', 'reopened']);

/** Public, team-safe moments of a team's log: never internal messages, tokens or organizer notes. */
export const TimelineItem = Type.Union([
  Type.Object({ ...At, kind: Type.Literal('fault'), ...Shown, fault: Type.String(), title: PublicTitle, moment: FaultMoment }, Closed),
  Type.Object({ ...At, kind: Type.Literal('fault'), ...Masked, moment: FaultMoment }),
  Type.Object({ ...At, kind: Type.Literal('probe'), probe: Type.String(), state: Type.Union([Type.Literal('failed'), Type.Literal('recovered')]), status: Type.Optional(Type.Integer()), latencyMs: Type.Optional(Type.Number()) }, Closed),
  Type.Object({ ...At, kind: Type.Literal('incident'), incident: Type.String(), state: IncidentState, title: Type.Optional(Type.String()) }, Closed),
  Type.Object(
    { ...At, kind: Type.Literal('status'), text: Type.String(), impact: Type.Optional(Type.String()), currentAction: Type.Optional(Type.String()), nextUpdateAt: Type.Optional(Type.Number()), resolved: Type.Boolean() },
    Closed,
  ),
  Type.Object({ ...At, kind: Type.Literal('score'), total: Type.Number(), delta: Type.Number(), cause: Type.String(), reason: Type.Optional(Type.String()) }, Closed),
]);
export type TimelineItem = Static<typeof TimelineItem>;

/** GET /api/teams/:id/timeline. */
export const TimelineResponse = Type.Object({ team: Type.String(), items: Type.Array(TimelineItem) }, Closed);
export type TimelineResponse = Static<typeof TimelineResponse>;

/** One point of a team's score over time (one per change of its total). */
export const SeriesPoint = Type.Object({ seq: Type.Integer(), gameTime: Type.Number(), total: Type.Number() }, Closed);
export type SeriesPoint = Static<typeof SeriesPoint>;
/** GET /api/teams/:id/series. */
export const SeriesResponse = Type.Object({ team: Type.String(), points: Type.Array(SeriesPoint) }, Closed);
export type SeriesResponse = Static<typeof SeriesResponse>;

/** A published status update as the status page shows it (src/comms/commands.ts publicStatus). */
export const PublicStatusUpdate = Type.Object(
  {
    seq: Type.Integer(),
    at: Type.Number(),
    gameTime: Type.Number(),
    text: Type.String(),
    resolved: Type.Boolean(),
    impact: Type.Optional(Type.String()),
    currentAction: Type.Optional(Type.String()),
    nextUpdateAt: Type.Optional(Type.Number()),
  },
  Closed,
);
export type PublicStatusUpdate = Static<typeof PublicStatusUpdate>;
/** GET /api/teams/:id/status: the team's status page, newest first. */
export const StatusPageResponse = Type.Object({ team: TeamRef, updates: Type.Array(PublicStatusUpdate) }, Closed);
export type StatusPageResponse = Static<typeof StatusPageResponse>;

/** POST /api/teams/:id/reports (201): a spectator's problem report was recorded. */
export const ReportFiled = Type.Object({ report: Type.Object({ seq: Type.Integer(), at: Type.Number() }, Closed) }, Closed);
export type ReportFiled = Static<typeof ReportFiled>;

/** /ws/team frames: the snapshot carries the game block; updates carry it when the game phase or clock changed. */
export const TeamFrame = Type.Object(
  {
    type: Type.Union([Type.Literal('snapshot'), Type.Literal('update'), Type.Literal('event')]),
    seq: Type.Integer(),
    team: Type.Optional(PublicStanding),
    items: Type.Optional(Type.Array(TimelineItem)),
    game: Type.Optional(BoardGameBlock),
  },
  Closed,
);
export type TeamFrame = Static<typeof TeamFrame>;

