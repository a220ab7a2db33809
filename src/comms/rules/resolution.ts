import type { Text } from '../../scenario/types.js';
import type { Evidence } from './expects.js';
import { substance, type Earlier, type SubstanceResult } from './substance.js';
import { fold } from './text.js';

/**
 * A resolution notice: a team message in `#stakeholders` that says the problem is resolved (issue
 * 15's business-side sign-off; a status update marked `resolved` with substance counts too, checked
 * where status updates are read). Pure. A message is a resolution notice when
 *   1. it has substance (the rules of ./substance.ts, as for answers), and
 *   2. one of its sentences states, in the past or present, that it is fixed:
 *      English `resolved`, `fixed`, `restored`, `recovered`, `back up|online|to normal`,
 *      `working again|normally`, `works again`, `up and running`, `all clear`, `no longer down|affected`;
 *      Japanese `復旧|解消|解決|回復|収束|正常化` + `しました|いたしました|されました|済み|完了|しています`,
 *      `直りました|直っています`, `元に戻りました`, `正常に戻りました|戻っています`, `正常に動作|稼働|利用でき`;
 *   3. and that statement is not negated, promised or asked: an English statement preceded in its
 *      clause by `not`, `n't`, `no`, `yet`, `will`, `should`, `expect`, `hope`, `once`, `when`,
 *      `until`, `before`, `if`, `soon` or `almost`, or any statement in a sentence that ends with a
 *      question mark ("Is it fixed?"), or a Japanese one followed by `か` or `ら` ("復旧しましたか",
 *      "解決しましたら") does not count. "Will be restored in 15 minutes", "まだ復旧していません",
 *      "復旧見込みは15分後" are not notices.
 */

const EN = /\b(?:resolved|fixed|restored|recovered|back (?:up|online|to normal)|working (?:again|normally)|works again|up and running|all clear|no longer (?:down|broken|affected))\b/g;
const EN_BLOCK = /\b(?:not|no|yet|will|should|expect(?:ed|s)?|hope|hoping|once|when|until|before|if|soon|almost|being)\b|n't\b|n’t\b/;
const JA = /(?:復旧|解消|解決|回復|収束|正常化)(?:しました|いたしました|されました|済み|済|完了|しています|しております)|直りました|直っています|元に戻りました|正常に戻りました|正常に戻っています|正常に(?:動作|稼働|利用でき)/g;
/** Where a sentence or clause ends (a statement's negation or promise stays inside its clause). */
const SENTENCE_END = /[.!?。！？\n]/;
const CLAUSE_END = /[.!?。！？\n,;:、，；：]/;

const t = (en: string, ja: string): Text => ({ en, ja });

export type ResolutionNotice =
  | { ok: true; evidence: Evidence; explanation: Text }
  | { ok: false; substance?: SubstanceResult; explanation: Text };

/** The sentence around [start, end): from the previous sentence end to the next one (inclusive of it). */
function sentenceAround(s: string, start: number, end: number): { before: string; after: string; clauseBefore: string } {
  let a = start;
  while (a > 0 && !SENTENCE_END.test(s[a - 1]!)) a--;
  let b = end;
  while (b < s.length && !SENTENCE_END.test(s[b]!)) b++;
  let c = start;
  while (c > a && !CLAUSE_END.test(s[c - 1]!)) c--;
  return { before: s.slice(a, start), after: s.slice(end, Math.min(s.length, b + 1)), clauseBefore: s.slice(c, start) };
}

/** Does this team message in `#stakeholders` say it is resolved? `earlier`: the channel's earlier messages (a copy is not a notice). */
export function resolutionNotice(text: string, earlier: readonly Earlier[] | ReadonlyMap<string, number> = []): ResolutionNotice {
  const sub = substance(text, earlier);
  if (!sub.ok) return { ok: false, substance: sub, explanation: t(`no resolution notice: ${sub.reason.en}`, `解決の連絡にならない：${sub.reason.ja}`) };
  const folded = fold(text);
  const lower = folded.toLowerCase();
  for (const m of lower.matchAll(EN)) {
    const start = m.index;
    const end = start + m[0].length;
    const around = sentenceAround(lower, start, end);
    if (EN_BLOCK.test(around.clauseBefore) || /[?？]\s*$/.test(around.after)) continue;
    return { ok: true, evidence: { start, end, text: text.slice(start, end) }, explanation: t(`says it is resolved (“${text.slice(start, end)}”)`, `解決したと伝えている（「${text.slice(start, end)}」）`) };
  }
  for (const m of folded.matchAll(JA)) {
    const start = m.index;
    const end = start + m[0].length;
    const next = folded.slice(end, end + 1);
    const around = sentenceAround(folded, start, end);
    if (next === 'か' || next === 'ら' || /[?？]\s*$/.test(around.after)) continue;
    return { ok: true, evidence: { start, end, text: text.slice(start, end) }, explanation: t(`says it is resolved (“${text.slice(start, end)}”)`, `解決したと伝えている（「${text.slice(start, end)}」）`) };
  }
  return { ok: false, explanation: t('does not say it is resolved (no “resolved”, “fixed”, “restored”, “back to normal”…)', '解決したと書かれていない（「復旧しました」「解消しました」など）') };
}
