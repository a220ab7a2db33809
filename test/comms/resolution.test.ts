import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolutionNotice } from '../../src/comms/rules/resolution.js';
import { fromRoot } from '../../src/paths.js';

/** src/comms/rules/resolution.ts: a team message in #stakeholders that says it is resolved (en/ja), with substance. */
describe('resolution notice rule', () => {
  const notices: Array<[string, string]> = [
    ['Chat works again for all users; the ingress port was restored.', 'works again'],
    ['Resolved: users can send messages again.', 'Resolved'],
    ['The issue has been fixed and the service is back to normal.', 'fixed'],
    ['All clear — the service is back online since 10:42.', 'All clear'],
    ['We have rolled back the release and everything is up and running.', 'up and running'],
    ['ＣＨＡＴ ｉｓ ｂａｃｋ ｔｏ ｎｏｒｍａｌ for everyone now.', 'ｂａｃｋ ｔｏ ｎｏｒｍａｌ'],
    ['チャットは復旧しました。ご迷惑をおかけしました。', '復旧しました'],
    ['障害は解消されました。原因は設定変更でした。', '解消されました'],
    ['現在は正常に動作しています。全ユーザーが利用できます。', '正常に動作'],
    ['ルートの設定を戻し、サービスは元に戻りました。', '元に戻りました'],
  ];
  for (const [text, found] of notices) {
    it(`is a notice: ${text}`, () => {
      const r = resolutionNotice(text);
      expect(r.ok, JSON.stringify(r)).toBe(true);
      if (r.ok) expect(r.evidence.text).toBe(found);
    });
  }

  const not: Array<[string, RegExp]> = [
    ['.', /punctuation/],
    ['ok', /placeholder/],
    ['fixed', /too short/],
    ['It is not fixed yet, we are still rolling back the change.', /does not say/],
    ['The service isn’t restored yet; next update at 14:30.', /does not say/],
    ['It will be restored in about 15 minutes, we are on it.', /does not say/],
    ['We expect it to be resolved within the hour, sorry all.', /does not say/],
    ['Is it fixed on your side? Can you check the page please?', /does not say/],
    ['まだ復旧していません。引き続き対応中です。', /解決したと書かれていない|does not say/],
    ['復旧見込みは15分後です。しばらくお待ちください。', /does not say/],
    ['復旧しましたか？ユーザーに伝えていいですか？', /does not say/],
    ['解決しましたらすぐにご連絡いたします。', /does not say/],
    ['We are investigating the outage of the chat page for all users.', /does not say/],
  ];
  for (const [text, why] of not) {
    it(`is not a notice: ${text}`, () => {
      const r = resolutionNotice(text);
      expect(r.ok).toBe(false);
      expect(`${r.explanation.en} ${r.explanation.ja}`).toMatch(why);
    });
  }

  it('a copy of an earlier message in the channel is no notice', () => {
    const text = 'Chat works again for all users; the ingress port was restored.';
    expect(resolutionNotice(text, [{ seq: 7, text }])).toMatchObject({ ok: false, substance: { rule: 'copy', copyOf: 7 } });
  });

  it('agrees with every example of docs/communication.md §4', () => {
    const doc = readFileSync(fromRoot('docs/communication.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## 4. The business-side sign-off'));
    const rows = [...section.matchAll(/^\| (.+?) \| (yes|no) \| .+ \|$/gm)].map((m) => [m[1]!, m[2] === 'yes'] as const);
    expect(rows.length).toBeGreaterThanOrEqual(6);
    for (const [text, yes] of rows) expect(resolutionNotice(text).ok, text).toBe(yes);
  });
});
