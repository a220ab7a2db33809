import type { ExpectElement, FAULT_CHECKS, FaultActions, TextT } from './schema.js';

/**
 * The scenario after load.ts has validated it, filled defaults and turned every duration into ms.
 * This is what the rest of firedrill reads; scoring imports these types only.
 */
export type { ExecCommand, ExpectElement, FaultActions, HttpCall, KubernetesChange, LocalAction, TextT as Text } from './schema.js';

export interface ProbeTiming {
  intervalMs: number; // wall time, with a floor
  timeoutMs: number; // wall time
  jitterMs: number; // wall time
  successThreshold: number;
  failureThreshold: number;
  holdForMs: number; // game time
}

export interface HttpExpect {
  status: Array<number | [number, number]>; // default [[200, 299]]
  bodyMatches?: string;
  bodyNotMatches?: string;
  json?: Array<{ path: string; equals?: string | number | boolean | null; exists?: boolean }>;
  maxLatencyMs?: number;
}

export type Probe = ProbeTiming &
  (
    | { id: string; kind: 'http'; path: string; method: string; headers: Record<string, string>; body?: string; expect: HttpExpect }
    | { id: string; kind: 'tcp'; endpoint: string }
    | { id: string; kind: 'canary'; writePath: string; readPath: string; room: string; text: string }
    | { id: string; kind: 'browser'; path: string; waitFor: string; within?: string; expect: { textIncludes: string[]; textNotMatches?: string } }
  );

export interface PersonaLine {
  persona: string;
  on: 'injected' | 'detected' | 'acknowledged' | 'recovered' | 'resolved' | 'no_update';
  afterMs: number;
  channel: 'incident' | 'stakeholders';
  text: TextT;
  /** True for a question: also when `expects` is given. */
  expectsAnswer: boolean;
  /** What a good answer contains; [] = any answer with substance. */
  expects: ExpectElement[];
  /** Game ms after the line within which an answer counts (default: ctoAnswer.zeroAtMs). */
  answerWithinMs: number;
  /** max 0 = never follows up; lines [] = the default line for the missing element. */
  followUps: { max: number; lines: Array<{ text: TextT; missing?: ExpectElement }> };
  /** Absent = the default escalation line (src/comms/rules/followups.ts). */
  escalation?: TextT;
}

export interface FaultCheck {
  id: (typeof FAULT_CHECKS)[number];
  component?: string;
  bad?: string[];
}

export interface Fault {
  id: string;
  index: number;
  title: TextT;
  /** The public title while the fault may still be ahead of a team (default: a generic one). */
  symptom: TextT;
  briefing: { team?: TextT; organizer: TextT };
  weight: number;
  alerting: 'pagerduty' | 'silent';
  alertAfterMs: number;
  timing: {
    delayMinMs: number;
    delayMaxMs: number;
    deadlineMs: number; // after injection
    targetRecoveryMs: number;
    graceMs: number; // after recovery, resolved without an incident resolve
    verifyWithinMs: number;
  };
  inject: FaultActions;
  recoveredWhen: string[];
  /** The check that would have caught this fault (`firedrill doctor --team`), with its settings. */
  check?: FaultCheck;
  hints: Array<{ id: string; text: TextT; cost: number }>;
  personas: PersonaLine[];
}

export interface CommunicationWeights {
  firstUpdate: number;
  cadence: number;
  ctoAnswer: number;
  requiredFields: number;
  resolutionNotice: number;
  signOff: number;
}

export interface Range {
  fullWithinMs: number;
  zeroAtMs: number;
}

export interface ScoringRules {
  pointsPerFault: number; // default 1000
  categories: { recovery: number; detection: number; communication: number; review: number }; // default 35/15/30/20
  recovery: { floor: number }; // 0.3
  detection: { alerting: Range; silent: Range; prematureResolvePenalty: number };
  communication: {
    automaticShare: number; // 0.55
    firstUpdate: Range;
    ctoAnswer: Range;
    cadenceToleranceMs: number;
    requiredFields: Array<'impact' | 'currentAction' | 'nextUpdateAt'>;
    rubric: Array<{ id: string; title: TextT; description?: TextT }>;
    /** Relative weights of the automatic measures (default 1 each); a measure that does not apply (null) is left out. */
    weights: CommunicationWeights;
  };
  review: { rubric: Array<{ id: string; title: TextT; description?: TextT }> };
  /** Incident roles (docs/scoring.md, "Roles"); absent = not scored (hand-built scenarios in tests). */
  roles?: RolesRules;
  /** userWeight: the share measured by spectators' requests (the rest by probes); slowMs: a user request slower than this counts as slow (bad). */
  availability: { points: number; userWeight: number; slowMs: number };
}

export interface Scenario {
  name: string;
  title: TextT;
  description: TextT;
  service: { description: TextT; platform?: string };
  game: {
    durationMs: number;
    maxInjectAttempts: number;
    /** The business-side sign-off resolves a recovered fault (issue 15); false: an incident resolve does. */
    signOff: boolean;
    /** The persona who signs off; null: the customer-support persona (src/comms/reactions.ts). */
    signOffPersona: string | null;
    /** Alert incidents resolve themselves on recovery (false: the team resolves them). */
    autoResolveAlerts: boolean;
  };
  probes: Probe[];
  personas: Array<{ id: string; name: TextT; role: TextT; style?: TextT }>;
  faults: Fault[];
  scoring: ScoringRules;
  /** sha256 of the file's text: recorded in game.created so a replay knows which rules applied. */
  hash: string;
  /** Absolute path of the file it came from. */
  file: string;
}

/** How incident roles are scored (issue 15): a measure of automatic communication. */
export interface RolesRules {
  /** All three roles named within this long after detection (game ms; default 5 minutes). */
  withinMs: number;
  /** Nobody holds the same role twice before every member has held it. */
  rotation: boolean;
  /** Weight of the roles measure among the automatic measures (each weighs 1); 0 = off. */
  weight: number;
  /** Relative weights of the facts inside the measure. */
  weights: { named: number; commsLead: number; rotation: number };
}
