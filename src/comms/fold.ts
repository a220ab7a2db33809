import type { Actor, StoredEvent, StoredEventOf } from '../events/types.js';
import type { ExpectElement, Text } from '../scenario/types.js';
import { detectExpects } from './rules/expects.js';
import { statusAt, ThreadWalk, type QuestionThread } from './rules/threading.js';

/**
 * What the communication part needs to know, folded from the log per team: the team's channel
 * (messages and status updates), which faults have been injected (hints and postmortems are only
 * for faults that happened), and the events the persona director reads. Rebuilt from the log on
 * start, then kept current by subscription.
 */

export interface ChannelMessage {
  seq: number;
  at: number;
  gameTime: number;
  channel: 'incident' | 'stakeholders' | 'chat';
  author: Actor;
  persona?: string;
  text: string;
  textJa?: string;
  replyTo?: number;
  fault?: string;
  expectsAnswer?: boolean;
  expects?: ExpectElement[];
  answerWithinMs?: number;
  kind?: 'followup' | 'escalation' | 'report';
  flagJudges?: boolean;
}

/** A persona question's thread, as the team and the war room see it (issue 15). */
export interface QuestionView {
  state: 'open' | 'answered' | 'unanswered' | 'late';
  closesAt: number;
  answer?: number;
  findings?: Array<{ element: ExpectElement; found: boolean; explanation: Text }>;
  /** The last attempt without substance, or ok for the answer. */
  substance?: { ok: boolean; reason?: Text };
}

export interface StatusUpdate {
  seq: number;
  at: number;
  gameTime: number;
  text: string;
  impact?: string;
  currentAction?: string;
  nextUpdateAt?: number;
  resolved: boolean;
  by: Actor;
}

/** Event types the persona director reads. */
const PERSONA_INPUTS = new Set<string>([
  'fault.injected',
  'fault.detected',
  'fault.acknowledged',
  'fault.recovered',
  'fault.relapsed',
  'fault.signed_off',
  'fault.resolved',
  'fault.timed_out',
  'fault.skipped',
  'fault.reverted',
  'fault.voided',
  'status.published',
  'report.filed',
]);

interface TeamComms {
  messages: ChannelMessage[];
  statuses: StatusUpdate[];
  injected: Set<string>;
  hints: Set<string>;
  /** fault.* moments, status updates and persona lines already posted: the director's input. */
  personaInputs: StoredEvent[];
  /** Threading of each channel's questions and team messages, walked as they come. */
  threads: Map<string, ThreadWalk>;
}

export const personaKeyPrefix = 'persona:';

// The payloads already have the shapes the views need; only the envelope's times are added.
const toMessage = (e: StoredEventOf<'message.posted'>): ChannelMessage => ({ seq: e.seq, at: e.at, gameTime: e.gameTime, ...e.data });
const toStatus = (e: StoredEventOf<'status.published'>): StatusUpdate => ({ seq: e.seq, at: e.at, gameTime: e.gameTime, ...e.data });

/** Binary search: index of the first item with seq > after (items are in seq order). */
function firstAfter<T extends { seq: number }>(items: T[], after: number): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]!.seq <= after) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class CommsFold {
  private readonly teams = new Map<string, TeamComms>();

  /** `defaultAnswerWithinMs`: a question's window when its event names none (the scenario's ctoAnswer.zeroAt). */
  constructor(private readonly defaultAnswerWithinMs = 8 * 60_000) {}

  private team(id: string): TeamComms {
    let t = this.teams.get(id);
    if (!t) {
      t = { messages: [], statuses: [], injected: new Set(), hints: new Set(), personaInputs: [], threads: new Map() };
      this.teams.set(id, t);
    }
    return t;
  }

  apply(e: StoredEvent): void {
    if (!e.team) return;
    switch (e.type) {
      case 'message.posted': {
        const t = this.team(e.team);
        t.messages.push(toMessage(e));
        this.thread(t, e);
        // Team lines in #stakeholders too: a resolution notice there lets the business side sign off.
        if (e.key?.startsWith(personaKeyPrefix) || e.key?.startsWith('report:') || e.data.channel === 'stakeholders') t.personaInputs.push(e);
        return;
      }
      case 'status.published': {
        const t = this.team(e.team);
        t.statuses.push(toStatus(e));
        t.personaInputs.push(e);
        return;
      }
      case 'hint.taken':
        this.team(e.team).hints.add(`${e.data.fault}/${e.data.hint}`);
        return;
      case 'fault.injected':
        this.team(e.team).injected.add(e.data.fault);
        this.team(e.team).personaInputs.push(e);
        return;
      default:
        if (PERSONA_INPUTS.has(e.type)) this.team(e.team).personaInputs.push(e);
    }
  }

  /** The team's messages after `after` (a sequence number), oldest first. */
  messages(team: string, after = 0, limit = 500): ChannelMessage[] {
    const all = this.teams.get(team)?.messages ?? [];
    const i = firstAfter(all, after);
    return all.slice(i, i + limit);
  }

  message(team: string, seq: number): ChannelMessage | undefined {
    const all = this.teams.get(team)?.messages ?? [];
    const m = all[firstAfter(all, seq - 1)];
    return m?.seq === seq ? m : undefined;
  }

  /** Status updates after `after`, oldest first. */
  statusUpdates(team: string, after = 0, limit = 500): StatusUpdate[] {
    const all = this.teams.get(team)?.statuses ?? [];
    const i = firstAfter(all, after);
    return all.slice(i, i + limit);
  }

  /** The newest status updates, newest first: the public status page. */
  latestStatus(team: string, limit = 20): StatusUpdate[] {
    return (this.teams.get(team)?.statuses ?? []).slice(-limit).reverse();
  }

  wasInjected(team: string, fault: string): boolean {
    return this.teams.get(team)?.injected.has(fault) ?? false;
  }

  hintTaken(team: string, fault: string, hint: string): boolean {
    return this.teams.get(team)?.hints.has(`${fault}/${hint}`) ?? false;
  }

  /** The events the persona director decides on, in log order. */
  personaInputs(team: string): readonly StoredEvent[] {
    return this.teams.get(team)?.personaInputs ?? [];
  }

  /** Feed a message to its channel's threading (src/comms/rules/threading.ts). */
  private thread(t: TeamComms, e: StoredEventOf<'message.posted'>): void {
    const d = e.data;
    let walk = t.threads.get(d.channel);
    if (!walk) t.threads.set(d.channel, (walk = new ThreadWalk()));
    if (d.author.kind === 'team') walk.message({ seq: e.seq, gameTime: e.gameTime, channel: d.channel, text: d.text, ...(d.replyTo !== undefined ? { replyTo: d.replyTo } : {}) });
    else if (d.author.kind === 'persona' && d.expectsAnswer) walk.question({ seq: e.seq, gameTime: e.gameTime, channel: d.channel, answerWithinMs: d.answerWithinMs ?? this.defaultAnswerWithinMs, text: d.text });
    else walk.other({ seq: e.seq, channel: d.channel, text: d.text });
  }

  /** One question's thread, or undefined when `seq` is not a question of that team. */
  questionThread(team: string, seq: number): QuestionThread | undefined {
    const q = this.message(team, seq);
    if (!q || q.author.kind !== 'persona' || !q.expectsAnswer) return undefined;
    const th = this.teams.get(team)?.threads.get(q.channel)?.thread(seq);
    // The readers' contract: status as at now = +∞ (they compare closesAt with their own now).
    return th && { ...th, status: statusAt(th, Number.POSITIVE_INFINITY) };
  }

  /** The state of a question at game time `now` (open vs unanswered), with findings and substance. */
  questionView(team: string, seq: number, now: number): QuestionView | undefined {
    const q = this.message(team, seq);
    const th = this.questionThread(team, seq);
    if (!q || !th) return undefined;
    const state = th.answer ? 'answered' : th.late ? 'late' : now > th.closesAt ? 'unanswered' : 'open';
    const out: QuestionView = { state, closesAt: th.closesAt };
    const answerSeq = th.answer?.seq ?? th.late?.seq;
    if (answerSeq !== undefined) {
      out.answer = answerSeq;
      const text = this.message(team, answerSeq)?.text ?? '';
      out.findings = detectExpects(text, q.expects ?? []).findings.map((f) => ({ element: f.element, found: f.found, explanation: f.explanation }));
      out.substance = { ok: true };
    } else if (th.attempts.length) {
      out.substance = { ok: false, reason: th.attempts[th.attempts.length - 1]!.reason };
    }
    return out;
  }

  teamIds(): string[] {
    return [...this.teams.keys()];
  }
}
