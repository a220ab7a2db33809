import { BadRequest, Conflict, NotFound } from '../errors.js';
import type { EventStore } from '../events/store.js';
import type { Actor } from '../events/types.js';
import type { ExpectElement, Scenario, Text } from '../scenario/types.js';
import type { ChannelMessage, CommsFold, QuestionView, StatusUpdate } from './fold.js';

/**
 * The communication use-cases: what a team, a spectator or a staff member may say, checked
 * against the scenario and the fold, and appended as one event each (message.posted,
 * status.published, postmortem.submitted, hint.taken, report.filed). Text is stored verbatim —
 * shown as text, never HTML — but never blank. Errors are the domain's (src/errors.ts); the HTTP
 * layer only maps them.
 */

export type Channel = 'incident' | 'stakeholders';

export interface CommsCommandDeps {
  store: EventStore;
  scenario: Scenario;
  fold: CommsFold;
  /** Game ms now: a promised next update is game time (cadence is scored on the game clock). */
  gameNow: () => number;
  /** Whether a team exists (for routes that name a team). */
  hasTeam: (id: string) => boolean;
}

/** Text a person typed: stored as is, but not blank. */
export function nonBlank(text: string, field = 'text'): string {
  if (!text.trim()) throw new BadRequest(`${field} must not be blank`);
  return text;
}

/** The public face of a status update (the status page): no author, no internal fields. */
export const publicStatus = (s: StatusUpdate) => ({
  seq: s.seq,
  at: s.at,
  gameTime: s.gameTime,
  text: s.text,
  resolved: s.resolved,
  ...(s.impact !== undefined ? { impact: s.impact } : {}),
  ...(s.currentAction !== undefined ? { currentAction: s.currentAction } : {}),
  ...(s.nextUpdateAt !== undefined ? { nextUpdateAt: s.nextUpdateAt } : {}),
});

export interface TeamAuthor {
  team: string;
  /** The name the author gave, else the team's name. */
  name: string;
}

export class CommsCommands {
  constructor(private readonly d: CommsCommandDeps) {}

  private fault(id: string) {
    return this.d.scenario.faults.find((f) => f.id === id);
  }

  private requireTeam(id: string): void {
    if (!this.d.hasTeam(id)) throw new NotFound(`no team '${id}'`);
  }

  /** A team writes in its own channel; `clientId` makes a retry idempotent. */
  async postTeamMessage(
    by: TeamAuthor,
    m: { channel: Channel; text: string; clientId: string; replyTo?: number | undefined },
  ): Promise<{ message: ChannelMessage | undefined; duplicate: boolean }> {
    nonBlank(m.text);
    if (m.replyTo !== undefined) {
      // A reply names a question of the team's same channel (the thread it answers).
      const q = this.d.fold.message(by.team, m.replyTo);
      if (!q) throw new BadRequest(`replyTo: no message ${m.replyTo} in your channel`);
      if (q.author.kind !== 'persona' || !q.expectsAnswer) throw new BadRequest(`replyTo: message ${m.replyTo} is not a question`);
      if (q.channel !== m.channel) throw new BadRequest(`replyTo: question ${m.replyTo} was asked in #${q.channel}, not #${m.channel}`);
    }
    // Grouped: nothing is decided on a team's message (the fold derives the rest), the hot write path.
    const { event, duplicate } = await this.d.store.appendGrouped({
      type: 'message.posted',
      team: by.team,
      source: 'team',
      key: `msg:${by.team}:${m.clientId}`,
      data: { channel: m.channel, author: { kind: 'team', name: by.name }, text: m.text, ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}) },
    });
    return { message: this.d.fold.message(by.team, event.seq), duplicate };
  }

  /**
   * The team's channel after `after`: each persona message carries `personaName` ({en, ja}: the
   * viewer's language picks), each question its thread state at game time `now`.
   */
  channelView(team: string, after: number, limit: number, now: number): Array<ChannelMessage & { personaName?: Text; question?: QuestionView }> {
    return this.d.fold.messages(team, after, limit).map((m) => {
      if (m.author.kind !== 'persona') return m;
      const p = this.d.scenario.personas.find((x) => x.id === m.persona);
      const question = m.expectsAnswer ? this.d.fold.questionView(team, m.seq, now) : undefined;
      return { ...m, ...(p ? { personaName: p.name } : {}), ...(question ? { question } : {}) };
    });
  }

  /** A status update to stakeholders (scored: first update, cadence against the promise, fields). */
  async publishStatus(
    by: TeamAuthor,
    u: { text: string; impact?: string | undefined; currentAction?: string | undefined; nextUpdateInMinutes?: number | undefined; resolved?: boolean | undefined; clientId?: string | undefined },
  ): Promise<{ status: StatusUpdate | undefined; duplicate: boolean }> {
    nonBlank(u.text);
    const nextUpdateAt = u.nextUpdateInMinutes !== undefined ? this.d.gameNow() + Math.round(u.nextUpdateInMinutes * 60_000) : undefined;
    const { event, duplicate } = await this.d.store.append({
      type: 'status.published',
      team: by.team,
      source: 'team',
      key: u.clientId ? `status:${by.team}:${u.clientId}` : null,
      data: {
        text: u.text,
        ...(u.impact?.trim() ? { impact: u.impact } : {}),
        ...(u.currentAction?.trim() ? { currentAction: u.currentAction } : {}),
        ...(nextUpdateAt !== undefined ? { nextUpdateAt } : {}),
        resolved: u.resolved ?? false,
        by: { kind: 'team', name: by.name },
      },
    });
    const status = this.d.fold.statusUpdates(by.team, event.seq - 1, 1).find((s) => s.seq === event.seq);
    return { status, duplicate };
  }

  /** A postmortem, only for a fault that has happened to the team. */
  async submitPostmortem(by: TeamAuthor, p: { fault: string; text: string }): Promise<{ seq: number; fault: string; at: number; gameTime: number }> {
    nonBlank(p.text);
    if (!this.fault(p.fault)) throw new BadRequest(`unknown fault '${p.fault}' (known: ${this.d.scenario.faults.map((f) => f.id).join(', ')})`);
    if (!this.d.fold.wasInjected(by.team, p.fault)) throw new Conflict(`fault '${p.fault}' has not happened to your team yet`);
    const { event } = await this.d.store.append({
      type: 'postmortem.submitted',
      team: by.team,
      source: 'team',
      data: { fault: p.fault, text: p.text, by: { kind: 'team', name: by.name } },
    });
    return { seq: event.seq, fault: p.fault, at: event.at, gameTime: event.gameTime };
  }

  /** Hints of the faults that have happened to this team; the text only once taken. */
  hintsOf(team: string) {
    return this.d.scenario.faults
      .filter((f) => this.d.fold.wasInjected(team, f.id))
      .flatMap((f) =>
        f.hints.map((h) => {
          const taken = this.d.fold.hintTaken(team, f.id, h.id);
          return { fault: f.id, id: h.id, cost: h.cost, taken, ...(taken ? { text: h.text } : {}) };
        }),
      );
  }

  /** Take a hint (its cost is scored); taking it again is a duplicate, not a second cost. */
  async takeHint(team: string, faultId: string, hintId: string) {
    const fault = this.fault(faultId);
    const hint = fault?.hints.find((h) => h.id === hintId);
    if (!fault || !hint) throw new NotFound(`no hint '${hintId}' for fault '${faultId}'`);
    // Hints exist only for what has happened: asking earlier would give the fault away.
    if (!this.d.fold.wasInjected(team, fault.id)) throw new Conflict(`fault '${fault.id}' has not happened to your team yet`);
    const { duplicate } = await this.d.store.append({
      type: 'hint.taken',
      team,
      source: 'team',
      key: `hint:${team}:${fault.id}:${hint.id}`,
      data: { fault: fault.id, hint: hint.id, cost: hint.cost },
    });
    return { hint: { fault: fault.id, id: hint.id, cost: hint.cost, text: hint.text }, duplicate };
  }

  /** A spectator reports a problem with a team's service. */
  async fileReport(team: string, r: { text: string; name?: string | undefined }): Promise<{ seq: number; at: number }> {
    this.requireTeam(team);
    nonBlank(r.text);
    const { event } = await this.d.store.append({
      type: 'report.filed',
      team,
      source: 'spectator',
      data: { text: r.text, by: { kind: 'spectator', name: r.name?.trim() || 'anonymous' } },
    });
    return { seq: event.seq, at: event.at };
  }

  /** A staff member speaks as a scenario persona in a team's channel. */
  async speakAsPersona(
    by: Actor,
    m: {
      team: string;
      persona: string;
      channel: Channel;
      text: string;
      fault?: string | undefined;
      expectsAnswer?: boolean | undefined;
      /** What a good answer contains (makes it a question). */
      expects?: ExpectElement[] | undefined;
      replyTo?: number | undefined;
      clientId?: string | undefined;
    },
  ): Promise<{ message: ChannelMessage | undefined; duplicate: boolean }> {
    nonBlank(m.text);
    this.requireTeam(m.team);
    const persona = this.d.scenario.personas.find((p) => p.id === m.persona);
    if (!persona) throw new BadRequest(`unknown persona '${m.persona}' (known: ${this.d.scenario.personas.map((p) => p.id).join(', ')})`);
    if (m.fault !== undefined && !this.fault(m.fault)) throw new BadRequest(`unknown fault '${m.fault}'`);
    if (m.replyTo !== undefined && !this.d.fold.message(m.team, m.replyTo)) throw new BadRequest(`replyTo: no message ${m.replyTo} in that team's channel`);
    const { event, duplicate } = await this.d.store.append({
      type: 'message.posted',
      team: m.team,
      source: by.kind,
      key: m.clientId ? `staff:${m.team}:${m.clientId}` : null,
      data: {
        channel: m.channel,
        author: { kind: 'persona', name: persona.name.en },
        persona: persona.id,
        text: m.text,
        ...(m.fault !== undefined ? { fault: m.fault } : {}),
        ...(m.expectsAnswer !== undefined || m.expects?.length ? { expectsAnswer: m.expectsAnswer ?? true } : {}),
        ...(m.expects?.length ? { expects: [...new Set(m.expects)] } : {}),
        ...(m.replyTo !== undefined ? { replyTo: m.replyTo } : {}),
      },
    });
    return { message: this.d.fold.message(m.team, event.seq), duplicate };
  }
}
