import type { Text } from '../scenario/types.js';

/**
 * What the scoring fold produces. Every number is an integer in milli-points (1 point = 1000), and
 * every number carries `evidence`: the `seq`s of the events behind it, so a team sees why it got
 * what it got.
 */

import type { Detection, FaultState } from '../lifecycle/fault.js';

export type { Detection, FaultState } from '../lifecycle/fault.js';

export interface Part {
  /** milli-points earned */
  points: number;
  /** milli-points possible */
  max: number;
  evidence: number[];
}

/** One automatic communication measure, as a share 0..1; null when it does not apply (no question asked). */
export interface SubScore {
  share: number | null;
  evidence: number[];
  /** A short, human explanation ("first update after 4m10s"). */
  note: string;
  /** The same in Japanese (communication measures). */
  noteJa?: string;
  /** ctoAnswer: each question's share, note and `expects` findings ("no ETA found"). */
  /** ctoAnswer: seqs of persona escalations (unanswered questions), which flag the judging queue. */
  escalations?: number[];
  questions?: Array<{ seq: number; share: number; note: { en: string; ja: string }; findings?: Array<{ element: string; found: boolean; explanation: { en: string; ja: string } }> }>;
  /** roles: each fact (named in time, written by the Communications Lead, rotation) with its evidence. */
  roles?: RoleFactScore[];
}

/** One roles fact of a fault (docs/scoring.md, "Roles"); share null when it does not apply. */
export interface RoleFactScore {
  fact: 'named' | 'commsLead' | 'rotation';
  share: number | null;
  evidence: number[];
  note: { en: string; ja: string };
}

export interface CriterionScore {
  criterion: string;
  /** Mean of the judges' latest scores, 0..5; null while nobody has judged it. */
  mean: number | null;
  judges: Array<{ judge: string; score: number; seq: number }>;
}

export interface FaultScore {
  fault: string;
  index: number;
  /** null in views where the fault has not happened yet (spoiler-free). */
  title: Text | null;
  weight: number;
  state: FaultState;
  /** false for voided and skipped faults: they count for nothing either way (max 0). */
  counted: boolean;
  injectedAt: number | null;
  deadlineAt: number | null;
  /** greenSince of the current recovery (cleared by a relapse). */
  recoveredAt: number | null;
  points: number;
  max: number;
  evidence: number[];
  recovery: Part & { share: number; ttrMs: number | null };
  /** The detection category; `state` is the fault's detection track (none | detected | acknowledged). */
  detection: Part & { share: number; kind: 'acknowledge' | 'open_incident'; state: Detection; ms: number | null; premature: boolean };
  communication: Part & {
    automatic: Part & {
      share: number;
      firstUpdate: SubScore;
      cadence: SubScore;
      ctoAnswer: SubScore;
      requiredFields: SubScore;
      resolutionNotice: SubScore;
      /** The business side confirmed the fix after the team's resolution notice (null when the scenario's sign-off is off). */
      signOff: SubScore;
      /** Incident roles (issue 15); share null when the scenario does not score them. */
      roles: SubScore;
    };
    judged: Part & { share: number; criteria: CriterionScore[] };
  };
  review: Part & { share: number; submitted: boolean; criteria: CriterionScore[] };
  /** seqs of the status updates attributed to this fault, and of its first postmortem (for the judging queue). */
  statusUpdates: number[];
  postmortem: number | null;
}

export interface TeamBreakdown {
  team: string;
  total: number;
  /** Category sums, milli-points. */
  categories: { recovery: number; detection: number; communication: number; review: number; availability: number; hints: number; adjustments: number };
  faults: FaultScore[];
  availability: Part & { good: number; total: number; users: { requests: number; bad: number } };
  hints: Part & { items: Array<{ fault: string; hint: string; cost: number; seq: number }> };
  adjustments: Part & { items: Array<{ points: number; reason: string; seq: number }> };
}

export interface CurrentFault {
  id: string;
  index: number;
  /** null where the audience must not see it yet (a fault armed but not injected). */
  title: Text | null;
  state: FaultState;
  detection: Detection;
  injectedAt: number | null;
}

export interface Standing {
  team: string;
  name: string;
  rank: number;
  /** milli-points */
  total: number;
  /** The seq at which the team reached its current total (ties go to the lower one). */
  reachedSeq: number;
  currentFault: CurrentFault | null;
  breakdown: TeamBreakdown;
}

export interface Leaderboard {
  /** The last event seq folded in. */
  seq: number;
  teams: Standing[];
}
