import Type, { type Static } from 'typebox';
import { Text, TeamGameBlock } from './game.js';

const Closed = { additionalProperties: false } as const;

/** A fault's lifecycle state (src/lifecycle/fault.ts FaultState). */
export const FaultState = Type.Union([
  Type.Literal('pending'),
  Type.Literal('armed'),
  Type.Literal('injecting'),
  Type.Literal('injected'),
  Type.Literal('recovered'),
  Type.Literal('resolved'),
  Type.Literal('timed_out'),
  Type.Literal('skipped'),
  Type.Literal('reverted'),
  Type.Literal('voided'),
]);
export type FaultState = Static<typeof FaultState>;

/** The detection track, independent of recovery (src/lifecycle/fault.ts Detection). */
export const Detection = Type.Union([Type.Literal('none'), Type.Literal('detected'), Type.Literal('acknowledged')]);
export type Detection = Static<typeof Detection>;

/** A team member as the organizer entered them. */
export const Member = Type.Object({ name: Type.String(), role: Type.Optional(Type.String()) }, Closed);
export type Member = Static<typeof Member>;

/**
 * What a team sees of a fault that has happened to it. `title` is the fault's public symptom until
 * the faults are revealed (another team may still face it): the shape has no field for the cause,
 * the organizer briefing or the recovery probes, so none can leak (issue 16).
 */
const TeamFaultFields = {
  id: Type.String(),
  /** The symptom title until `game.revealed`, then the fault's real title. */
  title: Type.Optional(Text),
  state: FaultState,
  detection: Detection,
  /** Game ms the fault's change landed for this team. */
  injectedAt: Type.Union([Type.Number(), Type.Null()]),
};

/** The fault the team is facing now, with the team briefing (`null` when the scenario has none). */
export const TeamCurrentFault = Type.Object(
  { ...TeamFaultFields, deadlineAt: Type.Union([Type.Number(), Type.Null()]), briefing: Type.Union([Text, Type.Null()]) },
  Closed,
);
export type TeamCurrentFault = Static<typeof TeamCurrentFault>;

/** A fault that has happened to the team (any state), in the order they came. */
export const TeamPlayedFault = Type.Object({ ...TeamFaultFields, endedAt: Type.Union([Type.Number(), Type.Null()]) }, Closed);
export type TeamPlayedFault = Static<typeof TeamPlayedFault>;

/** A hint of a fault that has happened to the team; its text only once taken (taking it costs `cost` points). */
export const Hint = Type.Object({ fault: Type.String(), id: Type.String(), cost: Type.Number(), taken: Type.Boolean(), text: Type.Optional(Text) }, Closed);
export type Hint = Static<typeof Hint>;

/** One of the team's own probes: what its monitoring sees now. */
export const TeamProbe = Type.Object(
  {
    id: Type.String(),
    kind: Type.Union([Type.Literal('http'), Type.Literal('tcp'), Type.Literal('canary'), Type.Literal('browser')]),
    up: Type.Boolean(),
    /** Game ms since which the probe has been in this state; null before its first change. */
    since: Type.Union([Type.Number(), Type.Null()]),
  },
  Closed,
);
export type TeamProbe = Static<typeof TeamProbe>;

/** GET /api/team: the war room's own state (src/game/views.ts teamState). */
export const TeamState = Type.Object(
  {
    game: TeamGameBlock,
    team: Type.Object({ id: Type.String(), name: Type.String(), members: Type.Array(Member) }, Closed),
    fault: Type.Union([TeamCurrentFault, Type.Null()]),
    faults: Type.Array(TeamPlayedFault),
    hints: Type.Array(Hint),
    probes: Type.Array(TeamProbe),
  },
  Closed,
);
export type TeamState = Static<typeof TeamState>;

/** GET /api/team/hints. */
export const Hints = Type.Object({ hints: Type.Array(Hint) }, Closed);
export type Hints = Static<typeof Hints>;

/** POST /api/team/hints/:fault/:hint (201 taken, 200 taken before: no second cost). */
export const HintTaken = Type.Object(
  { hint: Type.Object({ fault: Type.String(), id: Type.String(), cost: Type.Number(), text: Text }, Closed), duplicate: Type.Boolean() },
  Closed,
);
export type HintTaken = Static<typeof HintTaken>;

/** POST /api/team/postmortems (201). */
export const PostmortemSubmitted = Type.Object(
  { postmortem: Type.Object({ seq: Type.Integer(), fault: Type.String(), at: Type.Number(), gameTime: Type.Number() }, Closed) },
  Closed,
);
export type PostmortemSubmitted = Static<typeof PostmortemSubmitted>;
