import { BadRequest, Conflict } from '../errors.js';
import type { Scenario } from '../scenario/types.js';
import type { CriterionScore, FaultScore } from '../scoring/types.js';

/**
 * The judging rules, pure (no I/O, no clock): what a judgement or an adjustment must satisfy
 * before it is appended, and what the judging queue shows. A broken rule throws a domain error
 * (src/errors.ts) that the HTTP layer maps to 400/409.
 */

export type JudgedCategory = 'communication' | 'review';

export interface JudgementInput {
  team: string;
  fault: string;
  category: JudgedCategory;
  criterion: string;
  score: number;
  judge: string;
  note?: string | undefined;
}

export interface AdjustmentInput {
  team: string;
  points: number;
  reason: string;
}

/**
 * A judgement names a fault of the scenario and a criterion of that category's rubric, and is
 * for a fault that has happened to the team, is scored, and (for review) has a postmortem.
 */
export function checkJudgement(scenario: Scenario, j: JudgementInput, fault: FaultScore | undefined): void {
  if (!scenario.faults.some((f) => f.id === j.fault)) throw new BadRequest(`no fault '${j.fault}' in the scenario (faults: ${scenario.faults.map((f) => f.id).join(', ')})`);
  const rubric = j.category === 'communication' ? scenario.scoring.communication.rubric : scenario.scoring.review.rubric;
  if (!rubric.some((r) => r.id === j.criterion)) throw new BadRequest(`'${j.criterion}' is not a ${j.category} criterion (criteria: ${rubric.map((r) => r.id).join(', ')})`);
  if (!fault || fault.injectedAt === null) throw new Conflict(`fault '${j.fault}' has not happened for team '${j.team}' yet`);
  if (!fault.counted) throw new Conflict(`fault '${j.fault}' was ${fault.state} for team '${j.team}': it is not scored`);
  if (j.category === 'review' && fault.postmortem === null) throw new Conflict(`team '${j.team}' has not submitted a postmortem for '${j.fault}' yet`);
}

/** An award or penalty always says why, and is never zero. Returns the trimmed reason. */
export function checkAdjustment(a: AdjustmentInput): string {
  const reason = a.reason.trim();
  if (reason.length < 3) throw new BadRequest('body.reason must say why, in at least 3 characters');
  if (a.points === 0) throw new BadRequest('body.points must not be 0');
  return reason;
}

/** Criteria nobody has judged yet. */
export const unjudged = (cs: CriterionScore[]): string[] => cs.filter((c) => c.mean === null).map((c) => c.criterion);

/** What is still waiting for a judge on one fault: communication once there is a status update, review once there is a postmortem. */
export function waitingFor(f: Pick<FaultScore, 'statusUpdates' | 'postmortem' | 'communication' | 'review'>): JudgedCategory[] {
  const comm = unjudged(f.communication.judged.criteria);
  const review = f.postmortem === null ? [] : unjudged(f.review.criteria);
  return [...(f.statusUpdates.length && comm.length ? (['communication'] as const) : []), ...(review.length ? (['review'] as const) : [])];
}
