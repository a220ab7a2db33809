import { useEffect, useState } from 'preact/hooks';
import { api, post } from '../lib/api.js';
import { fmtClock, fmtDuration } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import type { Game } from '../lib/model.js';
import type { EventsPage, OrganizerChannels, OrganizerState, Warnings as WarningList } from '../../../src/contract/admin.js';
import type { ReplayPosition } from '../../../src/contract/replay.js';
import { QuestionFacts } from '../team/Channels.js';
import { loc } from '../lib/i18n.js';
import { clientId, ConfirmButton, ErrorText, organizerName, Section, useAction, useAsync } from '../lib/ui.js';

/** A `firedrill replay` server's controls: where it is, pause or resume, its pace, a seek to a game minute (backwards rebuilds the boards). */
export function ReplayControls({ replay, onChanged }: { replay: ReplayPosition; onChanged(): void }) {
  const a = useAction();
  const [speed, setSpeed] = useState(String(replay.speed));
  const [minute, setMinute] = useState('');
  const run = (path: string, body: unknown = {}) => a.run(() => post(`/api/admin/replay/${path}`, body)).then((ok) => ok && onChanged());
  return (
    <Section title={t('replay.banner')} id="replay">
      <div class="row" data-testid="replay-controls">
        <span class="clock" data-testid="replay-position">
          {fmtDuration(replay.gameTime)} / {fmtDuration(replay.endsAt)} · {replay.played}/{replay.total}
          {replay.paused ? ` · ${t('replay.paused')}` : replay.done ? ` · ${t('replay.done')}` : ''}
        </span>
        {replay.paused ? (
          <button class="primary" disabled={a.busy} onClick={() => run('resume')}>
            {t('admin.resume')}
          </button>
        ) : (
          <button disabled={a.busy || replay.done} onClick={() => run('pause')}>
            {t('admin.pause')}
          </button>
        )}
        <span class="row">
          <input type="number" min={0.1} max={10000} step="any" style={{ width: '6em' }} value={speed} onInput={(e) => setSpeed(e.currentTarget.value)} aria-label={t('admin.setSpeed')} />
          <button disabled={a.busy} onClick={() => run('speed', { speed: Number(speed) })}>
            {t('admin.setSpeed')}
          </button>
        </span>
        <span class="row">
          <input type="number" min={0} step="any" style={{ width: '6em' }} value={minute} placeholder={t('replay.minute')} onInput={(e) => setMinute(e.currentTarget.value)} aria-label={t('replay.minute')} />
          <button disabled={a.busy || minute.trim() === ''} onClick={() => run('seek', { gameTime: Math.round(Number(minute) * 60_000) })}>
            {t('replay.seek')}
          </button>
        </span>
      </div>
      <ErrorText error={a.error} />
    </Section>
  );
}

export function GameControls({ game, frozen, onChanged }: { game?: Game; frozen: boolean; onChanged(): void }) {
  const a = useAction();
  const [speed, setSpeed] = useState(String(game?.speed ?? 1));
  const [reason, setReason] = useState('');
  const run = (path: string, body: unknown = {}) => a.run(() => post(`/api/admin/${path}`, body)).then((ok) => ok && onChanged());
  const s = game?.phase;
  return (
    <Section title={t('admin.game')} id="game">
      <div class="row" data-testid="game-controls">
        {s === 'not_started' && (
          <button class="primary" disabled={a.busy} onClick={() => run('game/start')}>
            {t('admin.start')}
          </button>
        )}
        {s === 'running' && (
          <button disabled={a.busy} onClick={() => run('game/pause')}>
            {t('admin.pause')}
          </button>
        )}
        {s === 'paused' && (
          <button class="primary" disabled={a.busy} onClick={() => run('game/resume')}>
            {t('admin.resume')}
          </button>
        )}
        {(s === 'running' || s === 'paused') && <ConfirmButton label={t('admin.finish')} question={`${t('admin.finish')}?`} onConfirm={() => run('game/finish')} />}
        <span class="row">
          <input type="number" min={0.1} max={1000} step="any" style={{ width: '6em' }} value={speed} onInput={(e) => setSpeed(e.currentTarget.value)} aria-label={t('admin.setSpeed')} />
          <button disabled={a.busy} onClick={() => run('game/speed', { speed: Number(speed) })}>
            {t('admin.setSpeed')}
          </button>
        </span>
        <button data-testid="freeze" disabled={a.busy} onClick={() => run(frozen ? 'board/unfreeze' : 'board/freeze')}>
          {frozen ? t('admin.unfreeze') : t('admin.freeze')}
        </button>
      </div>
      <div class="row" style={{ marginTop: '.8em' }}>
        <input class="grow" style={{ width: 'auto' }} maxLength={500} placeholder={t('common.reason')} value={reason} onInput={(e) => setReason(e.currentTarget.value)} />
        <ConfirmButton
          danger
          testid="kill-switch"
          disabled={a.busy || reason.trim().length < 3}
          label={t('admin.killSwitch')}
          question={t('admin.killConfirm')}
          onConfirm={() => run('revert-all', { reason: reason.trim() })}
        />
      </div>
      <ErrorText error={a.error} />
    </Section>
  );
}

type TeamOption = { id: string; name: string };

/** The team a console form acts on; the first team until someone picks another. */
function TeamSelect({ teams, value, onChange }: { teams: TeamOption[]; value: string; onChange(id: string): void }) {
  return (
    <label class="grow">
      {t('common.team')}
      <select name="team" value={value || teams[0]?.id} onChange={(e) => onChange(e.currentTarget.value)}>
        {teams.map((x) => (
          <option key={x.id} value={x.id}>
            {x.name}
          </option>
        ))}
      </select>
    </label>
  );
}

export function Persona({ teams }: { teams: Array<{ id: string; name: string }> }) {
  const [team, setTeam] = useState('');
  const [channel, setChannel] = useState<'incident' | 'stakeholders'>('stakeholders');
  const [persona, setPersona] = useState('cto');
  const [text, setText] = useState('');
  const [expects, setExpects] = useState(false);
  const a = useAction();
  return (
    <Section title={t('admin.persona')}>
      <form
        data-testid="persona-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { team: team || teams[0]?.id, channel, persona: persona.trim(), text: text.trim(), expectsAnswer: expects, clientId: clientId() };
          if (await a.run(() => post('/api/admin/messages', body))) setText('');
        }}
      >
        <div class="row">
          <TeamSelect teams={teams} value={team} onChange={setTeam} />
          <label class="grow">
            {t('admin.channel')}
            <select value={channel} onChange={(e) => setChannel(e.currentTarget.value as 'incident' | 'stakeholders')}>
              <option value="incident">#incident</option>
              <option value="stakeholders">#stakeholders</option>
            </select>
          </label>
          <label class="grow">
            {t('admin.personaName')}
            <input value={persona} onInput={(e) => setPersona(e.currentTarget.value)} required />
          </label>
        </div>
        <textarea maxLength={4000} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
        <label class="inline">
          <input type="checkbox" checked={expects} onChange={(e) => setExpects(e.currentTarget.checked)} />
          {t('admin.expectsAnswer')}
        </label>
        <button class="primary" disabled={a.busy || !text.trim() || teams.length === 0}>
          {t('common.send')}
        </button>
        <ErrorText error={a.error} />
      </form>
      {(team || teams[0]?.id) && <TeamChannel team={team || teams[0]!.id} channel={channel} version={a.busy ? 0 : 1} />}
    </Section>
  );
}

/** How often the persona panel re-reads the team's channel (staff answer a live conversation). */
const CHANNEL_REFRESH_MS = 3_000;

/** What the team sees in the channel a staff member speaks in, with each question's state, and the team's current fault. */
function TeamChannel({ team, channel, version }: { team: string; channel: 'incident' | 'stakeholders'; version: number }) {
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const id = setInterval(() => setTick((n) => n + 1), CHANNEL_REFRESH_MS);
    return () => clearInterval(id);
  }, []);
  const msgs = useAsync((signal) => api<OrganizerChannels>(`/api/admin/teams/${encodeURIComponent(team)}/channels?limit=100`, { signal }), [team, tick, version]);
  const state = useAsync((signal) => api<OrganizerState>('/api/admin/state', { signal }), [team, tick]);
  const me = state.data?.teams.find((x) => x.id === team);
  const fault = me?.faults.find((f) => f.id === me.current);
  const lines = (msgs.data?.messages ?? []).filter((m) => m.channel === channel).slice(-15);
  return (
    <div data-testid="persona-channel" class="small">
      <p data-testid="persona-fault">
        <b>{t('admin.faultNow')}:</b> {fault ? `${loc(fault.title ?? { en: fault.id, ja: fault.id })} · ${fault.state}` : '—'}
      </p>
      <ul class="plain">
        {lines.map((m) => (
          <li key={m.seq} data-seq={m.seq}>
            <span class="muted">{fmtClock(m.at)}</span> <b>{m.personaName ? loc(m.personaName) : m.author.name}</b>: <span class="pre">{m.text}</span>{' '}
            {(m.question || m.expectsAnswer) && <QuestionFacts m={m} />}
          </li>
        ))}
      </ul>
    </div>
  );
}

export function Adjust({ teams, onDone }: { teams: Array<{ id: string; name: string }>; onDone(): void }) {
  const [team, setTeam] = useState('');
  const [points, setPoints] = useState('');
  const [reason, setReason] = useState('');
  const a = useAction();
  return (
    <Section title={t('admin.adjust')}>
      <form
        data-testid="adjust-form"
        onSubmit={async (e) => {
          e.preventDefault();
          const body = { team: team || teams[0]?.id, points: Number(points), reason: reason.trim(), by: organizerName() };
          if (await a.run(() => post('/api/admin/adjustments', body))) {
            setPoints('');
            setReason('');
            onDone();
          }
        }}
      >
        <p class="muted small">{t('admin.adjustHelp')}</p>
        <div class="row">
          <TeamSelect teams={teams} value={team} onChange={setTeam} />
          <label class="grow">
            {t('common.points')}
            <input name="points" type="number" step={1} value={points} onInput={(e) => setPoints(e.currentTarget.value)} required />
          </label>
        </div>
        <label>
          {t('common.reason')}
          <input name="reason" minLength={3} maxLength={500} value={reason} onInput={(e) => setReason(e.currentTarget.value)} required />
        </label>
        <div class="row">
          <button class="primary" disabled={a.busy || reason.trim().length < 3 || !points || teams.length === 0}>
            {t('admin.adjust')}
          </button>
          {a.done && <span class="ok">{t('admin.adjusted')}</span>}
        </div>
        <ErrorText error={a.error} />
      </form>
    </Section>
  );
}

/** Reload every `ms` while the tab is visible (for lists no board frame announces). */
function usePoll(reload: () => void, ms: number) {
  useEffect(() => {
    const id = setInterval(() => {
      if (!document.hidden) reload();
    }, ms);
    return () => clearInterval(id);
  }, [reload, ms]);
}

export function Warnings({ version }: { version: number }) {
  const w = useAsync((signal) => api<WarningList>('/api/admin/warnings', { signal }), [version]);
  // A warning moves no board, so no frame announces it: look again now and then.
  usePoll(w.reload, 5000);
  const items = w.data?.warnings ?? [];
  return (
    <Section title={t('admin.warnings')} id="warnings" actions={<button type="button" class="ghost" onClick={w.reload}>{t('common.refresh')}</button>}>
      <ErrorText error={w.error} />
      {w.data !== undefined && items.length === 0 && <p class="muted">{t('admin.noWarnings')}</p>}
      <table class="table" data-testid="warnings">
        <tbody>
          {items
            .slice(-100)
            .reverse()
            .map((x, i) => (
              <tr key={i}>
                <td class="muted small">{fmtClock(x.at)}</td>
                <td>{x.team ?? ''}</td>
                <td>
                  <code>{x.code}</code>
                </td>
                <td class="pre">{x.message}</td>
              </tr>
            ))}
        </tbody>
      </table>
    </Section>
  );
}

/** What spectators reported with a team's service ("report a problem"), newest first. */
export function Reports({ version }: { version: number }) {
  const r = useAsync(
    (signal) => api<EventsPage>('/api/admin/events?type=report.filed&limit=5000', { signal }),
    [version],
  );
  usePoll(r.reload, 5000);
  const items = (r.data?.events ?? []).flatMap((e) => (e.type === 'report.filed' ? [e] : [])).slice(-100).reverse();
  return (
    <Section title={t('admin.reports')} id="reports" actions={<button type="button" class="ghost" onClick={r.reload}>{t('common.refresh')}</button>}>
      <ErrorText error={r.error} />
      {r.data !== undefined && items.length === 0 && <p class="muted">{t('admin.noReports')}</p>}
      <table class="table" data-testid="reports">
        <tbody>
          {items.map((x) => (
            <tr key={x.seq} data-team={x.team ?? ''}>
              <td class="muted small">{fmtClock(x.at)}</td>
              <td>{x.team}</td>
              <td class="pre">{x.data.text}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Section>
  );
}

/** The whole log, paged, as one JSON download (the server caps one page at 5000 events). */
export function Export({ teams = [] }: { teams?: Array<{ id: string; name: string }> }) {
  const a = useAction();
  return (
    <Section title={t('admin.export')}>
      {/* The server builds these files (firedrill export); the browser only downloads them. */}
      <ul class="plain export-links" data-testid="export-links">
        <li>
          <a href="/api/admin/export/results.json" download>
            {t('admin.exportResultsJson')}
          </a>
        </li>
        <li>
          <a href="/api/admin/export/results.csv" download>
            {t('admin.exportResultsCsv')}
          </a>
        </li>
        <li>
          <a href="/api/admin/export/events.jsonl" download>
            {t('admin.exportEventsJsonl')}
          </a>
        </li>
        {teams.map((x) => (
          <li key={x.id} data-team={x.id}>
            {t('admin.exportRetro')} · {x.name}:{' '}
            <a href={`/api/admin/export/retro/${encodeURIComponent(x.id)}.md?lang=en`} download>
              English
            </a>{' '}
            ·{' '}
            <a href={`/api/admin/export/retro/${encodeURIComponent(x.id)}.md?lang=ja`} download>
              日本語
            </a>
          </li>
        ))}
      </ul>
      <button
        type="button"
        data-testid="export"
        disabled={a.busy}
        onClick={() =>
          a.run(async () => {
            const all: unknown[] = [];
            let after = 0;
            for (;;) {
              const page = await api<EventsPage>(`/api/admin/events?after=${after}&limit=5000`);
              all.push(...page.events);
              if (page.events.length === 0 || page.next >= page.lastSeq) break;
              after = page.next;
            }
            const url = URL.createObjectURL(new Blob([JSON.stringify({ exportedAt: new Date().toISOString(), events: all }, null, 1)], { type: 'application/json' }));
            const link = document.createElement('a');
            link.href = url;
            link.download = `firedrill-events-${new Date().toISOString().slice(0, 19).replaceAll(':', '')}.json`;
            link.click();
            setTimeout(() => URL.revokeObjectURL(url), 10_000);
          })
        }
      >
        {t('admin.exportEvents')}
      </button>
      <ErrorText error={a.error} />
    </Section>
  );
}
