import { useEffect, useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { fmtClock } from '../lib/format.js';
import { incidentTitle, label, t } from '../lib/i18n.js';
import { currentName, ErrorText, nameField, Section, useAction, useAsync } from '../lib/ui.js';
import type { TeamIncident as Incident, TeamIncidents } from './model.js';

/** An incident state in words (PagerDuty's: triggered, acknowledged, resolved). */
export const statusLabel = (s: string) => label('inc.status', s);

type Member = { name: string; role?: string };
const ROLES = ['commander', 'communications', 'ops'] as const;

const heldRoles = (inc: Incident): Record<string, string> => ({ commander: inc.roles?.commander ?? '', communications: inc.roles?.communications ?? '', ops: inc.roles?.ops ?? '' });

/** The roles as they are now, in words ("Incident Commander: Aki · Ops Lead: Chie"); nothing before any are named. */
function CurrentRoles({ inc }: { inc: Incident }) {
  if (!inc.roles || !ROLES.some((r) => inc.roles?.[r])) return null;
  return (
    <div class="small muted" data-testid="roles-current">
      {ROLES.filter((r) => inc.roles?.[r])
        .map((r) => `${t(`roles.${r}`)}: ${inc.roles![r]}`)
        .join(' · ')}
    </div>
  );
}

/** Who holds which role for this incident (Incident Commander, Communications Lead, Ops Lead). */
function RolesForm({ inc, members, onChange }: { inc: Incident; members: Member[]; onChange(): void }) {
  const held = heldRoles(inc);
  const [roles, setRoles] = useState<Record<string, string>>(held);
  // Another member may name roles: the pickers follow what the server holds after each reload.
  const key = ROLES.map((r) => held[r]).join('\0');
  useEffect(() => setRoles(heldRoles(inc)), [key]);
  const a = useAction();
  if (members.length === 0) return <CurrentRoles inc={inc} />;
  return (
    <form
      class="row small roles"
      data-testid="roles"
      onSubmit={async (e) => {
        e.preventDefault();
        const body = Object.fromEntries(ROLES.filter((r) => roles[r]).map((r) => [r, roles[r]]));
        if (await a.run(() => post(`/api/team/incidents/${encodeURIComponent(inc.id)}/roles`, { ...body, ...nameField() }))) onChange();
      }}
    >
      <b>{t('roles.title')}:</b>
      {ROLES.map((r) => (
        <label key={r} class="inline">
          {t(`roles.${r}`)}
          <select style={{ width: 'auto' }} data-role={r} value={roles[r]} onChange={(e) => setRoles({ ...roles, [r]: e.currentTarget.value })}>
            <option value="">{t('roles.nobody')}</option>
            {members.map((m) => (
              <option key={m.name} value={m.name}>
                {m.name}
              </option>
            ))}
          </select>
        </label>
      ))}
      <button disabled={a.busy}>{t('roles.save')}</button>
      {a.done && <span class="ok">✓</span>}
      <ErrorText error={a.error} />
    </form>
  );
}

function IncidentRow({ inc, onChange, members }: { inc: Incident; onChange(): void; members: Member[] }) {
  const a = useAction();
  const [note, setNote] = useState('');
  const base = `/api/team/incidents/${encodeURIComponent(inc.id)}`;
  // Resolves to whether it worked (the note box empties only then).
  const act = async (path: string, body: unknown = nameField()): Promise<boolean> => {
    const ok = await a.run(() => post(`${base}/${path}`, body));
    if (ok) onChange();
    return ok;
  };
  return (
    <li class="card" data-testid="incident" data-status={inc.status}>
      <div class="row">
        <span class={`chip s-${inc.status}`}>{statusLabel(inc.status)}</span>
        {inc.severity && <span class="chip">{inc.severity}</span>}
        <b class="grow pre">{incidentTitle(inc.title)}</b>
        <span class="muted small">{fmtClock(inc.openedAtWall)}</span>
      </div>
      {inc.notes.length > 0 && (
        <ul class="small">
          {inc.notes.map((n, i) => (
            <li key={i} class="pre">
              <span class="muted">{fmtClock(n.atWall)} </span>
              {n.agent && <b>{n.agent}: </b>}
              {n.text}
            </li>
          ))}
        </ul>
      )}
      {inc.status !== 'resolved' && members.length > 0 && <CurrentRoles inc={inc} />}
      {inc.status !== 'resolved' ? <RolesForm inc={inc} members={members} onChange={onChange} /> : <CurrentRoles inc={inc} />}
      {inc.status !== 'resolved' && (
        <div class="row">
          {inc.status === 'triggered' && (
            <button type="button" disabled={a.busy} onClick={() => act('acknowledge')}>
              {t('inc.ack')}
            </button>
          )}
          <button type="button" disabled={a.busy} onClick={() => act('resolve')}>
            {t('inc.resolve')}
          </button>
          <form
            class="row grow"
            onSubmit={async (e) => {
              e.preventDefault();
              if (await act('notes', { text: note.trim(), ...nameField() })) setNote('');
            }}
          >
            <input class="grow" style={{ width: 'auto' }} maxLength={4000} placeholder={t('inc.notePlaceholder')} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
            <button disabled={a.busy || !note.trim()}>{t('inc.note')}</button>
          </form>
        </div>
      )}
      <ErrorText error={a.error} />
    </li>
  );
}

export function Incidents({ version, members = [] }: { version: number; members?: Member[] }) {
  const list = useAsync((signal) => api<TeamIncidents & { incidents: Incident[] }>('/api/team/incidents', { signal }), [version]);
  const [title, setTitle] = useState('');
  const [severity, setSeverity] = useState('SEV2');
  const a = useAction();
  return (
    <Section title={t('war.tab.incidents')}>
      <form
        class="row"
        data-testid="open-incident"
        onSubmit={async (e) => {
          e.preventDefault();
          if (await a.run(() => post('/api/team/incidents', { title: title.trim(), severity, name: currentName() || t('war.someone') }))) {
            setTitle('');
            list.reload();
          }
        }}
      >
        <input class="grow" style={{ width: 'auto' }} maxLength={500} placeholder={t('inc.titlePlaceholder')} value={title} onInput={(e) => setTitle(e.currentTarget.value)} required />
        <select style={{ width: 'auto' }} aria-label={t('inc.severity')} value={severity} onChange={(e) => setSeverity(e.currentTarget.value)}>
          {['SEV1', 'SEV2', 'SEV3', 'SEV4'].map((s) => (
            <option key={s}>{s}</option>
          ))}
        </select>
        <button class="primary" disabled={a.busy || !title.trim()}>
          {t('inc.open')}
        </button>
      </form>
      <ErrorText error={a.error ?? list.error} />
      {list.data?.mode === 'pagerduty' && <p class="banner">{t('inc.pagerduty')}</p>}
      {list.data && list.data.incidents.length === 0 && <p class="muted">{t('inc.none')}</p>}
      <ul style={{ listStyle: 'none', padding: 0, display: 'grid', gap: '.5em' }}>
        {(list.data?.incidents ?? []).map((inc) => (
          <IncidentRow key={inc.id} inc={inc} onChange={list.reload} members={members} />
        ))}
      </ul>
    </Section>
  );
}
