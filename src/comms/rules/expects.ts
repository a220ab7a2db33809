import type { ExpectElement, Text } from '../../scenario/types.js';
import { fold } from './text.js';

/**
 * `expects` detection: does an answer carry an ETA, the impact, the current action, a decision, the
 * cause, a workaround, a next-update time? Small rule tables of regular expressions, English and
 * Japanese side by side, each with an id and a description, so every finding can be shown to the
 * team and to judges with the words that matched ("ETA found: “in 15 minutes”") or the reason it
 * was not ("no ETA found"). Not a classifier: docs/communication.md lists every rule. Pure.
 *
 * Every rule runs on every text (teams mix languages); `lang` only says whose phrasing it is.
 * Matching is on a width-folded copy (full-width digits count), case-insensitive.
 */

export interface Rule {
  id: string;
  element: ExpectElement;
  lang: 'en' | 'ja';
  re: RegExp;
  /** What the rule looks for, for people. */
  what: Text;
  /** A match the rule refuses (e.g. a time that says when it started, not when it ends). */
  reject?: (before: string, match: string, after: string) => boolean;
}

export interface Evidence {
  /** Offsets into the text as written. */
  start: number;
  end: number;
  text: string;
}

export interface ExpectFinding {
  element: ExpectElement;
  found: boolean;
  /** The rule that matched. */
  rule?: string;
  evidence?: Evidence;
  explanation: Text;
}

export interface ExpectsResult {
  findings: ExpectFinding[];
  found: ExpectElement[];
  missing: ExpectElement[];
  /** found / expected; 1 when nothing is expected. */
  coverage: number;
}

const t = (en: string, ja: string): Text => ({ en, ja });

/** How each element is named in explanations. */
export const ELEMENT_LABEL: Record<ExpectElement, Text> = {
  eta: t('ETA', '復旧見込み'),
  impact: t('impact', '影響'),
  current_action: t('current action', '現在の対応'),
  decision: t('decision', '判断'),
  cause: t('cause', '原因'),
  workaround: t('workaround', '回避策'),
  next_update: t('next-update time', '次回更新の時刻'),
};

/** What was missing, as a reader sees it: "no ETA found (a time or duration, e.g. “in 15 minutes”, “by 14:30”)". */
export const MISSING: Record<ExpectElement, Text> = {
  eta: t('no ETA found (a time or duration, e.g. “in 15 minutes”, “by 14:30”)', '復旧見込みの記載なし（「15分後」「14時30分までに」などの時刻・所要時間）'),
  impact: t('no impact found (who or what is affected, e.g. “all users”, “some messages”, “10%”)', '影響の記載なし（「全ユーザー」「一部のお客様」「10%」など、誰・何が影響を受けているか）'),
  current_action: t('no current action found (what the team is doing, e.g. “we are rolling back”)', '現在の対応の記載なし（「切り戻し中です」など、いま何をしているか）'),
  decision: t('no decision found (a stated choice, e.g. “we will roll back instead of waiting”)', '判断の記載なし（「待たずにロールバックします」など、はっきりした選択）'),
  cause: t('no cause found (e.g. “because…”, “caused by…”)', '原因の記載なし（「原因は〜」「〜によるもの」など）'),
  workaround: t('no workaround found (what users can do meanwhile, e.g. “meanwhile you can…”)', '回避策の記載なし（「その間は〜をご利用いただけます」など）'),
  next_update: t('no next-update time found (e.g. “next update at 14:30”, “update you in 15 minutes”)', '次回更新の時刻の記載なし（「次回の更新は14時30分」「30分後に改めてご報告します」など）'),
};

// --- times and durations (eta, next_update) ---------------------------------------------------------

const EN_PREP = String.raw`(?:(?:in|within|by|at|around|about|approximately|approx\.?|under|before|until|~)\s+)?`;
const EN_DURATION = String.raw`${EN_PREP}(?:(?<![\w.])\d+(?:\.\d+)?\s*(?:minutes?|mins?|hours?|hrs?|seconds?|secs?|h|m)\b|\b(?:an?|one|two|three|four|five|six|ten|fifteen|twenty|thirty|forty(?:-five)?|sixty|ninety|half an?|a few|a couple of)\s+(?:minutes?|mins?|hours?)\b)`;
const EN_CLOCK = String.raw`${EN_PREP}(?:\b(?:[01]?\d|2[0-3]):[0-5]\d\b|\b(?:1[0-2]|0?[1-9])(?::[0-5]\d)?\s*(?:am|pm|a\.m\.|p\.m\.)|\b(?:noon|midnight|end of (?:the )?day|eod|tonight|the top of the hour)\b|\bwithin the hour\b)`;
const JA_DURATION = String.raw`(?:(?<![\d.])\d+(?:\.\d+)?|[一二三四五六七八九十百]+|数十?)\s*(?:分|時間|秒)(?:間)?(?:後|以内|ほど|程度|くらい|ぐらい|前後)?`;
const JA_CLOCK = String.raw`(?:午前|午後)?(?<![\d.])\d{1,2}\s*時(?!間)\s*(?:\d{1,2}\s*分|半)?|(?:本日|今日|明日)中|(?<![\d.])(?:[01]?\d|2[0-3]):[0-5]\d`;
/** Any time or duration; durations first, so "1時間" is a duration, not the clock time "1時". */
export const TIME = String.raw`(?:${JA_DURATION}|${EN_DURATION}|${EN_CLOCK}|${JA_CLOCK})`;

/** A time that says when something started ("since 14:02", "10分前から") is not an ETA. */
const startedAt = (before: string, match: string, after: string): boolean =>
  /(?:since|started(?: at)?|began(?: at)?|beginning at|from|for the (?:last|past)|発生時刻は?)\s*$/i.test(before) ||
  /^\s*(?:ago\b|前|から|より|頃から|に発生|ごろから)/.test(after) ||
  // 十分 is also "enough" (じゅうぶん).
  (/^十分$/.test(match.trim()) && /^[にな]/.test(after));

const re = (source: string) => new RegExp(source, 'iu');

// --- the rule tables -----------------------------------------------------------------------------

const GAP = String.raw`[^.!?。！？\n]{0,40}?`;
const EN_UPDATE_CUE = String.raw`\b(?:next (?:status )?update|next report|(?:another|a further|further|the next) update|update you|updates? (?:everyone|the status page|the status)|(?:will|'ll|shall) (?:post|send|share|give)(?: you)? (?:an?|another|the next|a further) (?:status )?update|(?:will|'ll) update|get back to you|report back|check back|follow up|keep you (?:posted|updated)|updates? (?:every|again))`;
const JA_UPDATE_CUE = String.raw`(?:次回(?:の)?(?:ご)?(?:更新|報告|連絡|共有|アップデート)|次の(?:更新|報告|連絡)|続報|(?:再度|改めて|追って|改めまして)(?:ご)?(?:報告|連絡|共有|更新|お知らせ)|(?:ご)?(?:報告|連絡|共有|更新|お知らせ)(?:します|いたします|致します|予定|を(?:します|いたします|差し上げます))|ごとに(?:更新|報告|共有))`;

export const RULES: readonly Rule[] = [
  // Within an element, rules are tried in this order and the first that matches gives the evidence.
  // next_update first: its times are taken out before the ETA is looked for. The ja clock before the
  // ja duration, so 「14時30分」 is one time, not 「30分」.
  { id: 'next_update.en.cue_then_time', element: 'next_update', lang: 'en', re: re(`${EN_UPDATE_CUE}${GAP}${TIME}`), what: t('an update promise followed by a time: “next update at 14:30”, “we’ll update you in 15 minutes”', '更新の約束のあとに時刻（英語）') },
  { id: 'next_update.en.time_then_cue', element: 'next_update', lang: 'en', re: re(`${TIME}${GAP}${EN_UPDATE_CUE}`), what: t('a time followed by an update promise: “in 15 minutes we will update you”', '時刻のあとに更新の約束（英語）') },
  { id: 'next_update.ja.cue_then_time', element: 'next_update', lang: 'ja', re: re(`${JA_UPDATE_CUE}${GAP}${TIME}`), what: t('an update promise followed by a time (ja): 「次回の更新は14時30分です」', '更新の約束のあとに時刻：「次回の更新は14時30分です」') },
  { id: 'next_update.ja.time_then_cue', element: 'next_update', lang: 'ja', re: re(`${TIME}${GAP}${JA_UPDATE_CUE}`), what: t('a time followed by an update promise (ja): 「30分後に改めてご報告します」', '時刻のあとに更新の約束：「30分後に改めてご報告します」「15分ごとに更新します」') },

  { id: 'eta.en.duration', element: 'eta', lang: 'en', re: re(EN_DURATION), what: t('a duration: “in 15 minutes”, “within an hour”, “2h”', '所要時間（英語）：in 15 minutes'), reject: startedAt },
  { id: 'eta.en.clock', element: 'eta', lang: 'en', re: re(EN_CLOCK), what: t('a time of day: “by 14:30”, “3pm”, “within the hour”, “end of day”', '時刻（英語）：by 14:30'), reject: startedAt },
  { id: 'eta.ja.clock', element: 'eta', lang: 'ja', re: re(JA_CLOCK), what: t('a time of day (ja): 「14時30分」「15時半」「本日中」', '時刻：「14時30分」「15時半」「本日中」'), reject: startedAt },
  { id: 'eta.ja.duration', element: 'eta', lang: 'ja', re: re(JA_DURATION), what: t('a duration (ja): 「15分」「30分後」「1時間以内」', '所要時間：「15分」「30分後」「1時間以内」'), reject: startedAt },

  { id: 'impact.en.who', element: 'impact', lang: 'en', re: re(String.raw`\b(?:all|some|most|many|every|several|a few|few|no|about|around|\d+(?:\.\d+)?\s*%(?:\s+of)?)\s+(?:of\s+)?(?:the\s+|our\s+)?(?:[\w-]+\s+)?(?:users?|customers?|clients?|people|messages?|requests?|teams?|accounts?|visitors?|partners?)\b`), what: t('who is affected, with a quantity: “all users”, “some messages”, “10% of requests”', '数量つきの対象（英語）：all users') },
  { id: 'impact.en.percent', element: 'impact', lang: 'en', re: re(String.raw`\d+(?:\.\d+)?\s*(?:%|percent\b)`), what: t('a share: “10%”', '割合（英語）') },
  { id: 'impact.en.effect', element: 'impact', lang: 'en', re: re(String.raw`\b(?:users?|customers?|clients?|messages?|the (?:page|site|chat|api|relay|service)|chatbridge|help desk|sign-?in|login)\b[^.!?\n]{0,40}?\b(?:can(?:no|')t|cannot|unable|won't|not (?:load|loading|able|delivered|shown|visible)|fail(?:s|ed|ing)?|down|broken|garbled|lost|delayed|errors?|time(?:s|d)? ?out|timing out|affected|see(?:s|ing)?|get(?:s|ting)?)\b`), what: t('who or what, and what happens to it: “users cannot load the page”, “messages are garbled”', '対象と症状（英語）：users cannot load the page') },
  { id: 'impact.en.word', element: 'impact', lang: 'en', re: re(String.raw`\b(?:affect(?:s|ed|ing)?|impact(?:s|ed|ing)?|unaffected|no data (?:was |is )?lost|data loss)\b`), what: t('the words “affected”, “impact”, “data loss”', '「affected」「impact」などの語（英語）') },
  { id: 'impact.ja.who', element: 'impact', lang: 'ja', re: re(String.raw`(?:全|すべての|全ての|一部の?|多くの|大半の|約?\d+(?:\.\d+)?\s*[%％](?:の)?|数名の|複数の)\s*(?:ユーザー?|お客様|顧客|利用者|メッセージ|リクエスト|アカウント|チーム)`), what: t('who is affected, with a quantity (ja): 「全ユーザー」「一部のお客様」', '数量つきの対象：「全ユーザー」「一部のお客様」「約10%のリクエスト」') },
  { id: 'impact.ja.word', element: 'impact', lang: 'ja', re: re(String.raw`影響(?:範囲|は|が|を|あり|なし|して|を受け|が出て|の出)|\d+(?:\.\d+)?\s*[%％]`), what: t('the word 影響 (impact) or a share (ja)', '「影響」の語、または割合') },
  { id: 'impact.ja.effect', element: 'impact', lang: 'ja', re: re(String.raw`(?:ユーザー?|お客様|顧客|利用者|メッセージ|ページ|サイト|チャット|API|中継|ChatBridge|ヘルプデスク)[^。！？\n]{0,20}?(?:できない|できません|できず|表示されない|表示されません|表示されず|開かない|開けない|届かない|届きません|失敗|エラー|文字化け|遅延|遅れ|使えない|使えません|繋がらない|つながらない|接続できない|見られない|タイムアウト)`), what: t('who or what, and what happens to it (ja): 「ユーザーがページを開けない」', '対象と症状：「ユーザーがページを開けない」「メッセージが文字化けしている」') },

  { id: 'current_action.en.doing', element: 'current_action', lang: 'en', re: re(String.raw`\b(?:investigating|looking into|rolling (?:[\w-]+ ){0,2}back|rolled (?:[\w-]+ ){0,2}back|reverting|reverted|undoing|undid|restarting|restarted|working on|fixing|fixed|deploying|deployed|debugging|mitigating|mitigated|monitoring|diagnosing|checking|applying|applied|restoring|restored|escalat(?:ing|ed) to|paging|paged|in progress)\b`), what: t('what the team is doing or has done: “we are investigating”, “rolling back”, “reverted the change”', '対応中の作業（英語）：we are rolling back') },
  { id: 'current_action.ja.doing', element: 'current_action', lang: 'ja', re: re(String.raw`(?:調査|確認|対応|切り戻し|ロールバック|復旧作業|再起動|修正|切り分け|監視|デプロイ|適用|解析|分析|原因究明|作業|復旧|元に戻|差し戻)(?:中|を?(?:進めて|行って|実施して|して|し)(?:います|いる|おります)|しました|済み|が完了|を完了|を開始)`), what: t('what the team is doing or has done (ja): 「調査中」「切り戻し中です」「ロールバックしました」', '対応中・対応済みの作業：「調査中」「切り戻し中です」「ロールバックしました」') },

  { id: 'decision.en.we_will', element: 'decision', lang: 'en', re: re(String.raw`\bwe(?:'ll| will| are going to|'re going to| won't| will not| are not going to|'re not going to| decided| have decided|'ve decided| chose| choose| are choosing| plan to| prefer| can't| cannot)\b(?! (?:update|get back|let you know|report|keep you|post an? (?:status )?update|send an? (?:status )?update|follow up))`), what: t('a stated choice: “we will roll back”, “we won’t restart”, “we decided…” (not “we will update you”)', '明言された選択（英語）：we will roll back / we won’t restart') },
  { id: 'decision.en.word', element: 'decision', lang: 'en', re: re(String.raw`\b(?:decided|decision is|instead|rather than|going with|go with|opt(?:ed|ing)? (?:for|to)|not (?:going to )?(?:wait|restart|scale)|no need to)\b`), what: t('“decided”, “instead”, “rather than”, “go with”', '「instead」「rather than」などの語（英語）') },
  {
    id: 'decision.ja.choice',
    element: 'decision',
    lang: 'ja',
    re: re(String.raw`判断|決定|決めました|方針|見送|採用し|代わりに|ではなく|せずに|ことにしました|ことにします|しないことに`),
    what: t('a stated choice (ja): 「判断」「見送り」「〜ではなく」「〜することにしました」', '選択を示す語：「判断」「見送り」「〜ではなく」「〜することにしました」'),
  },
  {
    id: 'decision.ja.shimasu',
    element: 'decision',
    lang: 'ja',
    re: re(String.raw`([\p{Script=Han}\p{Script=Katakana}ー]{2,})(?:を|は)?(?:します|しません|いたします|いたしません|致します)(?![か？?])`),
    what: t('an action stated as done or not done (ja): 「ロールバックします」「再起動しません」 (not 「ご連絡します」)', '行う・行わないの明言：「ロールバックします」「再起動しません」（「ご連絡します」などの連絡は除く）'),
    // Promises to report are next_update; outcomes (復旧します "it will recover") are not choices.
    reject: (_b, match) => /(?:連絡|報告|更新|共有|お知らせ|通知|復旧|解消|完了|発生)/.test(match),
  },

  { id: 'cause.en.word', element: 'cause', lang: 'en', re: re(String.raw`\b(?:because|caused by|due to|root cause|(?:the )?cause (?:is|was|seems|appears|looks)|triggered by|(?:a |the )?result of|came from|traced (?:it )?(?:back )?to|narrowed (?:it )?down to|the (?:problem|issue|culprit) (?:is|was)|after (?:the|a|our|last) (?:release|deploy(?:ment)?|change|commit|update|rollout))\b`), what: t('a reason: “because…”, “caused by…”, “due to…”, “after the release…”', '理由（英語）：because / caused by / due to') },
  { id: 'cause.en.change', element: 'cause', lang: 'en', re: re(String.raw`\b(?:cause[:：]|(?:a|the|our|last|recent|this) (?:[\w.-]+ ){0,2}(?:change|release|deploy(?:ment)?|commit|rollout|update|policy|bug) (?:moved|broke|changed|set|caused|dropped|introduced|garbles|garbled|decodes|decoded|blocked|blocks|cut|cuts|denies|denied|points|pointed))`), what: t('what a change did: “a config change moved the route”, “release 1.5.0 garbles text”, “Cause: …”', '変更が何をしたか（英語）：a config change moved the route') },
  { id: 'cause.en.evidence', element: 'cause', lang: 'en', re: re(String.raw`\b(?:the )?(?:logs?|metrics|traces?|dashboards?|canary|change history) (?:show|shows|showed|say|says|point|points|pointed)\b`), what: t('what the evidence shows: “the logs show…”', '根拠となる観測（英語）：the logs show…') },
  { id: 'cause.ja.word', element: 'cause', lang: 'ja', re: re(String.raw`原因(?:は|が|と|として|です|でした|[:：])|による|によって|が原因|起因|のせい|の影響で|(?:リリース|変更|デプロイ|設定|コミット)(?:後|の(?:影響|せい|ため))|(?<!念の)ため(?:です|でした)`), what: t('a reason (ja): 「原因は〜」「〜によるもの」「〜の影響で」', '理由：「原因は〜」「〜によるもの」「〜の影響で」「設定変更後」') },

  { id: 'workaround.en.word', element: 'workaround', lang: 'en', re: re(String.raw`\b(?:meanwhile|in the meantime|for now|until then|until it is fixed|workaround|work around|temporar(?:y|ily)|you can|users can|they can|(?:please|try) (?:use|using|refresh|reload|retry|wait|switch|clear)|if you need)\b`), what: t('what users can do meanwhile: “meanwhile you can…”, “please reload”, “workaround”', '当面の回避策（英語）：meanwhile you can… / please reload') },
  { id: 'workaround.ja.word', element: 'workaround', lang: 'ja', re: re(String.raw`回避策|回避方法|回避でき|暫定(?:対応|措置|策)?|代替|その間|それまで(?:の間)?|当面|ひとまず|ご利用いただけ|お試しください|再読み込み|リロード|いただければ|使えます|ご利用ください`), what: t('what users can do meanwhile (ja): 「回避策」「その間は〜をご利用いただけます」', '当面の回避策：「回避策」「その間は〜をご利用いただけます」「再読み込みをお試しください」') },
];

/** Blank out [start, end) spans, keeping offsets. */
function mask(text: string, spans: Evidence[]): string {
  let out = text;
  for (const s of spans) out = out.slice(0, s.start) + ' '.repeat(s.end - s.start) + out.slice(s.end);
  return out;
}

/** The first acceptable match of a rule in `text` (folded), scanning on past rejected matches. */
const globalRe = new Map<Rule, RegExp>();

function firstMatch(rule: Rule, folded: string, original: string): Evidence | undefined {
  let g = globalRe.get(rule);
  if (!g) globalRe.set(rule, (g = new RegExp(rule.re.source, `${rule.re.flags}g`)));
  g.lastIndex = 0;
  for (let m = g.exec(folded); m; m = g.exec(folded)) {
    if (m[0].length === 0) {
      g.lastIndex++;
      continue;
    }
    const start = m.index;
    const end = start + m[0].length;
    if (rule.reject?.(folded.slice(Math.max(0, start - 30), start), m[0], folded.slice(end, end + 12))) {
      // Skip the whole match: resuming inside it would find "4:02" in a rejected "at 14:02".
      g.lastIndex = end;
      continue;
    }
    const raw = original.slice(start, end);
    // Report the words, not the spaces around them.
    const lead = raw.length - raw.trimStart().length;
    return { start: start + lead, end: start + lead + raw.trim().length, text: raw.trim() };
  }
  return undefined;
}

/** Find one element: the first rule (in table order) that matches. */
function findElement(element: ExpectElement, folded: string, original: string): { rule: Rule; evidence: Evidence } | undefined {
  for (const rule of RULES) {
    if (rule.element !== element) continue;
    const evidence = firstMatch(rule, folded, original);
    if (evidence) return { rule, evidence };
  }
  return undefined;
}

/**
 * Which of `expects` the text carries. A time that belongs to a next-update promise
 * ("next update in 30 minutes") is not also an ETA.
 */
export function detectExpects(text: string, expects: readonly ExpectElement[]): ExpectsResult {
  const folded = fold(text);
  const update = findElement('next_update', folded, text);
  const withoutUpdate = update ? mask(folded, [update.evidence]) : folded;
  const findings = expects.map((element): ExpectFinding => {
    const hit = element === 'next_update' ? update : findElement(element, element === 'eta' ? withoutUpdate : folded, text);
    const label = ELEMENT_LABEL[element];
    if (!hit) return { element, found: false, explanation: MISSING[element] };
    return {
      element,
      found: true,
      rule: hit.rule.id,
      evidence: hit.evidence,
      explanation: t(`${label.en} found: “${hit.evidence.text}” (${hit.rule.what.en})`, `${label.ja}あり：「${hit.evidence.text}」（${hit.rule.what.ja}）`),
    };
  });
  const found = findings.filter((f) => f.found).map((f) => f.element);
  return {
    findings,
    found,
    missing: findings.filter((f) => !f.found).map((f) => f.element),
    coverage: expects.length ? found.length / expects.length : 1,
  };
}
