import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { checkAdjustment, checkJudgement, waitingFor } from '../../src/judging/rules.js';
import { loadScenario } from '../../src/scenario/load.js';
import type { FaultScore } from '../../src/scoring/types.js';

/** The judging rules are pure: a scenario, the input and the fault's score in, a verdict out. */
const scenario = loadScenario(loadConfig({ env: {} }).scenario);
const fault = scenario.faults[0]!;
const criterion = scenario.scoring.communication.rubric[0]!.id;
const happened = { injectedAt: 1000, counted: true, state: 'resolved', postmortem: null } as unknown as FaultScore;
const judgement = { team: 'red', fault: fault.id, category: 'communication' as const, criterion, score: 4, judge: 'Ken' };

describe('checkJudgement', () => {
  it('accepts a known criterion of a fault that happened and counts', () => {
    expect(() => checkJudgement(scenario, judgement, happened)).not.toThrow();
  });
  it('refuses an unknown fault or criterion (400), a fault not yet happened, not counted, or a review without postmortem (409)', () => {
    expect(() => checkJudgement(scenario, { ...judgement, fault: 'nope' }, happened)).toThrow(expect.objectContaining({ code: 'bad_request' }));
    expect(() => checkJudgement(scenario, { ...judgement, criterion: 'nope' }, happened)).toThrow(/is not a communication criterion/);
    expect(() => checkJudgement(scenario, judgement, undefined)).toThrow(expect.objectContaining({ code: 'conflict' }));
    expect(() => checkJudgement(scenario, judgement, { ...happened, injectedAt: null })).toThrow(/has not happened/);
    expect(() => checkJudgement(scenario, judgement, { ...happened, counted: false, state: 'voided' } as FaultScore)).toThrow(/was voided .*not scored/);
    const review = { ...judgement, category: 'review' as const, criterion: scenario.scoring.review.rubric[0]!.id };
    expect(() => checkJudgement(scenario, review, happened)).toThrow(/postmortem/);
    expect(() => checkJudgement(scenario, review, { ...happened, postmortem: 12 })).not.toThrow();
  });
});

describe('checkAdjustment', () => {
  it('wants a reason of at least 3 characters (trimmed) and points other than 0', () => {
    expect(checkAdjustment({ team: 'red', points: 5, reason: '  great handover  ' })).toBe('great handover');
    expect(() => checkAdjustment({ team: 'red', points: 5, reason: '  a  ' })).toThrow(/say why/);
    expect(() => checkAdjustment({ team: 'red', points: 0, reason: 'because' })).toThrow(/must not be 0/);
  });
});

describe('waitingFor', () => {
  const crit = (mean: number | null) => [{ criterion: 'c', mean, judges: [] }];
  const f = (statusUpdates: number[], postmortem: number | null, comm: number | null, review: number | null) =>
    ({ statusUpdates, postmortem, communication: { judged: { criteria: crit(comm) } }, review: { criteria: crit(review) } }) as unknown as FaultScore;
  it('waits for communication once there is a status update, for review once there is a postmortem', () => {
    expect(waitingFor(f([], null, null, null))).toEqual([]);
    expect(waitingFor(f([3], null, null, null))).toEqual(['communication']);
    expect(waitingFor(f([3], 9, null, null))).toEqual(['communication', 'review']);
    expect(waitingFor(f([3], 9, 4, 2))).toEqual([]);
  });
});
