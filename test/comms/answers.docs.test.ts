import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { detectExpects, questionShare, RULES, threadAnswers } from '../../src/comms/answers.js';
import { fromRoot } from '../../src/paths.js';

/** docs/communication.md promises these; keep the page and the rules in step. */
const doc = readFileSync(fromRoot('docs/communication.md'), 'utf8');
const MIN = 60_000;

describe('docs/communication.md', () => {
  it('lists every rule', () => {
    for (const r of RULES) expect(doc, r.id).toContain(`\`${r.id}\``);
  });

  it('its complete examples carry every element', () => {
    const en = 'All users cannot load the chat page because a route change points at port 8081. We are rolling back; back in 10 minutes. Meanwhile the API works. Next update at 14:30.';
    const ja = '全ユーザーがページを開けない状態です。原因は設定変更で、現在切り戻し中です。15分で復旧見込み、その間はアプリをご利用いただけます。次回の更新は14時30分です。';
    const all = ['impact', 'cause', 'current_action', 'eta', 'workaround', 'next_update'] as const;
    expect(doc).toContain(en.slice(0, 60));
    expect(detectExpects(en, all).missing).toEqual([]);
    expect(detectExpects(ja, all).missing).toEqual([]);
    for (const d of ['We will roll back instead of waiting for 1.5.1.', '1.5.1は待たずにロールバックします', '再起動はしません', '見送りと判断しました']) {
      expect(detectExpects(d, ['decision']).missing, d).toEqual([]);
    }
  });

  it('its threading example', () => {
    const qs = [10, 11].map((seq) => ({ seq, gameTime: 0, channel: 'incident', answerWithinMs: 8 * MIN }));
    const r = threadAnswers(
      qs,
      [
        { seq: 12, gameTime: MIN, channel: 'incident', text: 'All users cannot load the page; rolling back, back in 10 minutes.' },
        { seq: 13, gameTime: MIN, channel: 'incident', text: "We won't restart: the logs show the route points at the wrong port.", replyTo: 11 },
        { seq: 14, gameTime: MIN, channel: 'incident', text: 'Update: rollback 50% done.', replyTo: 10 },
      ],
      MIN,
    );
    expect(r.messages.map((m) => m.answers ?? null)).toEqual([10, 11, null]);
  });

  it('its share examples', () => {
    const range = { fullWithinMs: 2 * MIN, zeroAtMs: 8 * MIN };
    const at = (ms: number) => ({ seq: 1, status: 'answered' as const, answer: { seq: 2, gameTime: ms, latencyMs: ms, explicit: false }, attempts: [], closesAt: 8 * MIN });
    expect(questionShare(at(MIN), ['eta', 'impact'], 'All users are affected; back in 15 minutes.', range).share).toBe(1);
    expect(questionShare(at(MIN), ['eta', 'impact'], 'We are on it, back in 15 minutes.', range).share).toBe(0.75);
    expect(questionShare(at(5 * MIN), ['eta', 'impact'], 'All users are affected; back in 15 minutes.', range).share).toBe(0.75);
  });
});
