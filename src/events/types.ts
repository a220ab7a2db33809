import Type, { type Static, type TSchema } from 'typebox';
import { Compile } from 'typebox/compile';

/**
 * Every event firedrill knows, as one table of runtime schemas from which the TypeScript union is
 * derived. Times inside payloads are game time in milliseconds since the game started (the same
 * axis as the envelope's `gameTime`), unless the field name ends in `Wall` (epoch ms).
 */

/** The `expects` elements of src/scenario/schema.ts (events import nothing from scenario). */
const EXPECT_ELEMENTS = ['eta', 'impact', 'current_action', 'decision', 'cause', 'workaround', 'next_update'] as const;
const ExpectElement = Type.Union([
  Type.Literal(EXPECT_ELEMENTS[0]),
  Type.Literal(EXPECT_ELEMENTS[1]),
  Type.Literal(EXPECT_ELEMENTS[2]),
  Type.Literal(EXPECT_ELEMENTS[3]),
  Type.Literal(EXPECT_ELEMENTS[4]),
  Type.Literal(EXPECT_ELEMENTS[5]),
  Type.Literal(EXPECT_ELEMENTS[6]),
]);
const Id = Type.String({ minLength: 1, maxLength: 200 });
const Text = (max = 4000) => Type.String({ maxLength: max });
const Ms = Type.Integer({ minimum: 0 });
const Open = <T extends Record<string, TSchema>>(p: T) => Type.Object(p, { additionalProperties: false });

export const Actor = Open({
  kind: Type.Union([
    Type.Literal('organizer'),
    Type.Literal('team'),
    Type.Literal('persona'),
    Type.Literal('spectator'),
    Type.Literal('system'),
    Type.Literal('bot'),
  ]),
  name: Text(200),
});
export type Actor = Static<typeof Actor>;

export const Member = Open({ name: Text(100), role: Type.Optional(Text(50)) });
/** A team whose service is not embedded: where it is and which adapter breaks it (never a secret). */
export const TeamTargetRecord = Open({
  kind: Type.Union([Type.Literal('kubernetes'), Type.Literal('exec'), Type.Literal('http')]),
  publicUrl: Text(500),
  namespaces: Type.Array(Text(63), { maxItems: 10 }),
  vars: Type.Record(Type.String({ maxLength: 64 }), Text(500)),
  proxy: Type.Boolean(),
});
export const ProbeEvidence = Open({
  status: Type.Optional(Type.Integer()),
  latencyMs: Type.Optional(Type.Number({ minimum: 0 })),
  excerpt: Type.Optional(Text(500)),
  error: Type.Optional(Text(500)),
});
export type ProbeEvidence = Static<typeof ProbeEvidence>;

/** A message's place in Slack: channel id, its ts, and the thread it was written in (if any). */
export const External = Open({ slack: Open({ channel: Id, ts: Id, threadTs: Type.Optional(Id) }) });
export type External = Static<typeof External>;

export const IncidentVia = Type.Union([Type.Literal('pagerduty'), Type.Literal('board')]);

export const eventSchemas = {
  // --- the game as a whole (team = null)
  'game.created': Open({ scenario: Id, scenarioHash: Text(128), seed: Type.Integer() }),
  'game.started': Open({ by: Actor }),
  'game.paused': Open({ by: Actor }),
  'game.resumed': Open({ by: Actor }),
  'game.speed_set': Open({ speed: Type.Number({ exclusiveMinimum: 0, maximum: 1000 }), by: Actor }),
  'game.finished': Open({ by: Actor }),
  /** The organizers reveal every fault's real title and cause before the game is over (finishing reveals them too). */
  'game.revealed': Open({ by: Actor }),
  'game.board_frozen': Open({ by: Actor }),
  'game.board_unfrozen': Open({ by: Actor }),
  'game.revert_all': Open({ by: Actor, reason: Text(500) }),
  'warning.raised': Open({ code: Id, message: Text(1000), fault: Type.Optional(Id) }),

  // --- teams
  'team.created': Open({
    id: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,39}$' }),
    name: Text(80),
    members: Type.Array(Member, { maxItems: 10 }),
    tokenHash: Text(128),
    portBase: Type.Union([Type.Integer({ minimum: 0, maximum: 65535 }), Type.Null()]),
    seed: Type.Integer(),
    by: Actor,
    /** Absent = embedded (the local platform runs the service). */
    target: Type.Optional(TeamTargetRecord),
  }),
  'team.updated': Open({ name: Type.Optional(Text(80)), members: Type.Optional(Type.Array(Member, { maxItems: 10 })), by: Actor }),
  'team.token_rotated': Open({ tokenHash: Text(128), by: Actor }),

  // --- the fault sequence of one team (design.md, "Flow of one fault")
  /** `by`: set when an organizer triggered the fault by hand ("next"). */
  'fault.armed': Open({ fault: Id, dueAt: Ms, by: Type.Optional(Actor) }),
  'fault.injecting': Open({ fault: Id, attempt: Type.Integer({ minimum: 1 }), handle: Type.Unknown() }),
  'fault.injected': Open({ fault: Id, attempt: Type.Integer({ minimum: 1 }), deadlineAt: Ms }),
  'fault.injection_failed': Open({ fault: Id, attempt: Type.Integer({ minimum: 1 }), reason: Text(1000), retry: Type.Boolean() }),
  'fault.voided': Open({ fault: Id, reason: Text(1000) }),
  'fault.detected': Open({ fault: Id, incident: Id, via: IncidentVia, at: Ms }),
  'fault.acknowledged': Open({ fault: Id, incident: Id, at: Ms }),
  'fault.premature_resolve': Open({ fault: Id, incident: Id, at: Ms }),
  'fault.recovered': Open({ fault: Id, greenSince: Ms }),
  'fault.relapsed': Open({ fault: Id, probe: Id }),
  /** `sign_off`: the business side confirmed after the team's resolution notice (fault.signed_off). */
  'fault.resolved': Open({ fault: Id, by: Type.Union([Type.Literal('incident'), Type.Literal('grace'), Type.Literal('sign_off')]) }),
  /** The business side (the support persona) confirmed the fix: the team's resolution notice `notice` (a message or status update seq) while recovered. */
  'fault.signed_off': Open({ fault: Id, notice: Type.Integer({ minimum: 1 }), persona: Id }),
  'fault.timed_out': Open({ fault: Id }),
  'fault.skipped': Open({ fault: Id, by: Actor, reason: Text(500) }),
  'fault.reverted': Open({ fault: Id, by: Actor, reason: Text(500) }),
  'fault.deadline_extended': Open({ fault: Id, deadlineAt: Ms, by: Actor }),
  'fault.revert_result': Open({ fault: Id, ok: Type.Boolean(), detail: Text(1000) }),
  /** The target's answer to "is the change still in place?" before an attempt is called not taken (recorded before acting on it). */
  'fault.presence_checked': Open({ fault: Id, attempt: Type.Integer({ minimum: 1 }), inPlace: Type.Boolean(), detail: Type.Optional(Text(500)) }),

  // --- probes: transitions only, plus per-minute counts for the availability SLI
  /** `since`: game time of the first check of the streak that caused the transition (recovered: greenSince). */
  'probe.failed': Open({ probe: Id, evidence: ProbeEvidence, since: Type.Optional(Ms) }),
  'probe.recovered': Open({ probe: Id, evidence: ProbeEvidence, since: Type.Optional(Ms) }),
  'sli.minute': Open({ minute: Type.Integer({ minimum: 0 }), good: Type.Integer({ minimum: 0 }), total: Type.Integer({ minimum: 0 }) }),
  /** Spectators' requests through /t/<team>/ in one game minute (key `traffic:<team>:<minute>`): failed = 5xx, timeouts, connection errors; slow = answered (not failed) slower than scoring.availability.slow. */
  'traffic.minute': Open({ minute: Type.Integer({ minimum: 0 }), requests: Type.Integer({ minimum: 0 }), failed: Type.Integer({ minimum: 0 }), slow: Type.Integer({ minimum: 0 }) }),

  // --- alerts and incidents (PagerDuty or the built-in board)
  /**
   * An alert decision (the outbox's intent): PagerDuty sends it through the outbox; the board opens or
   * resolves its incident in the same batch. `n` counts triggers of this team+fault (a relapse re-alerts).
   */
  'alert.queued': Open({
    fault: Id,
    dedupKey: Id,
    action: Type.Union([Type.Literal('trigger'), Type.Literal('resolve')]),
    via: IncidentVia,
    n: Type.Integer({ minimum: 1 }),
    summary: Text(1024),
    severity: Type.Union([Type.Literal('critical'), Type.Literal('error'), Type.Literal('warning'), Type.Literal('info')]),
    details: Type.Optional(Type.Unknown()),
  }),
  /** One delivery attempt of an alert.queued (seq `queued`); `retryAtWall` set when another attempt follows. */
  'alert.sent': Open({
    fault: Id,
    dedupKey: Id,
    action: Type.Union([Type.Literal('trigger'), Type.Literal('resolve')]),
    ok: Type.Boolean(),
    detail: Text(500),
    queued: Type.Optional(Type.Integer({ minimum: 1 })),
    attempt: Type.Optional(Type.Integer({ minimum: 1 })),
    status: Type.Optional(Type.Integer()),
    retryAtWall: Type.Optional(Ms),
  }),
  'incident.triggered': Open({
    incident: Id,
    via: IncidentVia,
    title: Text(500),
    severity: Type.Optional(Text(20)),
    channel: Type.Optional(Text(50)),
    agent: Type.Optional(Text(200)),
    occurredAtWall: Ms,
  }),
  'incident.acknowledged': Open({ incident: Id, via: IncidentVia, agent: Type.Optional(Text(200)), occurredAtWall: Ms }),
  'incident.unacknowledged': Open({ incident: Id, via: IncidentVia, occurredAtWall: Ms }),
  'incident.resolved': Open({ incident: Id, via: IncidentVia, agent: Type.Optional(Text(200)), occurredAtWall: Ms }),
  'incident.reopened': Open({ incident: Id, via: IncidentVia, occurredAtWall: Ms }),
  'incident.annotated': Open({ incident: Id, via: IncidentVia, note: Text(4000), agent: Type.Optional(Text(200)), occurredAtWall: Ms }),
  'incident.severity_set': Open({ incident: Id, via: IncidentVia, severity: Text(20), occurredAtWall: Ms }),
  'incident.status_update_published': Open({ incident: Id, via: IncidentVia, message: Text(4000), occurredAtWall: Ms }),
  /**
   * Who holds which role on the incident (issue 15): member names, null = nobody. Each event names
   * all three (a later one replaces the earlier); `by` is who named them.
   */
  'incident.roles_set': Open({
    incident: Id,
    via: IncidentVia,
    commander: Type.Union([Text(100), Type.Null()]),
    communications: Type.Union([Text(100), Type.Null()]),
    ops: Type.Union([Text(100), Type.Null()]),
    by: Actor,
    occurredAtWall: Ms,
  }),
  'webhook.received': Open({ deliveryId: Id, eventId: Id, eventType: Text(100), body: Text(200_000) }),
  'webhook.rejected': Open({ reason: Text(500), remote: Text(100) }),

  // --- communication (contract; the channels and personas arrive with the communication issue)
  'message.posted': Open({
    channel: Type.Union([Type.Literal('incident'), Type.Literal('stakeholders'), Type.Literal('chat')]),
    author: Actor,
    persona: Type.Optional(Id),
    text: Text(4000),
    /** Scripted persona lines carry both languages: `text` is English, this is Japanese. */
    textJa: Type.Optional(Text(4000)),
    replyTo: Type.Optional(Type.Integer({ minimum: 1 })),
    /** The fault a persona line belongs to, and whether the team is scored on answering it. */
    fault: Type.Optional(Id),
    expectsAnswer: Type.Optional(Type.Boolean()),
    /** A question's expected elements and answer window (issue 15; absent = any answer, ctoAnswer.zeroAt). */
    expects: Type.Optional(Type.Array(ExpectElement, { maxItems: 7 })),
    answerWithinMs: Type.Optional(Type.Integer({ minimum: 1 })),
    /** A persona reaction (src/comms/rules/followups.ts) or a forwarded spectator report. */
    kind: Type.Optional(Type.Union([Type.Literal('followup'), Type.Literal('escalation'), Type.Literal('report')])),
    /** An escalation flags the judging queue. */
    flagJudges: Type.Optional(Type.Boolean()),
    /** Where a message written in an outside chat (Slack) lives there: the link back for threads, edits, deletions. */
    external: Type.Optional(External),
  }),
  /** A later version of a team's message written outside (Slack edit); the posted first version stays what is scored. */
  'message.edited': Open({ message: Type.Integer({ minimum: 1 }), text: Text(4000), external: Type.Optional(External) }),
  'message.deleted': Open({ message: Type.Integer({ minimum: 1 }), external: Type.Optional(External) }),
  /**
   * One delivery attempt of a message (seq `message`) to an outside chat; `external` is where it landed
   * (the ts a thread reply points at); `retryAtWall` set when another attempt follows.
   */
  'message.delivered': Open({
    message: Type.Integer({ minimum: 1 }),
    transport: Type.Literal('slack'),
    ok: Type.Boolean(),
    attempt: Type.Integer({ minimum: 1 }),
    detail: Text(500),
    status: Type.Optional(Type.Integer()),
    retryAtWall: Type.Optional(Ms),
    external: Type.Optional(External),
  }),
  /** A team channel's counterpart in an outside chat (configured, or created by firedrill). */
  'channel.linked': Open({
    channel: Type.Union([Type.Literal('incident'), Type.Literal('stakeholders')]),
    transport: Type.Literal('slack'),
    id: Id,
    name: Type.Optional(Text(100)),
    created: Type.Boolean(),
  }),
  'status.published': Open({
    text: Text(4000),
    impact: Type.Optional(Text(1000)),
    currentAction: Type.Optional(Text(1000)),
    nextUpdateAt: Type.Optional(Ms),
    resolved: Type.Boolean(),
    by: Actor,
    /** Written on the built-in board's incident (issue 15: one event for one concept). */
    incident: Type.Optional(Id),
    /** Who wrote it: the audience it is for ("customers", "internal"). */
    audience: Type.Optional(Text(200)),
  }),
  'judgement.recorded': Open({
    fault: Id,
    category: Type.Union([Type.Literal('communication'), Type.Literal('review')]),
    criterion: Id,
    score: Type.Integer({ minimum: 0, maximum: 5 }),
    judge: Text(100),
    note: Type.Optional(Text(2000)),
  }),
  /** `text` is the free-form postmortem; the review's own sections may come as separate fields. */
  'postmortem.submitted': Open({
    fault: Id,
    text: Text(20_000),
    wentWell: Type.Optional(Text(4000)),
    lucky: Type.Optional(Text(4000)),
    improve: Type.Optional(Text(4000)),
    actionItems: Type.Optional(Type.Array(Open({ text: Text(500), owner: Type.Optional(Text(100)) }), { maxItems: 20 })),
    by: Actor,
  }),
  'report.filed': Open({ text: Text(1000), by: Actor }),

  // --- scoring inputs set by people
  /** cost in whole points. */
  'hint.taken': Open({ fault: Id, hint: Id, cost: Type.Integer({ minimum: 0 }) }),
  /** Whole points (the fold works in milli-points); positive = award, negative = penalty. */
  'score.adjusted': Open({ points: Type.Integer(), reason: Type.String({ minLength: 3, maxLength: 500 }), by: Actor }),

  // --- the embedded platform: every change to a team's deployment (the change history)
  'platform.changed': Open({
    change: Id,
    author: Text(100),
    message: Text(500),
    manifest: Type.Unknown(),
    fault: Type.Optional(Id),
    revertOf: Type.Optional(Id),
    /** Also reset open connections through the service link (a rotated credential bites on reconnect). */
    dropConnections: Type.Optional(Type.Boolean()),
  }),
} as const;

export type EventSchemas = typeof eventSchemas;
export type EventType = keyof EventSchemas;
export type EventData<T extends EventType> = Static<EventSchemas[T]>;

export const eventTypes = Object.keys(eventSchemas) as EventType[];

export interface StoredEventOf<T extends EventType> {
  /** Position in the log; strictly increasing, never reused. */
  seq: number;
  /** Wall time of the append, epoch ms. */
  at: number;
  /** Game time of the append: ms since game start, scaled by speed, stopped while paused. */
  gameTime: number;
  team: string | null;
  type: T;
  /** Who wrote it: 'game', 'probe', 'organizer', 'team', 'pagerduty', 'board', 'platform', ... */
  source: string;
  key: string | null;
  data: EventData<T>;
}

export type StoredEvent = { [T in EventType]: StoredEventOf<T> }[EventType];

export interface NewEventOf<T extends EventType> {
  type: T;
  data: EventData<T>;
  team?: string | null;
  source: string;
  /** Idempotency key: a second append with the same key stores nothing and returns the first. */
  key?: string | null;
  /** Only for replaying recorded logs and fixtures; the store stamps live events itself. */
  gameTime?: number;
}

export type NewEvent = { [T in EventType]: NewEventOf<T> }[EventType];

const checkers = Object.fromEntries(eventTypes.map((t) => [t, Compile(eventSchemas[t] as TSchema)])) as Record<
  EventType,
  ReturnType<typeof Compile>
>;

export function isEventType(t: string): t is EventType {
  return Object.hasOwn(eventSchemas, t);
}

/** Returns a list of human-readable problems; empty when the event is valid. */
export function validateEvent(e: { type: string; data: unknown }): string[] {
  if (!isEventType(e.type)) return [`unknown event type '${e.type}'`];
  const c = checkers[e.type];
  if (c.Check(e.data)) return [];
  return [...c.Errors(e.data)].slice(0, 5).map((err) => `${e.type}${err.instancePath || ''}: ${err.message}`);
}

/** Narrow a stored event by type, for folds. */
export function is<T extends EventType>(e: StoredEvent, type: T): e is Extract<StoredEvent, { type: T }> {
  return e.type === type;
}
