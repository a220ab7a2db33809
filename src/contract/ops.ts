import Type, { type Static, type TSchema } from 'typebox';

const Closed = { additionalProperties: false } as const;
const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** The embedded platform's components (src/platform/catalog.ts). */
export const ComponentName = Type.Union([Type.Literal('ingress'), Type.Literal('frontend'), Type.Literal('backend'), Type.Literal('database')]);
export type ComponentName = Static<typeof ComponentName>;
/** The components a release (and a rollback) names. */
export const Versioned = Type.Union([Type.Literal('frontend'), Type.Literal('backend')]);
export type Versioned = Static<typeof Versioned>;

/** One component's process, as the ops console shows it (src/platform/platform.ts ComponentStatus). */
export const ComponentStatus = Type.Object(
  {
    name: ComponentName,
    status: Type.Union([Type.Literal('starting'), Type.Literal('running'), Type.Literal('stopped'), Type.Literal('crashed')]),
    pid: Nullable(Type.Integer()),
    /** The real loopback port. */
    port: Nullable(Type.Integer()),
    /** The logical (Service) port from the manifest. */
    servicePort: Nullable(Type.Integer()),
    release: Nullable(Type.String()),
    uptimeMs: Nullable(Type.Number()),
    restarts: Type.Integer(),
    rssKb: Nullable(Type.Number()),
    pssKb: Nullable(Type.Number()),
    lastExit: Nullable(Type.String()),
  },
  Closed,
);
export type ComponentStatus = Static<typeof ComponentStatus>;

/**
 * A team's manifest as a document (its shape is src/platform/manifest.ts ManifestSchema, checked on
 * every change; the console edits the YAML text). Serialized as is.
 */
export const ManifestDocument = Type.Record(Type.String(), Type.Unknown());
export type ManifestDocument = Static<typeof ManifestDocument>;

/** A change in the team's history. Whether it was a fault is not shown: teams find the culprit as they would at work. */
export const Change = Type.Object(
  {
    change: Type.String(),
    /** Wall time, epoch ms. */
    at: Type.Number(),
    author: Type.String(),
    message: Type.String(),
    /** The change this one reverted. */
    revertOf: Type.Optional(Type.String()),
    manifest: ManifestDocument,
  },
  Closed,
);
export type Change = Static<typeof Change>;

/** GET /api/team/ops/components. */
export const Components = Type.Object({ components: Type.Array(ComponentStatus), publicUrl: Nullable(Type.String()) }, Closed);
export type Components = Static<typeof Components>;

/** GET /api/team/ops/logs/:component: the newest lines, oldest first. */
export const Logs = Type.Object({ component: ComponentName, lines: Type.Array(Type.String()) }, Closed);
export type Logs = Static<typeof Logs>;

/** GET /api/team/ops/manifest: the manifest as YAML (the editor's text) and as a document, and the change that made it. */
export const ManifestAnswer = Type.Object({ yaml: Type.String(), manifest: Nullable(ManifestDocument), change: Nullable(Type.String()) }, Closed);
export type ManifestAnswer = Static<typeof ManifestAnswer>;

/** PUT /api/team/ops/manifest (201). */
export const ChangeMade = Type.Object({ change: Change }, Closed);
export type ChangeMade = Static<typeof ChangeMade>;

/** POST /api/team/ops/rollback (201): the change, or null when the release was already running. */
export const RollbackMade = Type.Object({ change: Nullable(Change) }, Closed);
export type RollbackMade = Static<typeof RollbackMade>;

/** GET /api/team/ops/changes: newest first. */
export const Changes = Type.Object({ changes: Type.Array(Change) }, Closed);
export type Changes = Static<typeof Changes>;

/** GET /api/team/ops/releases: each versioned component's releases, oldest first. */
export const Releases = Type.Object(
  {
    components: Type.Array(
      Type.Object(
        {
          component: Versioned,
          current: Nullable(Type.String()),
          releases: Type.Array(Type.Object({ version: Type.String(), date: Type.String(), notes: Type.String(), current: Type.Boolean() }, Closed)),
        },
        Closed,
      ),
    ),
  },
  Closed,
);
export type Releases = Static<typeof Releases>;
