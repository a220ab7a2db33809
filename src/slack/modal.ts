/**
 * The status-update modal (`/status` or the message shortcut): Block Kit built here, read back from
 * the `view_submission` payload. The team travels in `private_metadata` (set when the modal opened
 * from one of its channels).
 */

export const STATUS_CALLBACK = 'firedrill_status';

const LABELS = {
  en: { title: 'Status update', submit: 'Publish', text: 'What is happening', impact: 'Impact (who is affected)', action: 'What we are doing now', next: 'Next update in (minutes)', resolved: 'This is the resolution notice (the incident is over)', resolvedLabel: 'Resolution' },
  ja: { title: '状況報告', submit: '公開', text: '何が起きているか', impact: '影響（誰に影響しているか）', action: '現在の対応', next: '次回報告まで（分）', resolved: 'これは復旧の報告です（インシデント終了）', resolvedLabel: '復旧' },
} as const;

const input = (block: string, label: string, element: Record<string, unknown>, optional = true) => ({
  type: 'input',
  block_id: block,
  optional,
  label: { type: 'plain_text', text: label },
  element: { action_id: block, ...element },
});

export function statusModal(team: string, lang: 'en' | 'ja', initialText: string): Record<string, unknown> {
  const l = LABELS[lang];
  return {
    type: 'modal',
    callback_id: STATUS_CALLBACK,
    private_metadata: JSON.stringify({ team }),
    title: { type: 'plain_text', text: l.title },
    submit: { type: 'plain_text', text: l.submit },
    blocks: [
      input('text', l.text, { type: 'plain_text_input', multiline: true, max_length: 3000, ...(initialText.trim() ? { initial_value: initialText.slice(0, 3000) } : {}) }, false),
      input('impact', l.impact, { type: 'plain_text_input', max_length: 1000 }),
      input('current_action', l.action, { type: 'plain_text_input', max_length: 1000 }),
      input('next_update', l.next, { type: 'number_input', is_decimal_allowed: false, min_value: '1', max_value: '1440' }),
      input('resolved', l.resolvedLabel, { type: 'checkboxes', options: [{ text: { type: 'plain_text', text: l.resolved }, value: 'resolved' }] }),
    ],
  };
}

export type StatusForm =
  | { team: string; text: string; impact?: string; currentAction?: string; nextUpdateInMinutes?: number; resolved?: boolean }
  | { errors: Record<string, string> };

type Values = Record<string, Record<string, { type: string; value?: string | null; selected_options?: Array<{ value: string }> }>>;

export function readStatusModal(view: { private_metadata?: string; state?: { values: Values } }): StatusForm {
  let team = '';
  try {
    team = String((JSON.parse(view.private_metadata ?? '{}') as { team?: unknown }).team ?? '');
  } catch {
    team = '';
  }
  const v = (block: string) => view.state?.values[block]?.[block]?.value ?? '';
  const text = v('text');
  if (!text.trim()) return { errors: { text: 'Write what is happening.' } };
  const next = v('next_update');
  const minutes = next.trim() === '' ? undefined : Number(next);
  if (minutes !== undefined && (!Number.isFinite(minutes) || minutes <= 0 || minutes > 1440)) return { errors: { next_update: 'Minutes between 1 and 1440.' } };
  return {
    team,
    text,
    ...(v('impact').trim() ? { impact: v('impact') } : {}),
    ...(v('current_action').trim() ? { currentAction: v('current_action') } : {}),
    ...(minutes !== undefined ? { nextUpdateInMinutes: minutes } : {}),
    ...(view.state?.values.resolved?.resolved?.selected_options?.some((o) => o.value === 'resolved') ? { resolved: true } : {}),
  };
}
