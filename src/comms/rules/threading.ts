import type { Text } from '../../scenario/types.js';
import { substance, type SubstanceResult } from './substance.js';
import { essence } from './text.js';

/**
 * Threading: which team message answers which persona question. Pure. The rules:
 *   - A message with `replyTo` naming a question of its own channel, asked before it, is addressed
 *     to that question. If that question is already answered, the message answers nothing (it is a
 *     reply in a closed thread, not an answer to some other question). A `replyTo` that names
 *     anything else (a question of another channel, a later message, a message that is not a
 *     question, an unknown seq) is ignored: the message is treated as one without `replyTo`.
 *   - A message without `replyTo` is addressed to the single oldest open question of its channel
 *     asked before it. Open = not answered and its answer window not yet over at the message's time
 *     (an expired question stays unanswered; the next message goes to the question still open).
 *   - One message answers at most one question; one question is answered by at most one message.
 *   - A message without substance answers nothing; it is recorded on the question it was addressed
 *     to as an attempt, with its reason.
 *   - An explicit reply after the question's window is recorded as late: the question stays
 *     unanswered (share 0) and the message is used up.
 * Latency is from the question's own time.
 */

export type Channel = string;

export interface ThreadQuestion {
  seq: number;
  gameTime: number;
  channel: Channel;
  /** The window after `gameTime` within which an answer counts. */
  answerWithinMs: number;
  /** The question's words (an answer that only repeats them has no substance). */
  text?: string;
}

export interface ThreadMessage {
  seq: number;
  gameTime: number;
  channel: Channel;
  text: string;
  replyTo?: number;
}

/** Any other message of the channels (persona lines that are not questions, spectator reports): only for copy detection. */
export interface OtherMessage {
  seq: number;
  channel: Channel;
  text: string;
}

export interface Attempt {
  seq: number;
  gameTime: number;
  explicit: boolean;
  reason: Text;
  substance: Exclude<SubstanceResult, { ok: true }>;
}

export interface QuestionThread {
  seq: number;
  /** answered: in time, with substance; open: still within its window at `now`; unanswered: window over with no answer; late: only a reply after the window. */
  status: 'answered' | 'open' | 'unanswered' | 'late';
  answer?: { seq: number; gameTime: number; latencyMs: number; explicit: boolean };
  /** The late reply, if any. */
  late?: { seq: number; gameTime: number; latencyMs: number };
  /** Messages addressed to it without substance. */
  attempts: Attempt[];
  /** When its window closes (game ms). */
  closesAt: number;
}

export interface MessageThread {
  seq: number;
  /** The question it answered (or answered late). */
  answers?: number;
  /** Why it answered nothing, if it did not. */
  reason?: Text;
  /** The question it was addressed to (explicitly or as the oldest open one). */
  addressedTo?: number;
  explicit: boolean;
}

export interface ThreadResult {
  questions: QuestionThread[];
  messages: MessageThread[];
}

const t = (en: string, ja: string): Text => ({ en, ja });

/**
 * Thread a team's questions and messages (any number of channels; each list in seq order or not —
 * they are sorted). `now` is the game time the result is for (open vs unanswered). `others` are
 * further messages an answer must not copy.
 */
export function threadAnswers(questions: readonly ThreadQuestion[], messages: readonly ThreadMessage[], now: number, others: readonly OtherMessage[] = []): ThreadResult {
  type Item = { seq: number; add: (w: ThreadWalk) => void };
  const items: Item[] = [
    ...questions.map((q) => ({ seq: q.seq, add: (w: ThreadWalk) => w.question(q) })),
    ...messages.map((m) => ({ seq: m.seq, add: (w: ThreadWalk) => void w.message(m) })),
    ...others.map((o) => ({ seq: o.seq, add: (w: ThreadWalk) => w.other(o) })),
  ].sort((a, b) => a.seq - b.seq);
  const walk = new ThreadWalk();
  for (const x of items) x.add(walk);
  return walk.result(now);
}

/**
 * The same threading, walked one message at a time as the log grows (the folds keep one per team
 * and channel): each message is decided when it arrives, against what was said before it, so
 * appending is O(open questions) whatever the history. Feed everything in seq order.
 */
export class ThreadWalk {
  private readonly asked = new Map<number, ThreadQuestion>();
  private readonly state = new Map<number, QuestionThread>();
  /** Questions neither answered nor answered late, oldest first. */
  private readonly unclosed: ThreadQuestion[] = [];
  /** Texts not yet heard for "copy of message #n" (heard when a message needs them). */
  private readonly unheard: Array<{ seq: number; channel: Channel; text: string }> = [];
  /** Per channel: the essence of each text → the first seq that said it. */
  private readonly said = new Map<Channel, Map<string, number>>();
  private readonly out: MessageThread[] = [];

  question(q: ThreadQuestion): void {
    this.asked.set(q.seq, q);
    this.state.set(q.seq, { seq: q.seq, status: 'open', attempts: [], closesAt: q.gameTime + q.answerWithinMs });
    this.unclosed.push(q);
    this.unheard.push({ seq: q.seq, channel: q.channel, text: q.text ?? '' });
  }

  other(o: OtherMessage): void {
    this.unheard.push(o);
  }

  /** Decide one team message; returns what it did (and the question it touched, if any). */
  message(m: ThreadMessage): MessageThread {
    const r = this.decide(m);
    this.unheard.push(m);
    this.out.push(r);
    return r;
  }

  /** A question's thread as it stands (its status is only final once answered or late). */
  thread(seq: number): QuestionThread | undefined {
    return this.state.get(seq);
  }

  /** Every question and message so far, with open vs unanswered at `now`. */
  result(now: number): ThreadResult {
    const questions = [...this.state.values()].map((q) => ({ ...q, attempts: [...q.attempts], status: statusAt(q, now) }));
    return { questions, messages: [...this.out] };
  }

  private decide(m: ThreadMessage): MessageThread {
    const target = m.replyTo !== undefined ? this.asked.get(m.replyTo) : undefined;
    const explicit = target !== undefined && target.channel === m.channel && target.seq < m.seq;
    let q: ThreadQuestion | undefined;
    if (explicit) {
      q = target;
      if (closed(this.state.get(q.seq)!)) return { seq: m.seq, explicit, addressedTo: q.seq, reason: t(`reply in the thread of question #${q.seq}, already answered`, `回答済みの質問 #${q.seq} への返信`) };
    } else {
      q = this.unclosed.find((c) => c.channel === m.channel && c.seq < m.seq && m.gameTime <= c.gameTime + c.answerWithinMs);
      if (!q) return { seq: m.seq, explicit, reason: t('no open question in this channel', 'このチャンネルに未回答の質問なし') };
    }
    this.hear();
    const s = substance(m.text, this.said.get(m.channel) ?? new Map<string, number>());
    const qt = this.state.get(q.seq)!;
    if (!s.ok) {
      qt.attempts.push({ seq: m.seq, gameTime: m.gameTime, explicit, reason: s.reason, substance: s });
      return { seq: m.seq, explicit, addressedTo: q.seq, reason: s.reason };
    }
    const latencyMs = Math.max(0, m.gameTime - q.gameTime);
    this.unclosed.splice(this.unclosed.indexOf(q), 1);
    if (m.gameTime > qt.closesAt) {
      qt.late = { seq: m.seq, gameTime: m.gameTime, latencyMs };
      qt.status = 'late';
      return { seq: m.seq, explicit, addressedTo: q.seq, answers: q.seq, reason: t(`late: after the answer window of question #${q.seq}`, `質問 #${q.seq} の回答期限後`) };
    }
    qt.answer = { seq: m.seq, gameTime: m.gameTime, latencyMs, explicit };
    qt.status = 'answered';
    return { seq: m.seq, explicit, addressedTo: q.seq, answers: q.seq };
  }

  private hear(): void {
    for (const x of this.unheard) {
      const e = essence(x.text);
      if (e === '') continue;
      let c = this.said.get(x.channel);
      if (!c) this.said.set(x.channel, (c = new Map()));
      if (!c.has(e)) c.set(e, x.seq);
    }
    this.unheard.length = 0;
  }
}

const closed = (q: QuestionThread): boolean => q.answer !== undefined || q.late !== undefined;

/** answered / late once decided; otherwise open until its window closes at `now`. */
export function statusAt(q: QuestionThread, now: number): QuestionThread['status'] {
  if (q.answer) return 'answered';
  if (q.late) return 'late';
  return now > q.closesAt ? 'unanswered' : 'open';
}
