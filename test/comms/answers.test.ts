import { describe, expect, it } from 'vitest';
import { checkStatusUpdate, detectExpects, questionShare, substance, type QuestionThread } from '../../src/comms/answers.js';
import type { ExpectElement } from '../../src/scenario/types.js';

/** Table: [element, text, evidence expected (undefined = not found)]. */
type Row = [ExpectElement, string, string | undefined];

const FOUND: Row[] = [
  // eta: a time or duration
  ['eta', 'We expect the page back in 15 minutes.', 'in 15 minutes'],
  ['eta', 'Should be fixed by 14:30.', 'by 14:30'],
  ['eta', 'Fix lands within the hour.', 'within the hour'],
  ['eta', 'About half an hour more.', 'About half an hour'],
  ['eta', 'Back by 3pm at the latest.', 'by 3pm'],
  ['eta', '15分ほどで復旧する見込みです。', '15分ほど'],
  ['eta', '14時30分までに復旧予定です。', '14時30分'],
  ['eta', '30分後には戻る見込みです', '30分後'],
  ['eta', '1時間以内に復旧します', '1時間以内'],
  ['eta', '１４：３０に復旧予定', '１４：３０'],
  ['eta', '十五分で直ります', '十五分'],
  ['eta', '本日中に復旧予定です', '本日中'],
  // impact: who or what is affected
  ['impact', 'All users cannot open the chat page.', 'All users'],
  ['impact', 'About 10% of requests fail.', '10% of requests'],
  ['impact', 'Messages are garbled for Japanese text.', 'Messages are garbled'],
  ['impact', 'Sign-in is not affected.', 'Sign-in is not affected'],
  ['impact', 'No data was lost.', 'No data was lost'],
  ['impact', '全ユーザーがページを開けない状態です。', '全ユーザー'],
  ['impact', '一部のお客様でメッセージが表示されません。', '一部のお客様'],
  ['impact', 'メッセージが文字化けしています', 'メッセージが文字化け'],
  ['impact', '既読機能への影響はありません', '影響は'],
  // current_action
  ['current_action', 'We are investigating the ingress.', 'investigating'],
  ['current_action', 'Rolling back the backend to 1.4.0 now.', 'Rolling back'],
  ['current_action', 'We reverted the change at 14:10.', 'reverted'],
  ['current_action', 'We are rolling it back now.', 'rolling it back'],
  ['current_action', '現在原因を調査中です。', '調査中'],
  ['current_action', 'バックエンドを切り戻し中です', '切り戻し中'],
  ['current_action', '設定をロールバックしました', 'ロールバックしました'],
  // decision
  ['decision', 'We will roll back instead of waiting for 1.5.1.', 'We will'],
  ['decision', "We won't restart everything; the logs point elsewhere.", "We won't"],
  ['decision', 'Decided: rollback, rather than the hotfix.', 'Decided'],
  ['decision', "We can't close it yet.", "We can't"],
  ['decision', '1.5.1 は待たずにロールバックします。', 'ロールバックします'],
  ['decision', '全体の再起動はしません', 'decision-ja-shimasen'],
  ['decision', 'ホットフィックスは見送りと判断しました', '見送'],
  ['decision', '切り戻すと判断しました', '判断'],
  ['decision', '修正版ではなく、切り戻しで対応します', 'ではなく'],
  // cause
  ['cause', 'The page is down because the route points at port 8081.', 'because'],
  ['cause', 'Timeouts are caused by a network policy change.', 'caused by'],
  ['cause', 'It broke after the release of 1.5.0.', 'after the release'],
  ['cause', 'A config change moved the route to port 8081.', 'A config change moved'],
  ['cause', 'Cause: a network policy.', 'Cause:'],
  ['cause', 'The logs show timeouts to the database.', 'The logs show'],
  ['cause', '原因は Ingress の設定変更です。', '原因は'],
  ['cause', 'ネットワークポリシーの変更によるものです', 'による'],
  ['cause', '原因：設定ミス', '原因：'],
  ['cause', 'リリース後から発生しています', 'リリース後'],
  // workaround
  ['workaround', 'Meanwhile, the mobile app still works.', 'Meanwhile'],
  ['workaround', 'You can still read old messages.', 'You can'],
  ['workaround', 'Please reload the page after 14:30.', 'Please reload'],
  ['workaround', 'その間はアプリをご利用いただけます。', 'その間'],
  ['workaround', '回避策として再読み込みをお試しください', '回避策'],
  // next_update
  ['next_update', 'Next update at 14:30.', 'Next update at 14:30'],
  ["next_update", "We'll update you in 15 minutes.", "'ll update you in 15 minutes"],
  ['next_update', 'I will report back within 20 minutes.', 'report back within 20 minutes'],
  ['next_update', '次回の更新は14時30分です。', '次回の更新は14時30分'],
  ['next_update', '30分後に改めてご報告します。', '30分後に改めてご報告'],
  ['next_update', '15分ごとに更新します', '15分ごとに更新'],
];

const NOT_FOUND: Row[] = [
  ['eta', 'We are working on it and will fix it soon.', undefined],
  ['eta', 'まもなく復旧します', undefined],
  ['eta', 'It started at 14:02.', undefined], // when it began is not when it ends
  ['eta', '10分前から発生しています', undefined],
  ['eta', 'Next update in 30 minutes.', undefined], // a next-update promise is not an ETA
  ['eta', '次回の更新は30分後です', undefined],
  ['impact', 'We are looking into it.', undefined],
  ['impact', '現在調査中です', undefined],
  ['current_action', 'The page is down.', undefined],
  ['current_action', 'ページが表示されません', undefined],
  ['decision', 'We will update you in 15 minutes.', undefined], // a promise to report is not a choice
  ['decision', 'まもなく復旧します', undefined],
  ['decision', '30分後にご連絡します', undefined],
  ['cause', 'We do not know yet.', undefined],
  ['cause', '念のため確認しています', undefined],
  ['workaround', 'Nothing works at the moment.', undefined],
  ['workaround', '原因を調査しています', undefined],
  ['next_update', 'We will fix it in 15 minutes.', undefined],
  ['next_update', 'We will keep you posted.', undefined], // a promise without a time
  ['next_update', '追ってご連絡します', undefined],
];

describe('expects detection (table, en and ja)', () => {
  it.each(FOUND)('%s found in %j', (element, text, evidence) => {
    const r = detectExpects(text, [element]);
    const f = r.findings[0]!;
    expect(f.found, f.explanation.en).toBe(true);
    if (evidence === 'decision-ja-shimasen') expect(f.evidence!.text).toMatch(/しません$/);
    else expect(f.evidence!.text).toBe(evidence);
    // The span points into the text as written.
    expect(text.slice(f.evidence!.start, f.evidence!.end)).toBe(f.evidence!.text);
    expect(f.rule).toMatch(new RegExp(`^${element}\\.`));
    expect(f.explanation.ja).toContain(f.evidence!.text);
    expect(r.coverage).toBe(1);
  });

  it.each(NOT_FOUND)('%s not found in %j', (element, text) => {
    const r = detectExpects(text, [element]);
    expect(r.findings[0]!.found, JSON.stringify(r.findings[0]!.evidence)).toBe(false);
    expect(r.missing).toEqual([element]);
    expect(r.coverage).toBe(0);
  });

  it('explains what is missing in both languages', () => {
    const r = detectExpects('.', ['eta', 'impact']);
    expect(r.findings.map((f) => f.explanation.en)).toEqual([expect.stringMatching(/^no ETA found/), expect.stringMatching(/^no impact found/)]);
    expect(r.findings[0]!.explanation.ja).toMatch(/^復旧見込みの記載なし/);
  });

  it('finds each element of a complete answer, and tells an ETA from the next-update time', () => {
    const text = 'All users see a Bad Gateway because a commit moved the route. We are rolling back; back in 10 minutes. Next update at 14:30.';
    const r = detectExpects(text, ['impact', 'cause', 'current_action', 'eta', 'next_update']);
    expect(r.missing).toEqual([]);
    expect(r.findings.find((f) => f.element === 'eta')!.evidence!.text).toBe('in 10 minutes');
    const ja = detectExpects('全ユーザーに影響があります。原因は設定変更で、現在切り戻し中です。15分で復旧見込み、次回の更新は14時30分です。', ['impact', 'cause', 'current_action', 'eta', 'next_update']);
    expect(ja.missing).toEqual([]);
    expect(ja.findings.find((f) => f.element === 'eta')!.evidence!.text).toBe('15分');
  });

  it('counts coverage as found / expected', () => {
    expect(detectExpects('Back in 15 minutes.', ['eta', 'impact']).coverage).toBe(0.5);
    expect(detectExpects('anything', []).coverage).toBe(1);
  });
});

describe('substance', () => {
  const rows: Array<[string, string | null]> = [
    ['', 'empty'],
    ['   ', 'empty'],
    ['.', 'punctuation'],
    ['...!?', 'punctuation'],
    ['。、！', 'punctuation'],
    ['🙏🙏', 'punctuation'],
    ['xxxx', 'repeated'],
    ['ああああ', 'repeated'],
    ['x', 'placeholder'],
    ['ok', 'placeholder'],
    ['OK!', 'placeholder'],
    ['test', 'placeholder'],
    ['了解', 'placeholder'],
    ['対応中です', 'placeholder'],
    ['on it', 'placeholder'],
    ['fixing', 'short'],
    ['will check', 'short'],
    ['すぐ見ます', 'short'],
    ['We are investigating the ingress.', null],
    ['現在原因を調査中です', null],
    ['ロールバックします', null],
  ];
  it.each(rows)('%j → %s', (text, rule) => {
    const s = substance(text);
    if (rule === null) expect(s.ok).toBe(true);
    else {
      expect(s.ok).toBe(false);
      if (!s.ok) expect(s.rule).toBe(rule);
    }
  });

  it('gives the reason a judge reads', () => {
    const dot = substance('.');
    expect(!dot.ok && dot.reason).toEqual({ en: 'only punctuation', ja: '記号のみ' });
    const short = substance('fixing');
    expect(!short.ok && short.reason.en).toBe('too short: 6 meaningful characters (needs 12; kanji and kana count 2)');
  });

  it('refuses a copy of an earlier message, ignoring case, width and punctuation', () => {
    const earlier = [
      { seq: 40, text: 'Something else entirely.' },
      { seq: 41, text: 'I am hearing the site is down. What is going on?' },
    ];
    const s = substance('i am hearing the site is down — what is going on', earlier);
    expect(s.ok).toBe(false);
    if (!s.ok) {
      expect(s.rule).toBe('copy');
      expect(s.copyOf).toBe(41);
      expect(s.reason.en).toBe('copy of message #41');
    }
    expect(substance('ＷＥ ＡＲＥ ＲＯＬＬＩＮＧ ＢＡＣＫ', [{ seq: 3, text: 'we are rolling back' }]).ok).toBe(false);
    expect(substance('We are rolling back the ingress change.', earlier).ok).toBe(true);
  });

  it('weighs kanji and kana double: six Japanese characters are enough, five are not', () => {
    expect(substance('原因を調査中').ok).toBe(true); // 6 × 2 = 12
    expect(substance('原因調査中').ok).toBe(false); // 5 × 2 = 10
  });
});

describe('question share', () => {
  const range = { fullWithinMs: 2 * 60_000, zeroAtMs: 8 * 60_000 };
  const answered = (latencyMs: number): QuestionThread => ({ seq: 10, status: 'answered', answer: { seq: 11, gameTime: latencyMs, latencyMs, explicit: true }, attempts: [], closesAt: 8 * 60_000 });

  it('is 50% latency and 50% coverage', () => {
    const full = questionShare(answered(60_000), ['eta', 'impact'], 'All users are affected; back in 15 minutes.', range);
    expect(full.share).toBe(1);
    const half = questionShare(answered(60_000), ['eta', 'impact'], 'Back in 15 minutes, we are on it.', range);
    expect(half.share).toBe(0.75);
    expect(half.note.en).toContain('no impact found');
    const slow = questionShare(answered(5 * 60_000), ['eta'], 'Back in 15 minutes, we are on it.', range);
    expect(slow.latencyShare).toBe(0.5);
    expect(slow.share).toBe(0.75);
  });

  it('is 0 without an answer, naming why', () => {
    const attempt: QuestionThread = {
      seq: 10,
      status: 'unanswered',
      attempts: [{ seq: 12, gameTime: 1000, explicit: false, reason: { en: 'only punctuation', ja: '記号のみ' }, substance: { ok: false, rule: 'punctuation', weight: 0, reason: { en: 'only punctuation', ja: '記号のみ' } } }],
      closesAt: 8 * 60_000,
    };
    const s = questionShare(attempt, ['eta'], undefined, range);
    expect(s.share).toBe(0);
    expect(s.note.en).toBe('no answer with substance (#12: only punctuation)');
    expect(s.evidence).toEqual([10, 12]);
  });
});

describe('status update checks', () => {
  const req = ['impact', 'currentAction', 'nextUpdateAt'] as const;
  it('passes fields with substance and a next-update time in the future', () => {
    const c = checkStatusUpdate({ gameTime: 1000, text: 'The chat page is down for everyone.', impact: 'All users cannot open the chat page.', currentAction: 'Rolling back the ingress change.', nextUpdateAt: 900_000 }, req);
    expect(c.share).toBe(1);
    expect(c.text.ok).toBe(true);
  });

  it('refuses x / x / x, a field equal to its sibling, and a next-update time in the past', () => {
    const x = checkStatusUpdate({ gameTime: 1000, text: 'ok', impact: 'x', currentAction: 'x', nextUpdateAt: 500 }, req);
    expect(x.share).toBe(0);
    expect(x.fields.impact.reason!.en).toBe('a placeholder (“x”)');
    expect(x.fields.nextUpdateAt.reason!.en).toBe('the next-update time is not in the future');
    expect(x.text.ok).toBe(false);
    const same = checkStatusUpdate({ gameTime: 0, text: 'Page is down, we are on it now.', impact: 'We are looking at the problem.', currentAction: 'We are looking at the problem!', nextUpdateAt: 60_000 }, req);
    expect(same.fields.impact.ok).toBe(false);
    expect(same.fields.impact.reason!.en).toBe('same as the current action field');
    expect(same.share).toBeCloseTo(1 / 3);
    const missing = checkStatusUpdate({ gameTime: 0, text: '全ユーザーに影響が出ています' }, req);
    expect(missing.fields.currentAction.reason).toEqual({ en: 'missing', ja: '未記入' });
  });
});
