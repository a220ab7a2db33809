import Type, { type Static } from 'typebox';
import { Text } from './game.js';
import { Board } from './board.js';
import { FaultState } from './faults.js';
import { CriterionScore, PersonaQuestion, RoleFact } from './teams.js';

/** The organizers' side of scoring: the judging queue, judgements, adjustments, the freeze, the live board. */

const Closed = { additionalProperties: false } as const;
const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** POST /api/admin/judgements and /api/admin/adjustments (201): the seq of the event recorded. */
export const Recorded = Type.Object({ seq: Type.Integer() }, Closed);
export type Recorded = Static<typeof Recorded>;

/** POST /api/admin/board/{freeze,unfreeze}: whether the public board is frozen now. */
export const FreezeState = Type.Object({ frozen: Type.Boolean() }, Closed);

export const RubricCriterion = Type.Object({ id: Type.String(), title: Text, description: Type.Optional(Text) }, Closed);
export type RubricCriterion = Static<typeof RubricCriterion>;

/** A status update or postmortem to judge, by seq (its text is missing if the log lost it). */
export const JudgedText = Type.Object(
  {
    seq: Type.Integer(),
    text: Type.Optional(Type.String()),
    impact: Type.Optional(Type.String()),
    currentAction: Type.Optional(Type.String()),
    resolved: Type.Optional(Type.Boolean()),
    gameTime: Type.Optional(Type.Number()),
  },
  Closed,
);
export type JudgedText = Static<typeof JudgedText>;

/** A criterion with what each judge scored, and the judge's note. */
export const JudgedCriterion = Type.Object(
  {
    ...CriterionScore.properties,
    judges: Type.Array(Type.Object({ judge: Type.String(), score: Type.Number(), seq: Type.Integer(), note: Nullable(Type.String()) }, Closed)),
  },
  Closed,
);
export type JudgedCriterion = Static<typeof JudgedCriterion>;

const Category = Type.Union([Type.Literal('communication'), Type.Literal('review')]);

/** One team and fault of the judging queue (src/judging/service.ts queue). */
export const JudgingItem = Type.Object(
  {
    team: Type.String(),
    teamName: Type.String(),
    fault: Type.String(),
    title: Nullable(Text),
    state: FaultState,
    statusUpdates: Type.Array(JudgedText),
    postmortem: Nullable(JudgedText),
    communication: Type.Object({ criteria: Type.Array(JudgedCriterion), missing: Type.Array(Type.String()) }, Closed),
    /** Each persona question's automatic finding ("no ETA found"). */
    answers: Type.Array(PersonaQuestion),
    /** A persona escalated (an unanswered question): the judges should look. */
    flagged: Type.Boolean(),
    escalations: Type.Array(Type.Integer()),
    review: Type.Object({ criteria: Type.Array(JudgedCriterion), missing: Type.Array(Type.String()) }, Closed),
    waiting: Type.Array(Category),
    /** Issue 15: the roles facts (named in time, by the Communications Lead, rotation); null when roles are not scored. */
    roles: Nullable(Type.Object({ share: Type.Number(), facts: Type.Array(RoleFact) }, Closed)),
  },
  Closed,
);

/** GET /api/admin/judging: the scenario's rubric and what waits for the judges. */
export const JudgingQueue = Type.Object(
  { rubric: Type.Object({ communication: Type.Array(RubricCriterion), review: Type.Array(RubricCriterion) }, Closed), items: Type.Array(JudgingItem) },
  Closed,
);
export type JudgingQueue = Static<typeof JudgingQueue>;
export type JudgingItem = Static<typeof JudgingItem>;

/** GET /api/admin/leaderboard: the organizers' live board, never frozen (the same shape as the public board). */
export const OrganizerBoard = Board;
export type OrganizerBoard = Static<typeof OrganizerBoard>;
