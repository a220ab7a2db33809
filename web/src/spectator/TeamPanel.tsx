import { useState } from 'preact/hooks';
import type { ScoreResponse } from '../../../src/contract/teams.js';
import { api, post } from '../lib/api.js';
import { fmtClock, fmtDuration, fmtSigned } from '../lib/format.js';
import { promiseOf } from '../lib/status.js';
import { hasText, label, loc, t, type Key } from '../lib/i18n.js';
import { currentGame, faultName, gameNow, normBreakdown, normStatus, normTimeline, type BoardTeam, type StatusUpdate, type TimelineItem } from '../lib/model.js';
import { stateLabel } from './Board.js';
import { ErrorText, Section, useAction, useAsync } from '../lib/ui.js';

const categoryLabel = (category: string): string => label('cat', category);
/** What moved a score (an event type): its word, or the type itself when there is none. */
const causeLabel = (type: string): string => (hasText(`cause.${type}`) ? t(`cause.${type}` as Key) : type);

/** One public timeline item in words (its fields are the server's; typed text stays text). */
export function describeItem(item: TimelineItem): string {
  const r = item.raw;
  switch (r.kind) {
    case 'fault':
      return `${loc(faultName(r))}: ${stateLabel(r.moment)}`;
    case 'probe':
      return `${t(r.state === 'failed' ? 'tl.probe.failed' : 'tl.probe.recovered', { p: r.probe })}${r.status !== undefined ? ` (HTTP ${r.status})` : ''}`;
    case 'incident':
      return `${t('tl.incident', { s: label('inc.status', r.state) })}${r.title ? `: ${r.title}` : ''}`;
    case 'status':
      return `${t('tl.status')}: ${r.text}`;
    case 'score':
      return `${t('tl.score', { d: fmtSigned(r.delta) })}${r.reason ? ` — ${r.reason}` : r.cause ? ` (${causeLabel(r.cause)})` : ''}`;
    default:
      return item.type;
  }
}

/** A list of timeline items (the spectator's team panel, the war room). */
export function Timeline({ items }: { items: TimelineItem[] }) {
  if (items.length === 0) return <p class="muted">{t('common.none')}</p>;
  return (
    <ol class="timeline" data-testid="timeline">
      {items.map((item, i) => (
        <li key={item.seq !== undefined ? `${item.seq}:${item.type}` : i} data-kind={item.type} data-seq={item.seq} id={item.seq !== undefined ? `ev-${item.seq}` : undefined}>
          <time>{fmtDuration(item.gameTime)}</time>
          <span class="pre">{describeItem(item)}</span>
        </li>
      ))}
    </ol>
  );
}

export function Breakdown({ team }: { team: Pick<BoardTeam, 'breakdown'> }) {
  if (team.breakdown.length === 0) return <p class="muted">{t('common.none')}</p>;
  return (
    <table class="breakdown" data-testid="breakdown">
      <tbody>
        {team.breakdown.map((l, i) => [
          l.group !== undefined && l.group !== team.breakdown[i - 1]?.group && (
            <tr key={`g${i}`}>
              <th colSpan={2} style={{ textAlign: 'left', paddingTop: '.6em' }}>
                {loc(l.group)}
              </th>
            </tr>
          ),
          <tr key={i}>
            <td>
              {categoryLabel(l.label)}
              {l.detail && <div class="muted small pre">{l.detail}</div>}
              {l.evidence.length > 0 && (
                <div class="muted small">
                  {t('board.evidence', { ids: '' })}
                  {l.evidence.map((id, j) => (
                    <>
                      {j > 0 && ', '}
                      <a href={`#ev-${id}`}>#{id}</a>
                    </>
                  ))}
                </div>
              )}
            </td>
            <td class="num">
              {fmtSigned(l.points)}
              {l.max !== undefined && <span class="muted"> / {Math.round(l.max / 1000)}</span>}
            </td>
          </tr>,
        ])}
      </tbody>
    </table>
  );
}

/** "Next update in 12:00" on the game clock (the promise is scored in game time). */
function NextUpdate({ at }: { at: number }) {
  const left = at - gameNow(currentGame());
  return <div class="muted small">{left >= 0 ? t('team.nextUpdate', { t: fmtDuration(left) }) : t('team.overdue', { t: fmtDuration(-left) })}</div>;
}

/** `promise`: the next-update time this update still owes (lib/status.ts promiseOf: the newest unresolved only). */
export function StatusUpdateView({ u, promise }: { u: StatusUpdate; promise?: number | undefined }) {
  return (
    <div class={`status-update${u.resolved ? ' resolved' : ''}`}>
      <div class="muted small">{fmtClock(u.at)}</div>
      <div class="pre">{u.text}</div>
      {u.impact && (
        <div class="small">
          <b>{t('team.impact')}:</b> <span class="pre">{u.impact}</span>
        </div>
      )}
      {u.currentAction && (
        <div class="small">
          <b>{t('team.currentAction')}:</b> <span class="pre">{u.currentAction}</span>
        </div>
      )}
      {promise !== undefined && <NextUpdate at={promise} />}
    </div>
  );
}

function ReportForm({ teamId }: { teamId: string }) {
  const [text, setText] = useState('');
  const a = useAction();
  return (
    <form
      data-testid="report-form"
      onSubmit={async (e) => {
        e.preventDefault();
        if (await a.run(() => post(`/api/teams/${encodeURIComponent(teamId)}/reports`, { text: text.trim() }))) setText('');
      }}
    >
      <label>
        {t('team.report')}
        <textarea maxLength={1000} placeholder={t('team.reportPlaceholder')} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
      </label>
      <div class="row">
        <button class="primary" disabled={a.busy || !text.trim()}>
          {t('team.report')}
        </button>
        {a.done && <span class="ok">{t('team.reportSent')}</span>}
      </div>
      <ErrorText error={a.error} />
    </form>
  );
}

/** One team, opened from the board: breakdown, public status page, timeline, and its chat service. */
export function TeamPanel({ team, version, onClose }: { team: BoardTeam; version: number; onClose(): void }) {
  const id = encodeURIComponent(team.id);
  const status = useAsync((signal) => api(`/api/teams/${id}/status`, { signal }).then(normStatus), [team.id, version]);
  const timeline = useAsync((signal) => api(`/api/teams/${id}/timeline`, { signal }).then(normTimeline), [team.id, version]);
  // The full breakdown with evidence (the board frame carries only category sums).
  const score = useAsync((signal) => api<ScoreResponse>(`/api/teams/${id}/score`, { signal }).then((r) => normBreakdown(r.breakdown)), [team.id, version]);
  return (
    <Section
      title={team.name}
      id="team-panel"
      actions={
        <button type="button" class="ghost" onClick={onClose}>
          {t('common.close')}
        </button>
      }
    >
      <div class="grid2">
        <div>
          <h3>{t('board.breakdown')}</h3>
          <Breakdown team={{ breakdown: score.data ?? team.breakdown }} />
          <p>
            <a href={`/t/${id}/`} target="_blank" rel="noopener" data-testid="open-chat">
              {t('team.openChat')} ↗
            </a>
          </p>
          <ReportForm teamId={team.id} />
        </div>
        <div>
          <h3>{t('team.status')}</h3>
          <ErrorText error={status.error} />
          {status.data &&
            (status.data.updates.length === 0 ? (
              <p class="muted">{t('team.noStatus')}</p>
            ) : (
              status.data.updates.slice(0, 3).map((u, i, all) => <StatusUpdateView key={i} u={u} promise={promiseOf(all, i)} />)
            ))}
          <h3>{t('team.timeline')}</h3>
          <ErrorText error={timeline.error} />
          <Timeline items={timeline.data ?? []} />
        </div>
      </div>
    </Section>
  );
}
