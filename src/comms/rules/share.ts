import type { ExpectElement, Range, Text } from '../../scenario/types.js';
import { detectExpects, type ExpectsResult } from './expects.js';
import { substance, type SubstanceResult } from './substance.js';
import { essence } from './text.js';
import type { QuestionThread } from './threading.js';

/**
 * The automatic share of one question, and the checks of one status update. Pure.
 *
 * Question share = 0 when it has no answer (unanswered, late, still open, or only attempts
 * without substance); otherwise
 *     share = LATENCY_WEIGHT × latencyShare + COVERAGE_WEIGHT × coverage
 * with latencyShare = 1 up to range.fullWithin, linear to 0 at range.zeroAt (the scenario's
 * scoring.communication.ctoAnswer: 2 → 8 min by default) and coverage = expected elements found /
 * expected (1 when the question expects nothing). Defaults: 0.5 and 0.5, so a prompt answer that
 * carries nothing expected still earns half, and a complete answer at 5 minutes earns 0.75.
 */

export const LATENCY_WEIGHT = 0.5;
export const COVERAGE_WEIGHT = 0.5;

/** Same curve as the scoring fold's rangeShare (kept here so this module imports no scoring code). */
export function latencyShare(ms: number, r: Range): number {
  if (ms <= r.fullWithinMs) return 1;
  if (ms >= r.zeroAtMs) return 0;
  return (r.zeroAtMs - ms) / (r.zeroAtMs - r.fullWithinMs);
}

export interface QuestionScore {
  seq: number;
  share: number;
  latencyShare: number;
  coverage: number;
  /** Present when the question has an answer. */
  expects?: ExpectsResult;
  /** What the team and judges read. */
  note: Text;
  /** Event seqs behind the number: the question, its answer or attempts. */
  evidence: number[];
}

const t = (en: string, ja: string): Text => ({ en, ja });
const mmss = (ms: number) => `${Math.floor(ms / 60_000)}:${String(Math.floor((ms % 60_000) / 1000)).padStart(2, '0')}`;

/** Score one threaded question. `answerText` is the text of `thread.answer.seq`. */
export function questionShare(thread: QuestionThread, expects: readonly ExpectElement[], answerText: string | undefined, range: Range): QuestionScore {
  const evidence = [thread.seq, ...thread.attempts.map((a) => a.seq), ...(thread.late ? [thread.late.seq] : []), ...(thread.answer ? [thread.answer.seq] : [])].sort((a, b) => a - b);
  if (!thread.answer || answerText === undefined) {
    const why =
      thread.status === 'late'
        ? t(`answered after the window (${mmss(thread.late!.latencyMs)})`, `回答期限後の回答（${mmss(thread.late!.latencyMs)}）`)
        : thread.attempts.length
          ? t(`no answer with substance (${thread.attempts.map((a) => `#${a.seq}: ${a.reason.en}`).join('; ')})`, `中身のある回答なし（${thread.attempts.map((a) => `#${a.seq}: ${a.reason.ja}`).join('、')}）`)
          : thread.status === 'open'
            ? t('not answered yet', '未回答')
            : t('unanswered', '回答なし');
    return { seq: thread.seq, share: 0, latencyShare: 0, coverage: 0, note: why, evidence };
  }
  const lat = latencyShare(thread.answer.latencyMs, range);
  const ex = detectExpects(answerText, expects);
  const share = LATENCY_WEIGHT * lat + COVERAGE_WEIGHT * ex.coverage;
  const missing = ex.findings.filter((f) => !f.found);
  const note = t(
    `answered in ${mmss(thread.answer.latencyMs)} by #${thread.answer.seq}${expects.length ? `; ${ex.found.length} of ${expects.length} expected${missing.length ? ` (${missing.map((f) => f.explanation.en).join('; ')})` : ''}` : ''}`,
    `#${thread.answer.seq} が ${mmss(thread.answer.latencyMs)} で回答${expects.length ? `、期待 ${expects.length} 項目中 ${ex.found.length}${missing.length ? `（${missing.map((f) => f.explanation.ja).join('、')}）` : ''}` : ''}`,
  );
  return { seq: thread.seq, share, latencyShare: lat, coverage: ex.coverage, expects: ex, note, evidence };
}

// --- status updates -------------------------------------------------------------------------------

export type StatusField = 'impact' | 'currentAction' | 'nextUpdateAt';

export interface FieldCheck {
  ok: boolean;
  /** Why not, when not ok. */
  reason?: Text;
  substance?: SubstanceResult;
}

export interface StatusCheck {
  fields: Record<StatusField, FieldCheck>;
  /** The update's free text (the resolution notice's words, too). */
  text: FieldCheck;
  /** Required fields that pass / required fields; 1 when none is required. */
  share: number;
}

export interface StatusInput {
  gameTime: number;
  text: string;
  impact?: string;
  currentAction?: string;
  nextUpdateAt?: number;
}

function textField(value: string | undefined, other: { name: Text; value: string | undefined }): FieldCheck {
  if (value === undefined || value.trim() === '') return { ok: false, reason: t('missing', '未記入') };
  const s = substance(value);
  if (!s.ok) return { ok: false, reason: s.reason, substance: s };
  // A field that only repeats its sibling says nothing new (impact = current action).
  if (other.value !== undefined && essence(other.value) === essence(value)) return { ok: false, reason: t(`same as the ${other.name.en} field`, `「${other.name.ja}」欄と同じ内容`) };
  return { ok: true, substance: s };
}

/**
 * Check a status update's fields for substance. impact and currentAction: the substance rules
 * (a field equal to another field of the same update counts as empty; repeating the previous
 * update's impact is fine — impact often stays the same). nextUpdateAt: present and after the
 * update itself. `required` are the scenario's scoring.communication.requiredFields.
 */
export function checkStatusUpdate(u: StatusInput, required: readonly StatusField[]): StatusCheck {
  const fields: Record<StatusField, FieldCheck> = {
    impact: textField(u.impact, { name: t('current action', '現在の対応'), value: u.currentAction }),
    currentAction: textField(u.currentAction, { name: t('impact', '影響'), value: u.impact }),
    nextUpdateAt:
      u.nextUpdateAt === undefined
        ? { ok: false, reason: t('missing', '未記入') }
        : u.nextUpdateAt <= u.gameTime
          ? { ok: false, reason: t('the next-update time is not in the future', '次回更新の時刻が過去') }
          : { ok: true },
  };
  const body = substance(u.text);
  return {
    fields,
    text: body.ok ? { ok: true, substance: body } : { ok: false, reason: body.reason, substance: body },
    share: required.length ? required.filter((k) => fields[k].ok).length / required.length : 1,
  };
}
