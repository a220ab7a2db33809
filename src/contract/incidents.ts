import Type, { type Static, type TSchema } from 'typebox';
import { IncidentRolesView } from './roles.js';

const Closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** PagerDuty's words for an incident's state. */
export const IncidentStatus = Type.Union([Type.Literal('triggered'), Type.Literal('acknowledged'), Type.Literal('resolved')]);
export type IncidentStatus = Static<typeof IncidentStatus>;

/** Where incidents live: PagerDuty (the board is read-only) or the built-in board. */
export const IncidentMode = Type.Union([Type.Literal('pagerduty'), Type.Literal('board')]);
export type IncidentMode = Static<typeof IncidentMode>;

/**
 * The fields of an incident as every client sees it (src/http/incidents.ts incidentView). Wall
 * times are epoch ms, `openedGameTime` game ms. Extend here: a field the view adds and this
 * object does not name is dropped from every answer.
 */
export const IncidentFields = {
  id: Type.String(),
  team: Type.String(),
  via: IncidentMode,
  title: Type.String(),
  severity: Nullable(Type.String()),
  /** How it was opened: `alert`, `web_trigger` (by hand), or PagerDuty's channel type. */
  channel: Nullable(Type.String()),
  agent: Nullable(Type.String()),
  status: IncidentStatus,
  openedAtWall: Type.Number(),
  openedGameTime: Type.Number(),
  acknowledgedAtWall: Nullable(Type.Number()),
  acknowledgedBy: Nullable(Type.String()),
  resolvedAtWall: Nullable(Type.Number()),
  resolvedBy: Nullable(Type.String()),
  notes: Type.Array(Type.Object({ text: Type.String(), agent: Nullable(Type.String()), atWall: Type.Number() }, Closed)),
  statusUpdates: Type.Array(Type.Object({ message: Type.String(), atWall: Type.Number() }, Closed)),
  /** Incident Commander, Communications Lead, Ops Lead (issue 15); null before any are named. */
  roles: Nullable(IncidentRolesView),
};
export const Incident = Type.Object(IncidentFields, Closed);
export type Incident = Static<typeof Incident>;

/** GET /api/team/incidents. */
export const TeamIncidents = Type.Object({ mode: IncidentMode, incidents: Type.Array(Incident) }, Closed);
export type TeamIncidents = Static<typeof TeamIncidents>;

/** Every incident route that changes one answers it as it is now. */
export const IncidentAnswer = Type.Object({ incident: Incident }, Closed);
export type IncidentAnswer = Static<typeof IncidentAnswer>;

/** An alert waiting in the PagerDuty outbox. */
export const PendingAlert = Type.Object(
  {
    seq: Type.Integer(),
    team: Type.String(),
    fault: Type.String(),
    action: Type.Union([Type.Literal('trigger'), Type.Literal('resolve')]),
    attempts: Type.Integer(),
    /** Wall ms of the next attempt; 0 = as soon as possible. */
    nextAtWall: Type.Number(),
  },
  Closed,
);
export type PendingAlert = Static<typeof PendingAlert>;

/** GET /api/admin/incidents: every team's incidents and the outbox. */
export const OrganizerIncidents = Type.Object({ mode: IncidentMode, incidents: Type.Array(Incident), alerts: Type.Array(PendingAlert) }, Closed);
export type OrganizerIncidents = Static<typeof OrganizerIncidents>;
