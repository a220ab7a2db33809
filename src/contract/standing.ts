import Type, { type Static } from 'typebox';
import { Closed, Detection, FaultState } from './faults.js';
import { Text } from './game.js';
import { BreakdownFields, FaultScoreFields } from './teams.js';

const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);

/**
 * What organizers read of a team's score (src/scoring/types.ts Standing): the public breakdown's
 * fields (src/contract/teams.ts), with every fault's id and real title, never masked.
 */
export const FaultScore = Type.Object({ fault: Type.String(), index: Type.Integer(), title: Nullable(Text), ...FaultScoreFields }, Closed);

/** A team's whole breakdown (src/scoring/types.ts TeamBreakdown). */
export const TeamBreakdown = Type.Object({ ...BreakdownFields, faults: Type.Array(FaultScore) }, Closed);

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
