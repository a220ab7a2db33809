import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decideReactions, escalationKey, followUpKey, threadAnswers, type ChainLink, type ReactionInput, type ThreadMessage, type ThreadQuestion } from '../../src/comms/answers.js';

const MIN = 60_000;
const REAL = 'We are rolling back the ingress change; back in 10 minutes.';
const REAL2 = 'All users cannot open the chat page; we are on it.';
const q = (seq: number, min: number, channel = 'incident', windowMin = 8): ThreadQuestion => ({ seq, gameTime: min * MIN, channel, answerWithinMs: windowMin * MIN, text: `question ${seq}?` });
const m = (seq: number, min: number, text: string, extra: Partial<ThreadMessage> = {}): ThreadMessage => ({ seq, gameTime: min * MIN, channel: 'incident', text, ...extra });

describe('threading', () => {
  it('an explicit replyTo answers the question it names, even when an older one is open', () => {
    const r = threadAnswers([q(1, 0), q(2, 1)], [m(3, 2, REAL, { replyTo: 2 })], 2 * MIN);
    expect(r.questions.map((x) => [x.seq, x.status, x.answer?.seq])).toEqual([
      [1, 'open', undefined],
      [2, 'answered', 3],
    ]);
    expect(r.questions[1]!.answer).toMatchObject({ latencyMs: MIN, explicit: true });
  });

  it('a message without replyTo answers the single oldest open question of its channel', () => {
    const r = threadAnswers([q(1, 0), q(2, 1)], [m(3, 2, REAL), m(4, 3, REAL2)], 3 * MIN);
    expect(r.questions.map((x) => x.answer?.seq)).toEqual([3, 4]);
    expect(r.questions.map((x) => x.answer?.latencyMs)).toEqual([2 * MIN, 2 * MIN]);
  });

  it('one message answers at most one question', () => {
    const r = threadAnswers([q(1, 0), q(2, 0.5), q(3, 1)], [m(4, 2, REAL)], 2 * MIN);
    expect(r.questions.filter((x) => x.answer).map((x) => x.seq)).toEqual([1]);
    expect(r.messages).toEqual([{ seq: 4, explicit: false, addressedTo: 1, answers: 1 }]);
  });

  it('never answers a question asked after the message', () => {
    const r = threadAnswers([q(5, 3)], [m(4, 2, REAL), m(6, 3.5, REAL2, { replyTo: 5 })], 4 * MIN);
    expect(r.messages[0]).toMatchObject({ seq: 4, reason: { en: 'no open question in this channel' } });
    expect(r.questions[0]!.answer?.seq).toBe(6);
  });

  it('ignores a replyTo to a later question or to another channel (the message falls back to the oldest open one)', () => {
    const later = threadAnswers([q(1, 0), q(5, 3)], [m(4, 2, REAL, { replyTo: 5 })], 4 * MIN);
    expect(later.questions.map((x) => x.answer?.seq)).toEqual([4, undefined]);
    const other = threadAnswers([q(1, 0, 'stakeholders'), q(2, 0)], [m(3, 1, REAL, { replyTo: 1 })], 2 * MIN);
    expect(other.questions.map((x) => [x.seq, x.answer?.seq])).toEqual([
      [1, undefined],
      [2, 3],
    ]);
    expect(other.messages[0]!.explicit).toBe(false);
  });

  it('a reply in the thread of an answered question answers nothing else', () => {
    const r = threadAnswers([q(1, 0), q(2, 1)], [m(3, 2, REAL, { replyTo: 1 }), m(4, 3, REAL2, { replyTo: 1 })], 3 * MIN);
    expect(r.questions.map((x) => x.answer?.seq)).toEqual([3, undefined]);
    expect(r.messages[1]!.reason!.en).toBe('reply in the thread of question #1, already answered');
  });

  it('a message without substance answers nothing and is recorded as an attempt with its reason', () => {
    const r = threadAnswers([q(1, 0)], [m(2, 1, '.'), m(3, 2, 'question 1?'), m(4, 3, REAL)], 3 * MIN);
    const t = r.questions[0]!;
    expect(t.attempts.map((a) => [a.seq, a.reason.en])).toEqual([
      [2, 'only punctuation'],
      [3, 'copy of message #1'],
    ]);
    expect(t.answer).toMatchObject({ seq: 4, latencyMs: 3 * MIN });
  });

  it('past its window a question is unanswered; an explicit late reply is recorded as late; the next message goes to the open one', () => {
    const r = threadAnswers([q(1, 0, 'incident', 5), q(2, 4)], [m(3, 6, REAL), m(4, 7, REAL2, { replyTo: 1 })], 10 * MIN);
    expect(r.questions.map((x) => [x.seq, x.status, x.answer?.seq])).toEqual([
      [1, 'late', undefined],
      [2, 'answered', 3],
    ]);
    expect(r.questions[0]!.late).toMatchObject({ seq: 4, latencyMs: 7 * MIN });
    const silent = threadAnswers([q(1, 0, 'incident', 5)], [], 5 * MIN);
    expect(silent.questions[0]!.status).toBe('open'); // the window is inclusive
    expect(threadAnswers([q(1, 0, 'incident', 5)], [], 5 * MIN + 1).questions[0]!.status).toBe('unanswered');
  });

  it('property: no message answers two questions, no question is answered twice or by a message before it', () => {
    const channel = fc.constantFrom('incident', 'stakeholders');
    const item = fc.record({
      question: fc.boolean(),
      channel,
      gap: fc.integer({ min: 0, max: 4 * MIN }),
      text: fc.constantFrom('.', 'ok', REAL, REAL2, 'Next update at 14:30, rolling back.', '全ユーザーに影響があります。'),
      replyBack: fc.option(fc.integer({ min: -3, max: 6 }), { nil: undefined }),
      windowMin: fc.integer({ min: 1, max: 10 }),
    });
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), fc.integer({ min: 0, max: 200 }), (items, nowMin) => {
        const qs: ThreadQuestion[] = [];
        const ms: ThreadMessage[] = [];
        let time = 0;
        items.forEach((it, i) => {
          const seq = i + 1;
          time += it.gap;
          if (it.question) qs.push({ seq, gameTime: time, channel: it.channel, answerWithinMs: it.windowMin * MIN });
          else ms.push({ seq, gameTime: time, channel: it.channel, text: it.text, ...(it.replyBack !== undefined ? { replyTo: seq - it.replyBack } : {}) });
        });
        const r = threadAnswers(qs, ms, nowMin * MIN);
        const used = new Map<number, number>();
        for (const t of r.questions) {
          for (const a of [t.answer, t.late]) {
            if (!a) continue;
            expect(used.has(a.seq), `message ${a.seq} used twice`).toBe(false);
            used.set(a.seq, t.seq);
            expect(a.seq).toBeGreaterThan(t.seq);
            const msg = ms.find((x) => x.seq === a.seq)!;
            expect(msg.channel).toBe(qs.find((x) => x.seq === t.seq)!.channel);
          }
          expect(t.answer && t.late).toBeFalsy();
        }
        for (const mt of r.messages) if (mt.answers !== undefined) expect(used.get(mt.seq)).toBe(mt.answers);
      }),
      { numRuns: 300 },
    );
  });
});

describe('follow-ups and escalation', () => {
  const config: ReactionInput['config'] = {
    persona: 'cto',
    channel: 'incident',
    expects: ['eta', 'impact'],
    answerWithinMs: 8 * MIN,
    followUps: { max: 2, lines: [{ text: { en: 'Fine, but when will it be back?', ja: 'で、いつ直るの？' }, missing: 'eta' }] },
  };
  const thread = (seq: number, at: number, answer?: { seq: number; at: number }): ChainLink['thread'] => ({
    seq,
    status: answer ? 'answered' : 'unanswered',
    attempts: [],
    closesAt: at + 8 * MIN,
    ...(answer ? { answer: { seq: answer.seq, gameTime: answer.at, latencyMs: answer.at - at, explicit: false } } : {}),
  });
  const input = (chain: ChainLink[], now: number, posted: string[] = []): ReactionInput => ({ team: 't1', fault: 'f1', line: 2, config, chain, now, posted: new Set(posted) });

  it('follows up in character when the answer lacks an expected element, with the missing elements as its expects', () => {
    const chain: ChainLink[] = [{ seq: 10, thread: thread(10, 0, { seq: 11, at: MIN }), expects: ['eta', 'impact'], answerText: 'All users are affected, we are looking.' }];
    const r = decideReactions(input(chain, MIN));
    expect(r).toEqual([
      expect.objectContaining({ key: 'persona:t1:f1:2:followup:1', kind: 'followup', n: 1, dueAt: MIN, expects: ['eta'], expectsAnswer: true, inReplyTo: 11, flagJudges: false, text: { en: 'Fine, but when will it be back?', ja: 'で、いつ直るの？' } }),
    ]);
    expect(followUpKey('t1', 'f1', 2, 1)).toBe(r[0]!.key);
  });

  it('posts each follow-up once (its key is already in the log after a restart), and stops at max', () => {
    const first: ChainLink = { seq: 10, thread: thread(10, 0, { seq: 11, at: MIN }), expects: ['eta', 'impact'], answerText: 'All users are affected.' };
    expect(decideReactions(input([first], 2 * MIN, ['persona:t1:f1:2:followup:1']))).toEqual([]);
    // Follow-up 1 answered without an ETA either → follow-up 2 (no scripted line left: the default, blunt for the CTO).
    const second: ChainLink = { seq: 12, thread: thread(12, MIN, { seq: 13, at: 2 * MIN }), expects: ['eta'], answerText: 'Working on it, will tell you more.' };
    const r = decideReactions(input([first, second], 2 * MIN, ['persona:t1:f1:2:followup:1']));
    expect(r.map((x) => [x.key, x.text.ja])).toEqual([['persona:t1:f1:2:followup:2', 'で、いつ直るの？']]);
    const third: ChainLink = { seq: 14, thread: thread(14, 2 * MIN, { seq: 15, at: 3 * MIN }), expects: ['eta'], answerText: 'Still working on it, sorry.' };
    expect(decideReactions(input([first, second, third], 3 * MIN))).toEqual([]);
  });

  it('does not follow up a complete answer', () => {
    const chain: ChainLink[] = [{ seq: 10, thread: thread(10, 0, { seq: 11, at: MIN }), expects: ['eta', 'impact'], answerText: 'All users are affected; back in 15 minutes.' }];
    expect(decideReactions(input(chain, MIN))).toEqual([]);
  });

  it('escalates once when the question goes unanswered past its window, flagging judges', () => {
    const chain: ChainLink[] = [{ seq: 10, thread: thread(10, 0), expects: ['eta', 'impact'] }];
    expect(decideReactions(input(chain, 8 * MIN - 1))).toEqual([]);
    const r = decideReactions(input(chain, 9 * MIN));
    expect(r).toEqual([expect.objectContaining({ key: escalationKey('t1', 'f1', 2), kind: 'escalation', dueAt: 8 * MIN, flagJudges: true, expectsAnswer: false, inReplyTo: 10 })]);
    expect(r[0]!.text.en).toBe('I asked 8 minutes ago and still have nothing. I’m coming over. Who is in charge here?');
    expect(r[0]!.key).toBe('persona:t1:f1:2:escalation');
    expect(decideReactions(input(chain, 20 * MIN, [r[0]!.key]))).toEqual([]);
  });

  it('uses the scenario escalation line, and polite defaults for a persona other than the CTO', () => {
    const chain: ChainLink[] = [{ seq: 10, thread: thread(10, 0), expects: ['eta'] }];
    const scripted = decideReactions({ ...input(chain, 9 * MIN), config: { ...config, escalation: { en: 'Answer me. {minutes} minutes!', ja: '{minutes}分も待っているぞ。' } } });
    expect(scripted[0]!.text).toEqual({ en: 'Answer me. 8 minutes!', ja: '8分も待っているぞ。' });
    const support = decideReactions({ ...input([{ seq: 10, thread: thread(10, 0, { seq: 11, at: MIN }), expects: ['workaround'], answerText: 'We are rolling back the change now.' }], MIN), config: { ...config, persona: 'support', followUps: { max: 1, lines: [] } } });
    expect(support[0]!.text.ja).toBe('それまでの間、ユーザーにできることはありますか？');
  });
});
