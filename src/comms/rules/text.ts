/**
 * Text helpers shared by the communication rules. Pure.
 */

// eslint-disable-next-line no-control-regex -- ASCII is exactly \x00-\x7f
const ASCII = /^[\x00-\x7f]*$/;

/**
 * Width-fold for matching: full-width digits, letters and colons become ASCII ("１４：３０" → "14:30")
 * and half-width katakana become full-width, character by character, so every offset in the folded
 * text is an offset in the original (evidence spans point at what the team wrote).
 */
export function fold(text: string): string {
  // ASCII is its own NFKC form: most messages need no per-character normalization.
  if (ASCII.test(text)) return text;
  let out = '';
  for (const ch of text) {
    const n = ch.normalize('NFKC');
    out += n.length === ch.length ? n : ch;
  }
  return out;
}

/** Letters of any script, digits: what a message is made of once punctuation, emoji and spaces are gone. */
const MEANINGFUL = /[\p{L}\p{N}]/u;
/** Han, hiragana, katakana: one of these carries about as much as two Latin letters. */
const CJK = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/u;

/** The text reduced to what carries meaning, lower case: the key for "a copy of an earlier message". */
export function essence(text: string): string {
  let out = '';
  const folded = fold(text).toLowerCase();
  if (ASCII.test(folded)) return folded.replace(/[^a-z0-9]+/g, '');
  for (const ch of folded) if (MEANINGFUL.test(ch)) out += ch;
  return out;
}

/** Meaningful characters, weighted: a Latin letter or digit counts 1, a CJK character (kanji, kana) counts 2. */
export function weight(text: string): number {
  let n = 0;
  for (const ch of essence(text)) n += CJK.test(ch) ? 2 : 1;
  return n;
}

export const isCjk = (ch: string): boolean => CJK.test(ch);
