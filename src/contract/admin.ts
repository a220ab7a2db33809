import Type, { type Static } from 'typebox';
import { Member, TeamTargetRecord, type StoredEvent } from '../events/types.js';
import { ChannelMessage } from './channels.js';
import { GameBlock, Text } from './game.js';
import { Detection, FaultState } from './faults.js';

/**
 * The organizer routes (/api/admin/*). Organizers may read fault ids, titles and causes; a team's
 * token appears only in the two answers that mint one (TeamCreated, TokenRotated).
 */

const Closed = { additionalProperties: false } as const;
const Nullable = <T extends Type.TSchema>(t: T) => Type.Union([t, Type.Null()]);
const Ok = Type.Object({ ok: Type.Literal(true) }, Closed);

// ------------------------------------------------------------------ the log

/**
 * One event of the log as stored. Its `data` is the event type's payload (src/events/types.ts,
 * checked when it was appended), serialized as it is; the TypeScript type is the event union, so a
 * client narrows on `type`.
 */
export const StoredEventSchema = Type.Unsafe<StoredEvent>(
  Type.Object(
    {
      seq: Type.Integer(),
      at: Type.Number(),
      gameTime: Type.Number(),
      team: Nullable(Type.String()),
      type: Type.String(),
      source: Type.String(),
      key: Nullable(Type.String()),
      data: Type.Object({}, { additionalProperties: true }),
    },
    Closed,
  ),
);

/** GET /api/admin/events: a page of the log, `next` to continue from, and the log's last seq. */
export const EventsPage = Type.Object({ events: Type.Array(StoredEventSchema), next: Type.Integer(), lastSeq: Type.Integer() }, Closed);
export type EventsPage = Static<typeof EventsPage>;

// ------------------------------------------------------------------ teams

const TeamRef = Type.Object({ id: Type.String(), name: Type.String() }, Closed);
export const Members = Type.Array(Member);

/** POST /api/admin/teams (201): the team, its token (once: only its hash is logged) and its join link. */
export const TeamCreated = Type.Object({ team: TeamRef, token: Type.String(), joinLink: Type.String() }, Closed);
export type TeamCreated = Static<typeof TeamCreated>;

/** POST /api/admin/teams/:id/token: a fresh token (the old one stops working) and its join link. */
export const TokenRotated = Type.Object({ team: Type.Object({ id: Type.String() }, Closed), token: Type.String(), joinLink: Type.String() }, Closed);
export type TokenRotated = Static<typeof TokenRotated>;

/** PATCH /api/admin/teams/:id. */
export const TeamUpdated = Type.Object({ team: Type.Object({ id: Type.String(), name: Type.String(), members: Members }, Closed) }, Closed);
export type TeamUpdated = Static<typeof TeamUpdated>;

/** GET /api/admin/teams: every team, where its service is, and how it is reached. */
export const OrganizerTeam = Type.Object(
  { id: Type.String(), name: Type.String(), members: Members, portBase: Nullable(Type.Integer()), publicUrl: Nullable(Type.String()), target: Nullable(TeamTargetRecord) },
  Closed,
);
export const TeamList = Type.Object({ teams: Type.Array(OrganizerTeam) }, Closed);
export type TeamList = Static<typeof TeamList>;

// ------------------------------------------------------------------ the organizers' state

const Fact = Type.Object({ incident: Type.String(), at: Type.Number(), seq: Type.Integer() }, Closed);

/** One fault of one team as organizers see it: the whole lifecycle (src/game/views.ts faultForOrganizers). */
export const OrganizerFault = Type.Object(
  {
    id: Type.String(),
    title: Type.Optional(Text),
    state: FaultState,
    detection: Detection,
    attempt: Type.Integer(),
    dueAt: Nullable(Type.Number()),
    injectedAt: Nullable(Type.Number()),
    deadlineAt: Nullable(Type.Number()),
    taken: Type.Boolean(),
    detected: Nullable(Fact),
    acknowledged: Nullable(Fact),
    prematureResolves: Type.Integer(),
    recoveredAt: Nullable(Type.Number()),
    greenSince: Nullable(Type.Number()),
    relapses: Type.Integer(),
    resolvedBy: Nullable(Type.Union([Type.Literal('incident'), Type.Literal('grace'), Type.Literal('sign_off')])),
    endedAt: Nullable(Type.Number()),
    pendingRevert: Type.Boolean(),
    lastRevert: Nullable(Type.Object({ ok: Type.Boolean(), detail: Type.String() }, Closed)),
    recoveredWhen: Type.Array(Type.String()),
  },
  Closed,
);
export type OrganizerFault = Static<typeof OrganizerFault>;

/** A probe of one team: the logged state, and the live streaks (null before the first run). */
export const OrganizerProbe = Type.Object(
  { up: Type.Boolean(), since: Nullable(Type.Number()), okStreak: Nullable(Type.Integer()), failStreak: Nullable(Type.Integer()) },
  Closed,
);

/** An incident of one team, folded from incident.* events (src/lifecycle/reduce.ts IncidentView). */
export const OrganizerIncident = Type.Object(
  {
    id: Type.String(),
    fault: Nullable(Type.String()),
    via: Type.Union([Type.Literal('pagerduty'), Type.Literal('board')]),
    state: Type.Union([Type.Literal('triggered'), Type.Literal('acknowledged'), Type.Literal('resolved')]),
    triggeredAt: Type.Number(),
    acknowledgedAt: Nullable(Type.Number()),
    resolvedAt: Nullable(Type.Number()),
    lastChangeAtWall: Type.Number(),
    resolves: Type.Integer(),
    resolvedWhileRed: Type.Boolean(),
  },
  Closed,
);

export const OrganizerTeamState = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    members: Members,
    current: Nullable(Type.String()),
    faults: Type.Array(OrganizerFault),
    probes: Type.Record(Type.String(), OrganizerProbe),
    incidents: Type.Array(OrganizerIncident),
  },
  Closed,
);
export type OrganizerTeamState = Static<typeof OrganizerTeamState>;

/** GET /api/admin/state: the clock, every team's faults, probes and incidents, and how many warnings. */
export const OrganizerState = Type.Object(
  { game: Type.Object({ scenario: Type.String(), ...GameBlock.properties }, Closed), teams: Type.Array(OrganizerTeamState), warnings: Type.Integer() },
  Closed,
);
export type OrganizerState = Static<typeof OrganizerState>;

/** What organizers should look at (src/game/warnings.ts). */
export const Warning = Type.Object(
  { seq: Type.Integer(), at: Type.Number(), gameTime: Type.Number(), team: Nullable(Type.String()), code: Type.String(), message: Type.String(), fault: Nullable(Type.String()) },
  Closed,
);
export type Warning = Static<typeof Warning>;
/** GET /api/admin/warnings. */
export const Warnings = Type.Object({ warnings: Type.Array(Warning) }, Closed);
export type Warnings = Static<typeof Warnings>;

// ------------------------------------------------------------------ commands

/** POST /api/admin/game/{start,pause,resume,finish}: the clock after the command. */
export const GameCommandDone = GameBlock;
/** POST /api/admin/game/speed. */
export const SpeedSet = Type.Object({ speed: Type.Number(), gameTime: Type.Number() }, Closed);
/** POST /api/admin/teams/:id/faults/next: the fault armed now. */
export const NextFault = Type.Object({ fault: Type.String() }, Closed);
/** POST /api/admin/teams/:id/faults/:fault/extend: the new deadline (game ms). */
export const Extended = Type.Object({ deadlineAt: Type.Number() }, Closed);
/** POST /api/admin/teams/:id/faults/:fault/{revert,skip}. */
export const FaultCommandDone = Ok;
/** POST /api/admin/revert-all: what the kill switch reverted. */
export const RevertedAll = Type.Object({ reverted: Type.Array(Type.Object({ team: Type.String(), fault: Type.String() }, Closed)) }, Closed);
export type RevertedAll = Static<typeof RevertedAll>;
/** POST /api/admin/reveal. */
export const Revealed = Type.Object({ revealed: Type.Literal(true) }, Closed);

/** A channel message (src/contract/channels.ts), as the organizer who posted it sees it: with the judges' flag. */
export const PersonaMessage = Type.Object({ ...ChannelMessage.properties, flagJudges: Type.Optional(Type.Boolean()) }, Closed);
/** GET /api/admin/teams/:id/channels: what a staff member speaking as a persona sees of the team's channels (newest last). */
export const OrganizerChannels = Type.Object({ messages: Type.Array(PersonaMessage), lastSeq: Type.Integer() }, Closed);
export type OrganizerChannels = Static<typeof OrganizerChannels>;

/** POST /api/admin/messages: 201 with the message, 200 when the clientId was seen (duplicate). */
export const PersonaMessagePosted = Type.Object({ message: Type.Optional(PersonaMessage), duplicate: Type.Boolean() }, Closed);
export type PersonaMessagePosted = Static<typeof PersonaMessagePosted>;

