import { useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { normStatus } from '../lib/model.js';
import { t } from '../lib/i18n.js';
import { clientId, ErrorText, Section, useAction, useAsync } from '../lib/ui.js';
import { StatusUpdateView } from '../spectator/TeamPanel.js';
import { promiseOf } from '../lib/status.js';

/** The public status page, written by the Communications Lead. */
export function StatusForm({ teamId, version }: { teamId: string; version: number }) {
  const [text, setText] = useState('');
  const [impact, setImpact] = useState('');
  const [action, setAction] = useState('');
  const [next, setNext] = useState('15');
  const [resolved, setResolved] = useState(false);
  const a = useAction();
  const current = useAsync((signal) => api(`/api/teams/${encodeURIComponent(teamId)}/status`, { signal }).then(normStatus), [teamId, version]);
  return (
    <Section title={t('war.tab.status')}>
      <div class="grid2">
        <form
          data-testid="status-form"
          onSubmit={async (e) => {
            e.preventDefault();
            const body = {
              text: text.trim(),
              ...(impact.trim() ? { impact: impact.trim() } : {}),
              ...(action.trim() ? { currentAction: action.trim() } : {}),
              ...(next.trim() && !resolved ? { nextUpdateInMinutes: Number(next) } : {}),
              resolved,
              clientId: clientId(),
            };
            if (await a.run(() => post('/api/team/status', body))) {
              setText('');
              setResolved(false);
              current.reload();
            }
          }}
        >
          <label>
            {t('st.text')}
            <textarea maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
          </label>
          <label>
            {t('st.impact')}
            <input maxLength={1000} value={impact} onInput={(e) => setImpact(e.currentTarget.value)} />
          </label>
          <label>
            {t('st.currentAction')}
            <input maxLength={1000} value={action} onInput={(e) => setAction(e.currentTarget.value)} />
          </label>
          <label>
            {t('st.nextUpdate')}
            <input type="number" min={1} max={240} value={next} disabled={resolved} onInput={(e) => setNext(e.currentTarget.value)} />
          </label>
          <label class="inline">
            <input type="checkbox" checked={resolved} onChange={(e) => setResolved(e.currentTarget.checked)} />
            {t('st.resolved')}
          </label>
          <div class="row">
            <button class="primary" disabled={a.busy || !text.trim()}>
              {t('st.publish')}
            </button>
            {a.done && <span class="ok">{t('st.published')}</span>}
          </div>
          <ErrorText error={a.error} />
        </form>
        <div>
          <h3>{t('team.status')}</h3>
          <ErrorText error={current.error} />
          {current.data?.updates.length === 0 && <p class="muted">{t('team.noStatus')}</p>}
          {current.data?.updates.slice(0, 5).map((u, i, all) => <StatusUpdateView key={i} u={u} promise={promiseOf(all, i)} />)}
        </div>
      </div>
    </Section>
  );
}
