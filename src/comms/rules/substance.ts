import type { Text } from '../../scenario/types.js';
import { essence, fold, weight } from './text.js';

/**
 * Substance: an answer or a status-update field that is empty of content counts as no answer.
 * The rules, in the order they are tried (the first that applies is the reason shown):
 *   1. empty — nothing but whitespace;
 *   2. only punctuation — no letter or digit of any script (".", "…", "!!!", "🙏");
 *   3. a single repeated character — "xxxx", "ああああ", "1111";
 *   4. a placeholder — the whole text is one of PLACEHOLDERS ("ok", "x", "test", "了解", "対応中"…);
 *   5. a copy of an earlier message — same letters and digits, ignoring case, width, spaces and
 *      punctuation (copying the question back, pasting the previous answer);
 *   6. too short — fewer than MIN_WEIGHT meaningful characters, a Latin letter or digit counting 1
 *      and a kanji or kana counting 2 (Japanese says more per character): "on it" (4), "確認します" (10).
 * Pure.
 */

export const MIN_WEIGHT = 12;

/** Whole-text placeholders, compared by essence (lower case, no spaces or punctuation). */
export const PLACEHOLDERS: readonly string[] = [
  'ok', 'okay', 'k', 'kk', 'x', 'xx', 'test', 'testing', 'tbd', 'todo', 'na', 'none', 'nil', 'null', 'yes', 'no', 'ack', 'acked',
  'noted', 'roger', 'wip', 'asdf', 'hoge', 'fuga', 'foo', 'bar', 'lorem ipsum', 'thanks', 'thank you', 'sure', 'will do', 'on it',
  'checking', 'looking', 'looking into it', 'investigating', 'see above', 'same as above',
  'テスト', 'はい', 'いいえ', '了解', '了解です', '了解しました', '承知', '承知しました', '確認します', '確認中', '確認中です',
  '対応中', '対応中です', '調査中', '調査中です', '対応します', 'ありがとうございます', '同上', 'なし', '特になし', 'ほげ',
].map(essence);

export interface Earlier {
  seq: number;
  text: string;
}

export type SubstanceResult =
  | { ok: true; weight: number }
  | { ok: false; rule: 'empty' | 'punctuation' | 'repeated' | 'placeholder' | 'copy' | 'short'; weight: number; copyOf?: number; reason: Text };

const t = (en: string, ja: string): Text => ({ en, ja });

/**
 * Does `text` say something? `earlier` are the messages it must not copy (an answer: the channel's
 * earlier messages, questions included), as a list or as a map from `essence(text)` to the seq.
 */
export function substance(text: string, earlier: readonly Earlier[] | ReadonlyMap<string, number> = [], minWeight = MIN_WEIGHT): SubstanceResult {
  const core = essence(text);
  const w = weight(text);
  if (fold(text).trim() === '') return { ok: false, rule: 'empty', weight: 0, reason: t('empty', '空欄') };
  if (core === '') return { ok: false, rule: 'punctuation', weight: 0, reason: t('only punctuation', '記号のみ') };
  if (new Set(core).size === 1 && core.length > 1) {
    return { ok: false, rule: 'repeated', weight: w, reason: t(`a single repeated character (“${[...core][0]}”)`, `同じ文字の繰り返し（「${[...core][0]}」）`) };
  }
  if (PLACEHOLDERS.includes(core)) return { ok: false, rule: 'placeholder', weight: w, reason: t(`a placeholder (“${text.trim()}”)`, `中身のない定型句（「${text.trim()}」）`) };
  // A map (essence → first seq) is the fast path for callers that thread many messages.
  const copyOf = earlier instanceof Map ? earlier.get(core) : (earlier as readonly Earlier[]).find((e) => essence(e.text) === core)?.seq;
  if (copyOf !== undefined) return { ok: false, rule: 'copy', weight: w, copyOf, reason: t(`copy of message #${copyOf}`, `メッセージ #${copyOf} の複製`) };
  if (w < minWeight) {
    return { ok: false, rule: 'short', weight: w, reason: t(`too short: ${w} meaningful characters (needs ${minWeight}; kanji and kana count 2)`, `短すぎる：意味のある文字が${w}（${minWeight}以上必要、漢字・かなは2と数える）`) };
  }
  return { ok: true, weight: w };
}
