import { useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { loc, t } from '../lib/i18n.js';
import { ConfirmButton, ErrorText, nameField, Section, useAction, useAsync } from '../lib/ui.js';
import type { Hints as HintsAnswer } from '../../../src/contract/team.js';
import { playedFaults, type TeamState } from './model.js';

/** Hints of the faults that have happened; each costs points, so it asks before it shows one. */
export function Hints({ state, version }: { state: TeamState; version: number }) {
  const a = useAction();
  const hints = useAsync((signal) => api<HintsAnswer>('/api/team/hints', { signal }), [version]);
  const title = (fault: string) => {
    const f = playedFaults(state).find((x) => x.id === fault);
    return f?.title ? loc(f.title) : fault;
  };
  const list = hints.data?.hints ?? [];
  return (
    <Section title={t('war.tab.hints')}>
      <ErrorText error={hints.error ?? a.error} />
      {hints.data && list.length === 0 && <p class="muted">{t('hint.none')}</p>}
      <ol>
        {list.map((h) => (
          <li key={`${h.fault}/${h.id}`} data-hint={h.id} data-fault={h.fault}>
            <div class="muted small">{title(h.fault)}</div>
            {h.taken && h.text ? (
              <p class="pre">{loc(h.text)}</p>
            ) : (
              <ConfirmButton
                label={t('hint.take', { n: h.cost })}
                question={t('hint.confirm', { n: h.cost })}
                testid={`hint-${h.id}`}
                onConfirm={async () => {
                  if (await a.run(() => post(`/api/team/hints/${encodeURIComponent(h.fault)}/${encodeURIComponent(h.id)}`))) hints.reload();
                }}
              />
            )}
          </li>
        ))}
      </ol>
    </Section>
  );
}

export function Postmortem({ state }: { state: TeamState }) {
  const faults = playedFaults(state);
  const [fault, setFault] = useState(faults.find((f) => ['resolved', 'timed_out', 'recovered'].includes(f.state))?.id ?? faults[0]?.id ?? '');
  const [text, setText] = useState('');
  const a = useAction();
  return (
    <Section title={t('war.tab.postmortem')}>
      <form
        data-testid="postmortem-form"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await a.run(() => post('/api/team/postmortems', { fault, text: text.trim(), ...nameField() }))) setText('');
        }}
      >
        <label>
          {t('pm.fault')}
          <select value={fault} onChange={(e) => setFault(e.currentTarget.value)} required>
            {faults.map((f) => (
              <option key={f.id} value={f.id}>
                {f.title ? loc(f.title) : f.id}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('pm.text')}
          <textarea style={{ minHeight: '14em' }} maxLength={20000} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
        </label>
        <div class="row">
          <button class="primary" disabled={a.busy || !text.trim() || !fault}>
            {t('pm.submit')}
          </button>
          {a.done && <span class="ok">{t('pm.submitted')}</span>}
        </div>
        <ErrorText error={a.error} />
      </form>
    </Section>
  );
}
