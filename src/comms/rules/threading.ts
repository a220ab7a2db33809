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
  const qs = [...questions].sort((a, b) => a.seq - b.seq);
  const ms = [...messages].sort((a, b) => a.seq - b.seq);
  const bySeq = new Map(qs.map((q) => [q.seq, q]));
  const state = new Map<number, QuestionThread>(qs.map((q) => [q.seq, { seq: q.seq, status: 'open', attempts: [], closesAt: q.gameTime + q.answerWithinMs }]));
  // Everything said in each channel, in seq order, for "copy of message #n": per channel, the
  // essence of each text → the first seq that said it, filled as the walk passes each seq.
  const texts = [...qs.map((q) => ({ seq: q.seq, channel: q.channel, text: q.text ?? '' })), ...ms, ...others].sort((a, b) => a.seq - b.seq);
  const said = new Map<Channel, Map<string, number>>();
  let next = 0;
  const hearUpTo = (seq: number) => {
    for (; next < texts.length && texts[next]!.seq < seq; next++) {
      const x = texts[next]!;
      const e = essence(x.text);
      if (e === '') continue;
      let c = said.get(x.channel);
      if (!c) said.set(x.channel, (c = new Map()));
      if (!c.has(e)) c.set(e, x.seq);
    }
  };
  const out: MessageThread[] = [];

  const closed = (q: QuestionThread) => q.answer !== undefined || q.late !== undefined;

  for (const m of ms) {
    const target = m.replyTo !== undefined ? bySeq.get(m.replyTo) : undefined;
    const explicit = target !== undefined && target.channel === m.channel && target.seq < m.seq;
    let q: ThreadQuestion | undefined;
    if (explicit) {
      q = target;
      if (closed(state.get(q!.seq)!)) {
        out.push({ seq: m.seq, explicit, addressedTo: q!.seq, reason: t(`reply in the thread of question #${q!.seq}, already answered`, `回答済みの質問 #${q!.seq} への返信`) });
        continue;
      }
    } else {
      q = qs.find((c) => c.channel === m.channel && c.seq < m.seq && !closed(state.get(c.seq)!) && m.gameTime <= c.gameTime + c.answerWithinMs);
      if (!q) {
        out.push({ seq: m.seq, explicit, reason: t('no open question in this channel', 'このチャンネルに未回答の質問なし') });
        continue;
      }
    }
    hearUpTo(m.seq);
    const s = substance(m.text, said.get(m.channel) ?? new Map<string, number>());
    const qt = state.get(q!.seq)!;
    if (!s.ok) {
      qt.attempts.push({ seq: m.seq, gameTime: m.gameTime, explicit, reason: s.reason, substance: s });
      out.push({ seq: m.seq, explicit, addressedTo: q!.seq, reason: s.reason });
      continue;
    }
    const latencyMs = Math.max(0, m.gameTime - q!.gameTime);
    if (m.gameTime > qt.closesAt) {
      qt.late = { seq: m.seq, gameTime: m.gameTime, latencyMs };
      out.push({ seq: m.seq, explicit, addressedTo: q!.seq, answers: q!.seq, reason: t(`late: after the answer window of question #${q!.seq}`, `質問 #${q!.seq} の回答期限後`) });
      continue;
    }
    qt.answer = { seq: m.seq, gameTime: m.gameTime, latencyMs, explicit };
    out.push({ seq: m.seq, explicit, addressedTo: q!.seq, answers: q!.seq });
  }

  for (const qt of state.values()) {
    if (qt.answer) qt.status = 'answered';
    else if (qt.late) qt.status = 'late';
    else qt.status = now > qt.closesAt ? 'unanswered' : 'open';
  }
  return { questions: qs.map((q) => state.get(q.seq)!), messages: out };
}
