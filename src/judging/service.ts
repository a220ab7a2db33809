import { BadRequest, Conflict } from '../errors.js';
import type { EventStore } from '../events/store.js';
import type { Actor } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';
import type { CriterionScore, RoleFactScore, Standing, SubScore } from '../scoring/types.js';
import { checkAdjustment, checkJudgement, unjudged, waitingFor, type AdjustmentInput, type JudgementInput } from './rules.js';

/** The roles measure as judges read it; null when the scenario does not score roles. */
export function rolesEvidence(m: SubScore): { share: number; facts: RoleFactScore[] } | null {
  return m.share === null && !m.roles?.length ? null : { share: m.share ?? 0, facts: m.roles ?? [] };
}

/** What judging reads from the boards (the Leaderboard provides it). */
export interface JudgingReads {
  readonly scenario: Scenario;
  readonly frozen: boolean;
  standingOf(team: string): Standing | undefined;
  teamIds(): string[];
  /** Text of a status update or postmortem by seq. */
  textOf(seq: number): { text: string; impact?: string | undefined; currentAction?: string | undefined; resolved?: boolean | undefined; gameTime: number } | undefined;
  /** A judge's note by the judgement's seq. */
  noteOf(seq: number): string | undefined;
}

/**
 * Judging, awards/penalties and the board freeze: checks the rules (rules.ts), then appends one
 * event (judgement.recorded, score.adjusted, game.board_frozen|unfrozen). Reads the judging queue.
 */
export class Judging {
  constructor(
    private readonly d: { store: EventStore; boards: JudgingReads; hasTeam: (id: string) => boolean },
  ) {}

  private requireTeam(id: string): void {
    if (!this.d.hasTeam(id)) throw new BadRequest(`no team '${id}'`);
  }

  async recordJudgement(j: JudgementInput): Promise<{ seq: number }> {
    this.requireTeam(j.team);
    const lb = this.d.boards;
    checkJudgement(lb.scenario, j, lb.standingOf(j.team)?.breakdown.faults.find((f) => f.fault === j.fault));
    const { event } = await this.d.store.append({
      type: 'judgement.recorded',
      team: j.team,
      source: 'organizer',
      data: { fault: j.fault, category: j.category, criterion: j.criterion, score: j.score, judge: j.judge, ...(j.note ? { note: j.note } : {}) },
    });
    return { seq: event.seq };
  }

  async adjust(a: AdjustmentInput, by: Actor): Promise<{ seq: number }> {
    this.requireTeam(a.team);
    const reason = checkAdjustment(a);
    const { event } = await this.d.store.append({ type: 'score.adjusted', team: a.team, source: by.kind, data: { points: a.points, reason, by } });
    return { seq: event.seq };
  }

  async freeze(by: Actor): Promise<void> {
    if (this.d.boards.frozen) throw new Conflict('the public board is already frozen');
    await this.d.store.append({ type: 'game.board_frozen', source: by.kind, data: { by } });
  }

  async unfreeze(by: Actor): Promise<void> {
    if (!this.d.boards.frozen) throw new Conflict('the public board is not frozen');
    await this.d.store.append({ type: 'game.board_unfrozen', source: by.kind, data: { by } });
  }

  /**
   * The judging queue: per team and fault that happened (and counts), the status updates and
   * postmortem to judge, what each judge has scored (with notes), and what is still waiting.
   */
  queue() {
    const lb = this.d.boards;
    const rules = lb.scenario.scoring;
    const withNotes = (cs: CriterionScore[]) => cs.map((c) => ({ ...c, judges: c.judges.map((j) => ({ ...j, note: lb.noteOf(j.seq) ?? null })) }));
    const items = [];
    for (const id of lb.teamIds()) {
      const s = lb.standingOf(id);
      if (!s) continue;
      for (const f of s.breakdown.faults) {
        if (f.injectedAt === null || !f.counted) continue;
        const pm = f.postmortem === null ? null : { seq: f.postmortem, ...lb.textOf(f.postmortem) };
        items.push({
          team: id,
          teamName: s.name,
          fault: f.fault,
          title: f.title,
          state: f.state,
          statusUpdates: f.statusUpdates.map((seq) => ({ seq, ...lb.textOf(seq) })),
          postmortem: pm,
          communication: { criteria: withNotes(f.communication.judged.criteria), missing: unjudged(f.communication.judged.criteria) },
          // Issue 15: each persona question's automatic finding ("no ETA found"), and whether a persona escalated.
          answers: f.communication.automatic.ctoAnswer.questions ?? [],
          flagged: (f.communication.automatic.ctoAnswer.escalations ?? []).length > 0,
          escalations: f.communication.automatic.ctoAnswer.escalations ?? [],
          // Issue 15: the roles facts (named in time, written by the Communications Lead, rotation), the evidence for the `roles` criterion.
          roles: rolesEvidence(f.communication.automatic.roles),
          review: { criteria: withNotes(f.review.criteria), missing: pm ? unjudged(f.review.criteria) : [] },
          waiting: waitingFor(f),
        });
      }
    }
    return { rubric: { communication: rules.communication.rubric, review: rules.review.rubric }, items };
  }
}
