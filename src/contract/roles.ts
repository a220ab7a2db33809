import Type, { type Static } from 'typebox';

const Closed = { additionalProperties: false } as const;

/** A member's name as a person picks it (the war room's member picker); null = nobody. */
const Holder = Type.Union([Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }), Type.Null()]);

/**
 * POST /api/team/incidents/:id/roles: who holds which role (issue 15). A role left out is nobody's;
 * `name` is who is at the keyboard (recorded as `by`, the team's name when absent).
 */
export const SetRolesBody = Type.Object(
  {
    commander: Type.Optional(Holder),
    communications: Type.Optional(Holder),
    ops: Type.Optional(Holder),
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' })),
  },
  Closed,
);
export type SetRolesBody = Static<typeof SetRolesBody>;

/** An incident's roles as every incident answer carries them (`roles`, null before any are named). */
export const IncidentRolesView = Type.Object(
  {
    commander: Type.Union([Type.String(), Type.Null()]),
    communications: Type.Union([Type.String(), Type.Null()]),
    ops: Type.Union([Type.String(), Type.Null()]),
    /** Who named them, and when (epoch ms). */
    setBy: Type.String(),
    setAtWall: Type.Number(),
  },
  Closed,
);
export type IncidentRolesView = Static<typeof IncidentRolesView>;

/** The answer of POST /api/team/incidents/:id/roles. */
export const RolesSet = Type.Object({ incident: Type.String(), roles: IncidentRolesView }, Closed);
export type RolesSet = Static<typeof RolesSet>;
