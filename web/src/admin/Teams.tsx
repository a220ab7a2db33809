import { useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { fmtDuration, fmtPoints } from '../lib/format.js';
import { loc, t } from '../lib/i18n.js';
import { shownState } from '../lib/model.js';
import type { OrganizerTeamState, TeamCreated } from '../../../src/contract/admin.js';
import type { OrganizerBoard } from '../../../src/contract/judging.js';
import { ConfirmButton, ErrorText, organizerName, Section, useAction, useAsync } from '../lib/ui.js';
import { FaultChip, stateLabel } from '../spectator/Board.js';

/** A fault that is on now (fault states with a live deadline). */
const OPEN = new Set(['injecting', 'injected', 'recovered']);

type AdminTeam = OrganizerTeamState;

/** Teams with their fault state, checks and score, and the organizer's fault controls. */
export function Teams({ version, now, onChanged }: { version: number; now: number; onChanged(): void }) {
  const state = useAsync((signal) => api<{ teams: AdminTeam[] }>('/api/admin/state', { signal }), [version]);
  // The organizers' own board: live even while the public one is frozen.
  const board = useAsync((signal) => api<OrganizerBoard>('/api/admin/leaderboard', { signal }), [version]);
  const a = useAction();
  const [minutes, setMinutes] = useState('5');
  const act = (team: AdminTeam, path: string, body: unknown = { by: organizerName() }) =>
    a.run(() => post(`/api/admin/teams/${encodeURIComponent(team.id)}/${path}`, body)).then((ok) => ok && onChanged());
  const scoreOf = (id: string) => board.data?.teams.find((x) => x.id === id);
  return (
    <Section title={t('admin.teams')} id="teams">
      <ErrorText error={state.error ?? board.error ?? a.error} />
      <table class="table" data-testid="admin-teams">
        <tbody>
          {(state.data?.teams ?? []).map((team) => {
            const cur = team.faults.find((f) => f.id === team.current);
            const s = scoreOf(team.id);
            const f = cur ? `faults/${encodeURIComponent(cur.id)}` : '';
            return (
              <tr key={team.id} data-team={team.id}>
                <td>{s?.rank}</td>
                <td>
                  <b>{team.name}</b>
                  <div class="muted small">{team.id}</div>
                </td>
                <td class="clock" data-testid="admin-score" data-milli={s?.score}>
                  {s ? fmtPoints(s.score) : '—'}
                </td>
                <td>
                  {cur && <FaultChip fault={{ id: cur.id, title: cur.title, state: shownState(cur.state, cur.detection), injectedAt: cur.injectedAt ?? undefined }} now={now} />}
                  {cur && cur.deadlineAt !== null && OPEN.has(cur.state) && (
                    <div class="clock small" data-testid="deadline" data-deadline={cur.deadlineAt}>
                      {cur.deadlineAt >= now ? t('admin.deadline', { t: fmtDuration(cur.deadlineAt - now) }) : t('admin.overdue', { t: fmtDuration(now - cur.deadlineAt) })}
                    </div>
                  )}
                  {/* Faults already over (resolved, skipped, reverted, …): what happened to each. */}
                  <div class="small" data-testid="played">
                    {team.faults
                      .filter((x) => x.id !== cur?.id && !['pending', 'armed'].includes(x.state))
                      .map((x) => (
                        <span key={x.id} class={`chip s-${shownState(x.state, x.detection)}`} data-fault={x.id} data-status={x.state} style={{ marginRight: '.4em' }}>
                          {x.title ? loc(x.title) : x.id} · {stateLabel(shownState(x.state, x.detection))}
                        </span>
                      ))}
                  </div>
                  <div class="small">
                    {Object.entries(team.probes).map(([id, p]) => (
                      <span key={id} style={{ marginRight: '.6em' }}>
                        <span class={`dot ${p.up ? 'up' : 'down'}`} />
                        {id}
                      </span>
                    ))}
                  </div>
                </td>
                <td>
                  <div class="row">
                    <ConfirmButton label={t('admin.triggerNext')} question={t('admin.confirmAction', { action: t('admin.triggerNext'), team: team.name })} onConfirm={() => act(team, 'faults/next')} />
                    {cur && (
                      <>
                        {/* Only a fault that is on can be reverted or given more time; any current one can be skipped. */}
                        {OPEN.has(cur.state) && (
                          <ConfirmButton label={t('admin.revert')} question={t('admin.confirmAction', { action: t('admin.revert'), team: team.name })} onConfirm={() => act(team, `${f}/revert`)} />
                        )}
                        <ConfirmButton label={t('admin.skip')} question={t('admin.confirmAction', { action: t('admin.skip'), team: team.name })} onConfirm={() => act(team, `${f}/skip`)} />
                      </>
                    )}
                    {cur && OPEN.has(cur.state) && cur.deadlineAt !== null && (
                      <>
                        <span class="row">
                          <input type="number" min={1} max={600} style={{ width: '5em' }} value={minutes} aria-label={t('admin.extendMinutes')} onInput={(e) => setMinutes(e.currentTarget.value)} />
                          <button type="button" disabled={a.busy} onClick={() => act(team, `${f}/extend`, { minutes: Number(minutes), by: organizerName() })}>
                            {t('admin.extend')}
                          </button>
                        </span>
                      </>
                    )}
                  </div>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </Section>
  );
}

export function CreateTeam({ onCreated }: { onCreated(): void }) {
  const [id, setId] = useState('');
  const [name, setName] = useState('');
  const [members, setMembers] = useState('');
  const [link, setLink] = useState<string>();
  const a = useAction();
  return (
    <Section title={t('admin.createTeam')}>
      <form
        data-testid="create-team"
        onSubmit={async (e) => {
          e.preventDefault();
          setLink(undefined);
          const body = {
            ...(id.trim() ? { id: id.trim() } : {}),
            name: name.trim(),
            members: members
              .split(',')
              .map((m) => m.trim())
              .filter(Boolean)
              .map((m) => ({ name: m })),
          };
          await a.run(async () => {
            const r = await post<TeamCreated>('/api/admin/teams', { ...body, by: organizerName() });
            setLink(r.joinLink);
            setId('');
            setName('');
            setMembers('');
            onCreated();
          });
        }}
      >
        <div class="row">
          <label class="grow">
            {t('admin.teamId')}
            <input pattern="[a-z0-9][a-z0-9\-]{0,39}" value={id} onInput={(e) => setId(e.currentTarget.value)} />
          </label>
          <label class="grow">
            {t('admin.teamName')}
            <input maxLength={80} value={name} onInput={(e) => setName(e.currentTarget.value)} required />
          </label>
        </div>
        <label>
          {t('admin.members')}
          <input value={members} onInput={(e) => setMembers(e.currentTarget.value)} />
        </label>
        <button class="primary" disabled={a.busy}>
          {t('admin.createTeam')}
        </button>
        <ErrorText error={a.error} />
        {link && (
          <div>
            <p>{t('admin.joinLink')}</p>
            <div class="joinlink" data-testid="join-link">
              {link}
            </div>
          </div>
        )}
      </form>
    </Section>
  );
}
