import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Text } from '../../src/scenario/types.js';
import { substance } from '../../src/comms/rules/substance.js';
import { essence } from '../../src/comms/rules/text.js';
import { ThreadWalk, type Channel, type MessageThread, type OtherMessage, type QuestionThread, type ThreadMessage, type ThreadQuestion, type ThreadResult } from '../../src/comms/rules/threading.js';

/**
 * The folds walk the threading one message at a time (ThreadWalk). The reference here is the
 * batch walk the threading was first written as (every list sorted, the whole channel walked
 * again): fed the same messages in seq order, with a result read after every step, the
 * incremental walk must give exactly what the batch walk gives for that prefix.
 */
const MIN = 60_000;
const t = (en: string, ja: string): Text => ({ en, ja });

function batchThreads(questions: readonly ThreadQuestion[], messages: readonly ThreadMessage[], now: number, others: readonly OtherMessage[] = []): ThreadResult {
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

type Item = { kind: 'question'; q: ThreadQuestion } | { kind: 'message'; m: ThreadMessage } | { kind: 'other'; o: OtherMessage };

describe('ThreadWalk', () => {
  it('after every message equals the batch walk of the same prefix (answers, attempts, late replies, copies, messages)', () => {
    const item = fc.record({
      kind: fc.constantFrom('question', 'question', 'message', 'message', 'message', 'other'),
      channel: fc.constantFrom('incident', 'stakeholders'),
      gap: fc.integer({ min: 0, max: 4 * MIN }),
      text: fc.constantFrom('.', 'ok', 'When is it back?', 'Users are asking.', 'We are rolling back the ingress change; back in 10 minutes.', 'All users cannot open the chat page; we are on it.', '全ユーザーに影響があります。'),
      replyBack: fc.option(fc.integer({ min: -3, max: 6 }), { nil: undefined }),
      windowMin: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 40 }), fc.integer({ min: 0, max: 200 }), (raw, nowMin) => {
        let time = 0;
        const items: Item[] = raw.map((x, i) => {
          const seq = i + 1;
          time += x.gap;
          if (x.kind === 'question') return { kind: 'question', q: { seq, gameTime: time, channel: x.channel, answerWithinMs: x.windowMin * MIN, text: x.text } };
          if (x.kind === 'other') return { kind: 'other', o: { seq, channel: x.channel, text: x.text } };
          return { kind: 'message', m: { seq, gameTime: time, channel: x.channel, text: x.text, ...(x.replyBack !== undefined ? { replyTo: seq - x.replyBack } : {}) } };
        });
        const walk = new ThreadWalk();
        items.forEach((it, i) => {
          if (it.kind === 'question') walk.question(it.q);
          else if (it.kind === 'other') walk.other(it.o);
          else walk.message(it.m);
          const prefix = items.slice(0, i + 1);
          const reference = batchThreads(
            prefix.flatMap((x) => (x.kind === 'question' ? [x.q] : [])),
            prefix.flatMap((x) => (x.kind === 'message' ? [x.m] : [])),
            nowMin * MIN,
            prefix.flatMap((x) => (x.kind === 'other' ? [x.o] : [])),
          );
          expect(walk.result(nowMin * MIN)).toEqual(reference);
        });
      }),
      { numRuns: 300 },
    );
  });
});
