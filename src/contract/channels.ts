import Type, { type Static } from 'typebox';
import { Text } from './game.js';

const Closed = { additionalProperties: false } as const;

/** Who did something (src/events/types.ts Actor). */
export const Actor = Type.Object(
  {
    kind: Type.Union([Type.Literal('organizer'), Type.Literal('team'), Type.Literal('persona'), Type.Literal('spectator'), Type.Literal('system'), Type.Literal('bot')]),
    name: Type.String(),
  },
  Closed,
);
export type Actor = Static<typeof Actor>;

/** What a good answer to a question contains (src/scenario/schema.ts `expects`). */
export const ExpectElement = Type.Union([
  Type.Literal('eta'),
  Type.Literal('impact'),
  Type.Literal('current_action'),
  Type.Literal('decision'),
  Type.Literal('cause'),
  Type.Literal('workaround'),
  Type.Literal('next_update'),
]);
export type ExpectElement = Static<typeof ExpectElement>;

/** A persona question's thread as the team sees it (src/comms/fold.ts QuestionView). */
export const Question = Type.Object(
  {
    state: Type.Union([Type.Literal('open'), Type.Literal('answered'), Type.Literal('unanswered'), Type.Literal('late')]),
    /** Game ms at which an unanswered question counts as unanswered. */
    closesAt: Type.Number(),
    /** seq of the message that answered it. */
    answer: Type.Optional(Type.Integer()),
    findings: Type.Optional(Type.Array(Type.Object({ element: ExpectElement, found: Type.Boolean(), explanation: Text }, Closed))),
    /** The last attempt without substance, or ok for the answer. */
    substance: Type.Optional(Type.Object({ ok: Type.Boolean(), reason: Type.Optional(Text) }, Closed)),
  },
  Closed,
);
export type Question = Static<typeof Question>;

/**
 * A line in a team's channel (src/comms/fold.ts ChannelMessage, as CommsCommands.channelView
 * gives it). The judges' escalation flag is not part of the team's view.
 */
export const ChannelMessage = Type.Object(
  {
    seq: Type.Integer(),
    /** Wall time, epoch ms. */
    at: Type.Number(),
    gameTime: Type.Number(),
    channel: Type.Union([Type.Literal('incident'), Type.Literal('stakeholders'), Type.Literal('chat')]),
    author: Actor,
    /** The scenario persona's id, for a persona's line. */
    persona: Type.Optional(Type.String()),
    /** The persona's name in both languages (the viewer's language picks). */
    personaName: Type.Optional(Text),
    text: Type.String(),
    /** Scripted persona lines come in Japanese too. */
    textJa: Type.Optional(Type.String()),
    /** seq of the message this one answers. */
    replyTo: Type.Optional(Type.Integer()),
    fault: Type.Optional(Type.String()),
    expectsAnswer: Type.Optional(Type.Boolean()),
    expects: Type.Optional(Type.Array(ExpectElement)),
    answerWithinMs: Type.Optional(Type.Number()),
    kind: Type.Optional(Type.Union([Type.Literal('followup'), Type.Literal('escalation'), Type.Literal('report')])),
    question: Type.Optional(Question),
  },
  Closed,
);
export type ChannelMessage = Static<typeof ChannelMessage>;

/** A status update as the team's own views show it (with its author; the public page drops it). */
export const StatusUpdate = Type.Object(
  {
    seq: Type.Integer(),
    at: Type.Number(),
    gameTime: Type.Number(),
    text: Type.String(),
    impact: Type.Optional(Type.String()),
    currentAction: Type.Optional(Type.String()),
    /** Game ms by which the team promised the next update. */
    nextUpdateAt: Type.Optional(Type.Number()),
    resolved: Type.Boolean(),
    by: Actor,
  },
  Closed,
);
export type StatusUpdate = Static<typeof StatusUpdate>;

/** POST /api/team/messages (201 posted, 200 a retry of the same clientId). */
export const MessagePosted = Type.Object({ message: Type.Optional(ChannelMessage), duplicate: Type.Boolean() }, Closed);
export type MessagePosted = Static<typeof MessagePosted>;

/** POST /api/team/status (201 published, 200 a retry of the same clientId). */
export const StatusPublished = Type.Object({ status: Type.Optional(StatusUpdate), duplicate: Type.Boolean() }, Closed);
export type StatusPublished = Static<typeof StatusPublished>;

/** GET /api/team/channels: the team's messages and status updates after `after`. */
export const Channels = Type.Object({ messages: Type.Array(ChannelMessage), statusUpdates: Type.Array(StatusUpdate), lastSeq: Type.Integer() }, Closed);
export type Channels = Static<typeof Channels>;
