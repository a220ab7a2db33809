import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { detectExpects, substance } from '../../src/comms/answers.js';
import { loadScenario, parseScenario } from '../../src/scenario/load.js';

/** The persona-line fields of issue 15 in the scenario: expects, answerWithin, followUps, escalation. */

const minimal = readFileSync(fromRoot('test/fixtures/scenarios/minimal.yaml'), 'utf8');
const LINE = `      - persona: cto
        on: injected
        after: 4m
        expectsAnswer: true
        text: { en: What is going on?, ja: どうなっている？ }`;
const withLine = (yaml: string) => {
  if (!minimal.includes(LINE)) throw new Error('minimal.yaml changed: update this test');
  return minimal.replace(LINE, yaml);
};
const parse = (yaml: string) => parseScenario(withLine(yaml), 'inline.yaml');

describe('persona lines: expects, answerWithin, followUps, escalation', () => {
  it('fills the defaults: expects makes the line a question, the window is ctoAnswer.zeroAt, one follow-up', () => {
    const r = parse(`      - persona: cto
        on: injected
        expects: [eta, impact]
        text: { en: When?, ja: いつ？ }`);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.scenario.faults[0]!.personas[0]).toMatchObject({ expectsAnswer: true, expects: ['eta', 'impact'], answerWithinMs: 8 * 60_000, followUps: { max: 1, lines: [] } });
    expect(r.scenario.faults[0]!.personas[0]!.escalation).toBeUndefined();
  });

  it('reads answerWithin, followUps and escalation', () => {
    const r = parse(`      - persona: cto
        on: injected
        expects: [decision]
        answerWithin: 5m
        followUps:
          max: 2
          lines:
            - { missing: decision, text: { en: Which is it?, ja: で、どうするの？ } }
        escalation: { en: Nobody answers?, ja: 誰も答えないのか？ }
        text: { en: Wait or roll back?, ja: 待つのか、戻すのか？ }`);
    if (!r.ok) throw new Error(r.problems.join('\n'));
    expect(r.scenario.faults[0]!.personas[0]).toMatchObject({
      answerWithinMs: 5 * 60_000,
      followUps: { max: 2, lines: [{ missing: 'decision', text: { en: 'Which is it?', ja: 'で、どうするの？' } }] },
      escalation: { en: 'Nobody answers?', ja: '誰も答えないのか？' },
    });
  });

  it.each([
    ['an unknown element', `expects: [eta, when]`, /expects\[1\]: must be one of: eta, impact/],
    ['an element listed twice', `expects: [eta, eta]`, /'eta' is listed twice/],
    ['expects on a line that is not a question', `expectsAnswer: false\n        expects: [eta]`, /needs expectsAnswer: true/],
    ['followUps on a line that is not a question', `followUps: { max: 1 }`, /followUps: is only for a question/],
    ['an escalation on a line that is not a question', `escalation: { en: Hey, ja: おい }`, /escalation: is only for a question/],
    ['too many follow-ups', `expects: [eta]\n        followUps: { max: 9 }`, /followUps\.max/],
    ['a zero answer window', `expects: [eta]\n        answerWithin: 0s`, /answerWithin: must be more than 0/],
  ])('refuses %s, naming the line', (_what, fields, message) => {
    const r = parse(`      - persona: cto
        on: injected
        ${fields}
        text: { en: When?, ja: いつ？ }`);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.problems.join('\n')).toMatch(message);
  });

  it('the default scenario gives its questions expects, follow-ups in character and escalations', () => {
    const s = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
    const questions = s.faults.flatMap((f) => f.personas.filter((l) => l.expectsAnswer));
    expect(questions.length).toBeGreaterThan(8);
    for (const l of questions) expect(l.expects.length, l.text.en).toBeGreaterThan(0);
    // The off-target advice is a question whose good answer is a decision with a reason.
    const restart = s.faults[0]!.personas.find((l) => /restarting everything/.test(l.text.en))!;
    expect(restart.expects).toEqual(['decision', 'cause']);
    expect(questions.some((l) => l.followUps.lines.some((x) => x.text.ja.startsWith('で、いつ直るの？')))).toBe(true);
    expect(questions.filter((l) => l.persona === 'cto').every((l) => l.escalation)).toBe(true);
  });
});

/** A plausible good answer (en, ja) to each question of the default scenario, keyed by how the question starts. */
const GOOD: Record<string, [string, string]> = {
  "Users are writing in": ["Yes, known. We are investigating the ingress; expect the page back in about 15 minutes.", "把握しています。現在 Ingress を調査中で、15分ほどで復旧する見込みです。"],
  "I'm hearing the site": ["All users cannot load the chat page (the API works). We are rolling back a route change; back in 10 minutes.", "全ユーザーがチャットのページを開けません（API は正常）。ルート変更を切り戻し中で、10分ほどで復旧見込みです。"],
  "Have you tried just": ["We won't restart everything: the logs show the route points at the wrong port, so a restart would not help.", "全体の再起動はしません。ログからルートのポート誤りが原因と分かっているため、再起動では直りません。"],
  "There is still nothing": ["Status page updated. ETA 14:30; the fix is rolling out now.", "ステータスページを更新しました。14時30分までに復旧予定です。"],
  "Users say the page works": ["Yes, it is fixed: a config change moved the route to a wrong port and we reverted it, so it should not come back.", "はい、解決しています。原因は設定変更でルートのポートがずれたことで、変更を元に戻しました。"],
  "ChatBridge here": ["Yes, our API is timing out; we are investigating the database link. Expect recovery within 30 minutes.", "はい、API がタイムアウトしています。データベースへの接続を調査中で、30分以内に復旧する見込みです。"],
  "Why am I hearing": ["Sorry. Incident is open, I'm the commander. All users' messages are failing; we are checking the network path to the database.", "申し訳ありません。インシデントは起票済みで、私が指揮を取っています。全ユーザーのメッセージ送信が失敗しており、DB への経路を調査中です。"],
  "It's the database, obviously": ["We won't scale up: the database is healthy, the backend cannot reach it because of a network policy change.", "スケールアップはしません。DB 自体は正常で、ネットワークポリシーの変更により接続できないことが原因です。"],
  "ChatBridge is escalating": ["ETA 10 minutes: we are reverting the policy. Tell them all relayed messages since 14:05 are affected and will be retried.", "10分で復旧見込みです。ポリシーを戻しています。14時5分以降の中継メッセージすべてに影響が出ていると伝えてください。"],
  "Our relay is green": ["Start 14:05, end 14:31. Cause: a network policy change dropped backend-to-database traffic; all relay requests failed meanwhile.", "開始14時5分、終了14時31分。原因はネットワークポリシーの変更で、その間すべての中継リクエストが失敗していました。"],
  "Users are sending screenshots": ["Yes, our side: a backend release garbles text. We are rolling it back now.", "はい、こちら側の問題です。バックエンドのリリースによる文字化けで、現在ロールバック中です。"],
  "All the dashboards are green": ["We can't close it: it is not the browsers, the canary fails because release 1.5.0 decodes text wrongly.", "クローズはしません。ブラウザではなく、リリース1.5.0の不具合が原因でカナリアが失敗しています。"],
  "The developers say": ["We will roll back now instead of waiting: back in 10 minutes.", "1.5.1は待たずにロールバックします。10分で復旧見込みです。"],
  "Customers are tweeting": ["Posting it now: we are rolling back the release. Next update at 15:00.", "ただいま更新しました。リリースをロールバック中です。次回の更新は15時です。"],
  "New messages look fine": ["We will not be able to repair the garbled ones; users can resend them.", "文字化けしたメッセージは修復しないことにしました。お手数ですが再送をお願いします。"],
};

describe('the default scenario against the rules', () => {
  const s = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
  const questions = s.faults.flatMap((f) => f.personas.filter((l) => l.expectsAnswer));
  it.each(questions.map((l) => [l.text.en, l] as const))('a good answer to %j carries every expected element, in en and ja', (_en, l) => {
    const key = Object.keys(GOOD).find((k) => l.text.en.startsWith(k));
    expect(key, 'add a good answer for this question').toBeDefined();
    for (const text of GOOD[key!]!) {
      expect(substance(text).ok).toBe(true);
      const r = detectExpects(text, l.expects);
      expect(r.missing, `${text}: ${r.findings.map((f) => f.explanation.en).join('; ')}`).toEqual([]);
    }
    expect(detectExpects('.', l.expects).coverage).toBe(0);
  });
});
