import Type, { type Static } from 'typebox';
import { Text } from './game.js';

const Closed = { additionalProperties: false } as const;
const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);
// Points are numbers, not integers: fast-json-stringify would round a fraction silently.
const Seqs = Type.Array(Type.Integer());

export const FaultState = Type.Union(
  ['pending', 'armed', 'injecting', 'injected', 'recovered', 'resolved', 'timed_out', 'skipped', 'reverted', 'voided'].map((s) => Type.Literal(s)) as [
    Type.TLiteral<'pending'>,
    Type.TLiteral<'armed'>,
    Type.TLiteral<'injecting'>,
    Type.TLiteral<'injected'>,
    Type.TLiteral<'recovered'>,
    Type.TLiteral<'resolved'>,
    Type.TLiteral<'timed_out'>,
    Type.TLiteral<'skipped'>,
    Type.TLiteral<'reverted'>,
    Type.TLiteral<'voided'>,
  ],
);
export type FaultState = Static<typeof FaultState>;
export const Detection = Type.Union([Type.Literal('none'), Type.Literal('detected'), Type.Literal('acknowledged')]);
export type Detection = Static<typeof Detection>;

/** milli-points earned of possible, with the seqs of the events behind them (src/scoring/types.ts Part). */
const PartFields = { points: Type.Number(), max: Type.Number(), evidence: Seqs };
const Bilingual = Type.Object({ en: Type.String(), ja: Type.String() }, Closed);

/** A persona question's share of the answer measure, and each `expects` finding ("no ETA found"). */
export const PersonaQuestion = Type.Object(
  {
    seq: Type.Integer(),
    share: Type.Number(),
    note: Bilingual,
    findings: Type.Optional(Type.Array(Type.Object({ element: Type.String(), found: Type.Boolean(), explanation: Bilingual }, Closed))),
  },
  Closed,
);

/** One automatic communication measure (src/scoring/types.ts SubScore). */
export const SubScore = Type.Object(
  {
    share: Nullable(Type.Number()),
    evidence: Seqs,
    note: Type.String(),
    noteJa: Type.Optional(Type.String()),
    escalations: Type.Optional(Seqs),
    questions: Type.Optional(Type.Array(PersonaQuestion)),
  },
  Closed,
);

export const CriterionScore = Type.Object(
  { criterion: Type.String(), mean: Nullable(Type.Number()), judges: Type.Array(Type.Object({ judge: Type.String(), score: Type.Number(), seq: Type.Integer() }, Closed)) },
  Closed,
);

/** One fault of a team's breakdown, with every number's evidence (src/scoring/types.ts FaultScore). */
export const FaultScore = Type.Object(
  {
    fault: Type.String(),
    index: Type.Integer(),
    title: Nullable(Text),
    weight: Type.Number(),
    state: FaultState,
    counted: Type.Boolean(),
    injectedAt: Nullable(Type.Number()),
    deadlineAt: Nullable(Type.Number()),
    recoveredAt: Nullable(Type.Number()),
    points: Type.Number(),
    max: Type.Number(),
    evidence: Seqs,
    recovery: Type.Object({ ...PartFields, share: Type.Number(), ttrMs: Nullable(Type.Number()) }, Closed),
    detection: Type.Object(
      {
        ...PartFields,
        share: Type.Number(),
        kind: Type.Union([Type.Literal('acknowledge'), Type.Literal('open_incident')]),
        state: Detection,
        ms: Nullable(Type.Number()),
        premature: Type.Boolean(),
      },
      Closed,
    ),
    communication: Type.Object(
      {
        ...PartFields,
        automatic: Type.Object(
          { ...PartFields, share: Type.Number(), firstUpdate: SubScore, cadence: SubScore, ctoAnswer: SubScore, requiredFields: SubScore, resolutionNotice: SubScore },
          Closed,
        ),
        judged: Type.Object({ ...PartFields, share: Type.Number(), criteria: Type.Array(CriterionScore) }, Closed),
      },
      Closed,
    ),
    review: Type.Object({ ...PartFields, share: Type.Number(), submitted: Type.Boolean(), criteria: Type.Array(CriterionScore) }, Closed),
    statusUpdates: Seqs,
    postmortem: Nullable(Type.Integer()),
  },
  Closed,
);

export const Categories = Type.Object(
  {
    recovery: Type.Number(),
    detection: Type.Number(),
    communication: Type.Number(),
    review: Type.Number(),
    availability: Type.Number(),
    hints: Type.Number(),
    adjustments: Type.Number(),
  },
  Closed,
);

/** A team's whole breakdown (src/scoring/types.ts TeamBreakdown). */
export const TeamBreakdown = Type.Object(
  {
    team: Type.String(),
    total: Type.Number(),
    categories: Categories,
    faults: Type.Array(FaultScore),
    availability: Type.Object({ ...PartFields, good: Type.Number(), total: Type.Number(), users: Type.Object({ requests: Type.Number(), bad: Type.Number() }, Closed) }, Closed),
    hints: Type.Object({ ...PartFields, items: Type.Array(Type.Object({ fault: Type.String(), hint: Type.String(), cost: Type.Number(), seq: Type.Integer() }, Closed)) }, Closed),
    adjustments: Type.Object({ ...PartFields, items: Type.Array(Type.Object({ points: Type.Number(), reason: Type.String(), seq: Type.Integer() }, Closed)) }, Closed),
  },
  Closed,
);

export const CurrentFault = Type.Object(
  { id: Type.String(), index: Type.Integer(), title: Nullable(Text), state: FaultState, detection: Detection, injectedAt: Nullable(Type.Number()) },
  Closed,
);

/** A team's live standing (src/scoring/types.ts Standing): GET /api/admin/teams/:id/score. */
export const Standing = Type.Object(
  {
    team: Type.String(),
    name: Type.String(),
    rank: Type.Integer(),
    total: Type.Number(),
    reachedSeq: Type.Integer(),
    currentFault: Nullable(CurrentFault),
    breakdown: TeamBreakdown,
  },
  Closed,
);
export type Standing = Static<typeof Standing>;
