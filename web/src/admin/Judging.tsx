import { useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { fmtDuration } from '../lib/format.js';
import { labels, loc, t } from '../lib/i18n.js';
import type { JudgedCriterion, JudgedText, JudgingItem, JudgingQueue, RubricCriterion } from '../../../src/contract/judging.js';
import { ErrorText, organizerName, Section, useAction, useAsync } from '../lib/ui.js';

type Queue = JudgingQueue;
type Item = JudgingItem;
type Criterion = RubricCriterion;
type Judged = JudgedCriterion;
type Text = JudgedText;

function Texts({ texts }: { texts: Text[] }) {
  return (
    <>
      {texts.map((x) => (
        <div key={x.seq} class="status-update">
          <div class="muted small">
            #{x.seq}
            {x.gameTime !== undefined && ` · ${fmtDuration(x.gameTime)}`}
          </div>
          {/* Whatever the team wrote is shown as text. */}
          <div class="pre">{x.text}</div>
        </div>
      ))}
    </>
  );
}

/** One rubric (communication or review) for one team and fault: pick a criterion, score 0–5. */
function RubricForm({ item, category, rubric, judged, onDone }: { item: Item; category: 'communication' | 'review'; rubric: Criterion[]; judged: Judged[]; onDone(): void }) {
  const missing = item[category].missing;
  const [criterion, setCriterion] = useState(missing[0] ?? rubric[0]?.id ?? '');
  const [score, setScore] = useState(3);
  const [note, setNote] = useState('');
  const a = useAction();
  const c = rubric.find((x) => x.id === criterion);
  const mine = (id: string) => judged.find((j) => j.criterion === id);
  return (
    <form
      class="row"
      data-testid={`judge-${category}`}
      onSubmit={async (e) => {
        e.preventDefault();
        const body = { team: item.team, fault: item.fault, category, criterion, score, judge: organizerName(), ...(note.trim() ? { note: note.trim() } : {}) };
        if (await a.run(() => post('/api/admin/judgements', body))) {
          setNote('');
          onDone();
        }
      }}
    >
      <label>
        {t('admin.criterion')}
        <select name="criterion" value={criterion} onChange={(e) => setCriterion(e.currentTarget.value)}>
          {rubric.map((x) => {
            const j = mine(x.id);
            return (
              <option key={x.id} value={x.id}>
                {loc(x.title)}
                {j?.mean != null ? ` ✓ ${j.mean.toFixed(1)}` : ''}
              </option>
            );
          })}
        </select>
      </label>
      <label>
        {t('admin.score05')}
        <input name="score" type="number" min={0} max={5} step={1} style={{ width: '5em' }} value={score} onInput={(e) => setScore(Number(e.currentTarget.value))} />
      </label>
      <label class="grow">
        {t('admin.note')}
        <input maxLength={2000} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button class="primary" disabled={a.busy || !criterion}>
        {t('admin.judge')}
      </button>
      {c?.description && <p class="muted small" style={{ flexBasis: '100%' }}>{loc(c.description)}</p>}
      {a.done && <span class="ok">{t('admin.judged')}</span>}
      <ErrorText error={a.error} />
    </form>
  );
}

/** The judging queue: status updates and postmortems per team and fault, with the scenario's rubric. */
export function Judging({ version }: { version: number }) {
  const q = useAsync((signal) => api<Queue>('/api/admin/judging', { signal }), [version]);
  const items = q.data?.items ?? [];
  // What still waits for a judge comes first.
  const sorted = [...items].sort((a, b) => Number(b.waiting.length > 0) - Number(a.waiting.length > 0));
  return (
    <Section title={t('admin.judging')} id="judging" actions={<button type="button" class="ghost" onClick={q.reload}>{t('common.refresh')}</button>}>
      <ErrorText error={q.error} />
      {q.data && items.length === 0 && <p class="muted">{t('common.none')}</p>}
      <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: '.6em' }}>
        {sorted.map((item) => (
          <li key={`${item.team}/${item.fault}`} class="card" data-testid="judge-item" data-team={item.team} data-fault={item.fault}>
            <div class="row">
              <b class="grow">
                {item.teamName} · {loc(item.title)}
              </b>
              {item.waiting.length > 0 && <span class="chip s-armed">{t('admin.waiting')}: {labels('cat', item.waiting)}</span>}
            </div>
            <h3>{t('admin.statusUpdates')}</h3>
            <Texts texts={item.statusUpdates} />
            {item.roles && item.roles.facts.length > 0 && (
              <>
                <h3>{t('roles.facts')}</h3>
                <ul class="small" data-testid="roles-facts">
                  {item.roles.facts.map((f) => (
                    <li key={f.fact} data-fact={f.fact}>
                      {loc(f.note)}
                      {f.evidence.length > 0 && <span class="muted"> ({f.evidence.map((s) => `#${s}`).join(', ')})</span>}
                    </li>
                  ))}
                </ul>
              </>
            )}
            <RubricForm item={item} category="communication" rubric={q.data!.rubric.communication} judged={item.communication.criteria} onDone={q.reload} />
            {item.postmortem && (
              <>
                <h3>{t('admin.postmortem')}</h3>
                <Texts texts={[item.postmortem]} />
                <RubricForm item={item} category="review" rubric={q.data!.rubric.review} judged={item.review.criteria} onDone={q.reload} />
              </>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}
