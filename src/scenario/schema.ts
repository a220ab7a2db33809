import Type, { type Static, type TSchema } from 'typebox';

/**
 * The scenario file (challenges/<name>/scenario.yaml) as TypeBox types. The JSON Schema published
 * for editors (challenges/scenario.schema.json) is generated from `ScenarioFile`.
 * Durations are written as "90s", "5m", "1h" (or "250ms"); load.ts normalizes them to ms.
 */

const Obj = <T extends Record<string, TSchema>>(p: T, description?: string) =>
  Type.Object(p, { additionalProperties: false, ...(description ? { description } : {}) });

export const Duration = Type.String({ pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m|h)$', description: 'a duration such as 250ms, 30s, 5m, 1h' });
export const Id = Type.String({ pattern: '^[a-z0-9][a-z0-9_-]{0,63}$', description: 'a lower-case id: letters, digits, - and _' });
/** Text shown to people, in English and Japanese. */
export const Text = Obj({ en: Type.String({ minLength: 1 }), ja: Type.String({ minLength: 1 }) }, 'text in English and Japanese');
const Range = Obj({ fullWithin: Duration, zeroAt: Duration }, 'full points up to fullWithin, linearly down to zero at zeroAt');

const UrlPath = Type.String({ pattern: '^/', description: 'a path starting with /' });

export const HttpExpect = Obj({
  status: Type.Optional(
    Type.Array(
      Type.Union([
        Type.Integer({ minimum: 100, maximum: 599 }),
        Type.String({ pattern: '^[1-5][0-9]{2}-[1-5][0-9]{2}$', description: 'a status code or a range such as 200-299' }),
      ]),
      {
        minItems: 1,
        description: 'accepted status codes or inclusive ranges such as "200-299" (default: 200-299)',
      },
    ),
  ),
  bodyMatches: Type.Optional(Type.String({ description: 'regular expression the body must match' })),
  bodyNotMatches: Type.Optional(Type.String({ description: 'regular expression the body must not match' })),
  json: Type.Optional(
    Type.Array(
      Obj({
        path: Type.String({ description: 'dot path into the JSON body, e.g. status or items.0.text' }),
        equals: Type.Optional(Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()])),
        exists: Type.Optional(Type.Boolean()),
      }),
    ),
  ),
  maxLatency: Type.Optional(Duration),
});

const ProbeTiming = {
  interval: Type.Optional(Duration),
  timeout: Type.Optional(Duration),
  jitter: Type.Optional(Duration),
  successThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  failureThreshold: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
  holdFor: Type.Optional(Duration),
};

export const Probe = Type.Union([
  Obj({
    id: Id,
    kind: Type.Literal('http'),
    /** Path on the team's public URL (the ingress), e.g. "/" or "/api/health". */
    path: UrlPath,
    method: Type.Optional(Type.Union(['GET', 'POST', 'PUT', 'DELETE', 'HEAD'].map((m) => Type.Literal(m)))),
    headers: Type.Optional(Type.Record(Type.String(), Type.String())),
    body: Type.Optional(Type.String()),
    expect: HttpExpect,
    ...ProbeTiming,
  }),
  Obj({ id: Id, kind: Type.Literal('tcp'), /** which of the team's endpoints */ endpoint: Type.Optional(Type.String()), ...ProbeTiming }),
  Obj({
    id: Id,
    kind: Type.Literal('canary'),
    /** POSTed as JSON {room, name, text, clientId}. */
    writePath: UrlPath,
    /** GET; must return the written message's text byte for byte. */
    readPath: UrlPath,
    room: Type.String({ minLength: 1, description: 'a hidden room, so spectators never see canaries' }),
    text: Type.String({ minLength: 1, description: 'message text; {n} is replaced by a unique number' }),
    ...ProbeTiming,
  }),
  Obj(
    {
      id: Id,
      kind: Type.Literal('browser'),
      /** Loaded in a headless Chromium shared by all teams (one page per team). */
      path: UrlPath,
      waitFor: Type.String({ minLength: 1, description: 'CSS selector that is visible once the app has rendered' }),
      within: Type.Optional(Type.String({ minLength: 1, description: 'CSS selector whose rendered text is checked (default: body)' })),
      expect: Obj({
        textIncludes: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'each must appear in the rendered text byte for byte' })),
        textNotMatches: Type.Optional(Type.String({ description: 'regular expression the rendered text must not match, e.g. mojibake such as "Ã|â€|æ—"' })),
      }),
      ...ProbeTiming,
    },
    'the page as a browser renders it (client-side garbling that http and canary probes miss); interval at least 15 s wall, timeout 15 s unless set',
  ),
]);

/** What a fault changes, per target adapter. Faults are data: a change to the deployment, never code. */
export const LocalAction = Type.Union([
  Obj(
    {
      change: Obj({
        author: Type.String({ minLength: 1 }),
        message: Type.String({ minLength: 1, description: 'the commit message shown in the change history' }),
        set: Type.Record(Type.String(), Type.Unknown(), { description: 'manifest dot paths and the values to set' }),
        /** Also drop pooled connections (a rotated credential bites only when connections are re-made). */
        dropConnections: Type.Optional(Type.Boolean()),
      }),
    },
    'a manifest change, applied like a deploy',
  ),
  Obj(
    {
      rollout: Obj({
        component: Type.Union([Type.Literal('frontend'), Type.Literal('backend')]),
        version: Type.String({ minLength: 1 }),
        author: Type.String({ minLength: 1 }),
        message: Type.String({ minLength: 1 }),
      }),
    },
    'roll out a release',
  ),
]);

/** Text where {{team}}, {{fault}}, {{namespace}}, {{publicUrl}}, {{vars.NAME}} (and, for http/exec, {{secret.NAME}}) are filled in per team. */
const Template = (description: string) => Type.String({ minLength: 1, description: `${description}; {{team}}, {{namespace}}, {{vars.NAME}} … are filled in per team` });
const K8sName = Type.String({ pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253, description: 'a Kubernetes object name' });
const K8sNamespace = Type.Optional(Template("the object's namespace (default: the team's first allowed namespace)"));

/**
 * One change to a team's cluster. Every change is recorded field by field in the handle, so revert is
 * a compare-and-swap and a team's own fix is kept.
 */
export const KubernetesChange = Type.Union([
  Obj(
    {
      action: Type.Literal('ingress'),
      name: K8sName,
      namespace: K8sNamespace,
      rule: Type.Optional(Type.Integer({ minimum: 0, description: 'index into spec.rules (default 0)' })),
      path: Type.Optional(Type.Integer({ minimum: 0, description: 'index into the rule\'s http.paths (default 0)' })),
      set: Obj(
        {
          path: Type.Optional(UrlPath),
          serviceName: Type.Optional(K8sName),
          servicePort: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 65535 }), Type.String({ minLength: 1, maxLength: 15, description: 'a port name' })])),
          host: Type.Optional(Type.String({ minLength: 1 })),
          className: Type.Optional(Type.String({ minLength: 1, description: 'spec.ingressClassName' })),
        },
        'the fields of the Ingress to change',
      ),
    },
    "patch an Ingress's path, backend service, port, host or class",
  ),
  Obj(
    {
      action: Type.Literal('networkPolicy'),
      name: K8sName,
      namespace: K8sNamespace,
      spec: Type.Record(Type.String(), Type.Unknown(), { description: 'a NetworkPolicy spec (podSelector, policyTypes, ingress, egress)' }),
    },
    'create a NetworkPolicy (revert deletes it if it is still the one created)',
  ),
  Obj({ action: Type.Literal('deleteNetworkPolicy'), name: K8sName, namespace: K8sNamespace }, 'delete a NetworkPolicy (revert recreates it if still absent)'),
  Obj(
    {
      action: Type.Literal('secret'),
      name: K8sName,
      namespace: K8sNamespace,
      set: Type.Record(Type.String({ pattern: '^[-._a-zA-Z0-9]+$' }), Type.String(), { description: 'keys of the Secret and their new (plain text) values' }),
    },
    'change keys of a Secret',
  ),
  Obj(
    {
      action: Type.Literal('image'),
      deployment: K8sName,
      namespace: K8sNamespace,
      container: Type.Optional(Type.String({ minLength: 1, description: 'the container (default: the only one)' })),
      image: Type.String({ minLength: 1, description: 'the image to roll out, e.g. ghcr.io/acme/chat-backend:1.5.0' }),
    },
    "set a Deployment container's image (a release)",
  ),
  Obj({ action: Type.Literal('scale'), deployment: K8sName, namespace: K8sNamespace, replicas: Type.Integer({ minimum: 0, maximum: 1000 }) }, 'scale a Deployment'),
]);

const Argv = Type.Array(Type.String(), { minItems: 1, description: 'program and arguments, run without a shell; each is templated' });
export const ExecCommand = Obj(
  {
    command: Type.Optional(Argv),
    shell: Type.Optional(Type.String({ minLength: 1, description: 'a /bin/sh script (only when you need a shell); team values come in as environment variables' })),
    timeout: Type.Optional(Duration),
    cwd: Type.Optional(Type.String({ minLength: 1, description: 'working directory, relative to the scenario' })),
    env: Type.Optional(Type.Record(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]*$' }), Type.String(), { description: 'extra environment variables (templated)' })),
  },
  'a command: exactly one of command (argv) or shell',
);

export const HttpCall = Obj(
  {
    method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST'), Type.Literal('PUT'), Type.Literal('PATCH'), Type.Literal('DELETE')])),
    url: Template('the URL (http or https)'),
    headers: Type.Optional(Type.Record(Type.String(), Type.String(), { description: 'headers (templated); {{secret.NAME}} takes a secret from the config' })),
    body: Type.Optional(Type.String({ description: 'the request body (templated)' })),
    expect: Type.Optional(
      Type.Array(Type.Union([Type.Integer({ minimum: 100, maximum: 599 }), Type.String({ pattern: '^[1-5][0-9]{2}-[1-5][0-9]{2}$', description: 'a status code or a range such as 200-299' })]), {
        minItems: 1,
        description: 'accepted status codes (default: 200-299)',
      }),
    ),
    timeout: Type.Optional(Duration),
  },
  'an HTTP call (a webhook)',
);

export const FaultActions = Obj({
  local: Type.Optional(LocalAction),
  kubernetes: Type.Optional(Type.Array(KubernetesChange, { minItems: 1, description: 'changes to the team\'s cluster, applied in order' })),
  exec: Type.Optional(Obj({ inject: ExecCommand, revert: ExecCommand, check: Type.Optional(ExecCommand) }, 'commands: inject, revert, and check (exit 0 while the fault holds)')),
  http: Type.Optional(Obj({ inject: HttpCall, revert: HttpCall, check: Type.Optional(HttpCall) }, 'webhook calls: inject, revert, and check (an expected status while the fault holds)')),
});

/** Elements a good answer may contain (issue 15); the detection rules live in src/comms/rules/expects.ts. */
export const EXPECT_ELEMENTS = ['eta', 'impact', 'current_action', 'decision', 'cause', 'workaround', 'next_update'] as const;
export type ExpectElement = (typeof EXPECT_ELEMENTS)[number];
export const ExpectElement = Type.Union(EXPECT_ELEMENTS.map((e) => Type.Literal(e)), { description: EXPECT_ELEMENTS.join(' | ') });

export const PersonaLine = Obj({
  persona: Id,
  /** When the line is posted, relative to a moment of the fault. */
  on: Type.Union(['injected', 'detected', 'acknowledged', 'recovered', 'resolved', 'no_update'].map((m) => Type.Literal(m))),
  after: Type.Optional(Duration),
  channel: Type.Optional(Type.Union([Type.Literal('incident'), Type.Literal('stakeholders')])),
  text: Text,
  /** The team is scored on how fast it answers this line. */
  expectsAnswer: Type.Optional(Type.Boolean()),
  /** What a good answer contains (detected by the rules in src/comms/rules, docs/communication.md); makes the line a question. */
  expects: Type.Optional(Type.Array(ExpectElement, { minItems: 1, description: 'what a good answer to this question contains' })),
  /** Past this window an unanswered question scores zero and the persona escalates (default: scoring.communication.ctoAnswer.zeroAt). */
  answerWithin: Type.Optional(Duration),
  followUps: Type.Optional(
    Obj(
      {
        max: Type.Optional(Type.Integer({ minimum: 0, maximum: 5, description: 'at most this many follow-ups (default 1 when the line expects something)' })),
        lines: Type.Optional(
          Type.Array(
            Obj({ text: Text, missing: Type.Optional(ExpectElement) }, 'a follow-up; with `missing`, used only when the answer lacks that element'),
            { minItems: 1 },
          ),
        ),
      },
      'the persona asks again when an answer lacks an expected element',
    ),
  ),
  /** Said when the question goes unanswered past answerWithin (judges are flagged). */
  escalation: Type.Optional(Text),
});

export const Hint = Obj({ id: Id, text: Text, cost: Type.Integer({ minimum: 0, description: 'points (not milli-points) taken off' }) });

/** Checks `firedrill doctor --team` can run: the lesson of a fault (src/doctor/checks.ts implements them). */
export const FAULT_CHECKS = ['ingress-routes-have-endpoints', 'backend-credentials-match', 'release-not-bad'] as const;
const CheckId = Type.Union(FAULT_CHECKS.map((c) => Type.Literal(c)), { description: FAULT_CHECKS.join(' | ') });
export const FaultCheck = Type.Union([
  CheckId,
  Obj(
    {
      id: CheckId,
      component: Type.Optional(Type.String({ minLength: 1, description: 'release-not-bad: the component (default: every one)' })),
      bad: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { minItems: 1, description: 'release-not-bad: versions or images marked bad' })),
    },
    'a check with its settings',
  ),
]);

export const Fault = Obj({
  id: Id,
  title: Text,
  /** What teams and spectators read while the fault may still be ahead of any team: the symptom, never the cause. */
  symptom: Type.Optional(Text),
  briefing: Obj({ team: Type.Optional(Text), organizer: Text }),
  weight: Type.Optional(Type.Number({ minimum: 0, maximum: 10 })),
  alerting: Type.Union([Type.Literal('pagerduty'), Type.Literal('silent')], {
    description: 'pagerduty: an alert fires when probes fail past alertAfter; silent: teams must open an incident themselves',
  }),
  alertAfter: Type.Optional(Duration),
  timing: Obj({
    delay: Obj({ min: Duration, max: Duration }, 'random start delay after the previous fault is resolved'),
    deadline: Duration,
    targetRecovery: Type.Optional(Duration),
    grace: Type.Optional(Duration),
    verifyWithin: Type.Optional(Duration),
  }),
  inject: FaultActions,
  /** Probe ids that must all be green (past threshold and holdFor) for the fault to count as recovered. */
  recoveredWhen: Type.Array(Id, { minItems: 1 }),
  /** The check that would have caught this fault before it bit (`firedrill doctor --team`). */
  check: Type.Optional(FaultCheck),
  hints: Type.Optional(Type.Array(Hint)),
  personas: Type.Optional(Type.Array(PersonaLine)),
});

export const Persona = Obj({
  id: Id,
  name: Text,
  role: Text,
  /** How a staff member should play it live. */
  style: Type.Optional(Text),
});

export const RubricItem = Obj({ id: Id, title: Text, description: Type.Optional(Text) });

/** Every field is optional: what is left out keeps the default (design.md, "Scoring"). */
const Share = (description?: string) => Type.Number({ minimum: 0, maximum: 1, ...(description ? { description } : {}) });
const OptRange = Type.Optional(Range);
export const Scoring = Obj({
  pointsPerFault: Type.Optional(Type.Integer({ minimum: 1, description: 'points for a perfect fault of weight 1 (default 1000)' })),
  categories: Type.Optional(
    Obj(
      {
        recovery: Type.Optional(Type.Number({ minimum: 0 })),
        detection: Type.Optional(Type.Number({ minimum: 0 })),
        communication: Type.Optional(Type.Number({ minimum: 0 })),
        review: Type.Optional(Type.Number({ minimum: 0 })),
      },
      'relative weights of the four categories (default 35/15/30/20)',
    ),
  ),
  recovery: Type.Optional(Obj({ floor: Type.Optional(Share('share left at the deadline (default 0.3)')) })),
  detection: Type.Optional(
    Obj({
      alerting: OptRange,
      silent: OptRange,
      prematureResolvePenalty: Type.Optional(Share('share of detection lost for resolving while probes are red (default 0.5)')),
    }),
  ),
  communication: Type.Optional(
    Obj({
      automaticShare: Type.Optional(Share('share of communication scored automatically (default 0.55)')),
      firstUpdate: OptRange,
      ctoAnswer: OptRange,
      cadenceTolerance: Type.Optional(Duration),
      requiredFields: Type.Optional(Type.Array(Type.Union([Type.Literal('impact'), Type.Literal('currentAction'), Type.Literal('nextUpdateAt')]))),
      rubric: Type.Optional(Type.Array(RubricItem, { minItems: 1 })),
      weights: Type.Optional(
        Obj(
          {
            firstUpdate: Type.Optional(Type.Number({ minimum: 0 })),
            cadence: Type.Optional(Type.Number({ minimum: 0 })),
            ctoAnswer: Type.Optional(Type.Number({ minimum: 0 })),
            requiredFields: Type.Optional(Type.Number({ minimum: 0 })),
            resolutionNotice: Type.Optional(Type.Number({ minimum: 0 })),
            signOff: Type.Optional(Type.Number({ minimum: 0 })),
          },
          'relative weights of the automatic communication measures (default 1 each)',
        ),
      ),
    }),
  ),
  review: Type.Optional(Obj({ rubric: Type.Optional(Type.Array(RubricItem, { minItems: 1 })) })),
  roles: Type.Optional(
    Obj(
      {
        within: Type.Optional(Duration),
        rotation: Type.Optional(Type.Boolean({ description: 'nobody holds the same role twice before every member has held it (default false)' })),
        weight: Type.Optional(Type.Number({ minimum: 0, description: 'weight of the roles measure among the automatic communication measures, each of which weighs 1 (default 1; 0 turns it off)' })),
        weights: Type.Optional(
          Obj(
            { named: Type.Optional(Type.Number({ minimum: 0 })), commsLead: Type.Optional(Type.Number({ minimum: 0 })), rotation: Type.Optional(Type.Number({ minimum: 0 })) },
            'relative weights of the three roles facts (default 1 each)',
          ),
        ),
      },
      'Incident Commander, Communications Lead and Ops Lead (issue 15; docs/scoring.md, "Roles"): named within `within` of detection (default 5m), stakeholder updates and answers by the Communications Lead, rotation',
    ),
  ),
  availability: Type.Optional(
    Obj({
      points: Type.Optional(Type.Integer({ minimum: 0, description: 'points for 100% availability over the game (default 500)' })),
      userWeight: Type.Optional(Share('share of availability measured by spectators\' requests through /t/ (default 0.5; the rest by probes)')),
      slow: Type.Optional(Duration),
    }),
  ),
});

export const ScenarioFile = Obj({
  $schema: Type.Optional(Type.String()),
  name: Id,
  title: Text,
  description: Text,
  service: Obj({ description: Text, platform: Type.Optional(Type.String({ description: 'a manifest file, relative to the scenario' })) }),
  game: Type.Optional(
    Obj({
      duration: Type.Optional(Duration),
      grace: Type.Optional(Duration),
      verifyWithin: Type.Optional(Duration),
      maxInjectAttempts: Type.Optional(Type.Integer({ minimum: 1, maximum: 5 })),
      signOff: Type.Optional(
        Type.Boolean({ description: 'after recovery the customer-support persona confirms once the team has sent a resolution notice to #stakeholders; that resolves the fault (default true; false: an incident resolve does)' }),
      ),
      signOffPersona: Type.Optional(Type.String({ minLength: 1, description: 'the persona who signs off (default: the customer-support persona)' })),
      autoResolveAlerts: Type.Optional(Type.Boolean({ description: 'alert incidents resolve themselves when the fault recovers (default false: the team resolves them)' })),
    }),
  ),
  probeDefaults: Type.Optional(Obj(ProbeTiming)),
  probes: Type.Array(Probe, { minItems: 1, description: 'health probes run against every team all game long' }),
  personas: Type.Array(Persona),
  faults: Type.Array(Fault, { minItems: 1 }),
  scoring: Type.Optional(Scoring),
});

export type ScenarioFile = Static<typeof ScenarioFile>;
export type ProbeFile = Static<typeof Probe>;
export type LocalAction = Static<typeof LocalAction>;
export type FaultActions = Static<typeof FaultActions>;
export type KubernetesChange = Static<typeof KubernetesChange>;
export type ExecCommand = Static<typeof ExecCommand>;
export type HttpCall = Static<typeof HttpCall>;
export type TextT = Static<typeof Text>;
