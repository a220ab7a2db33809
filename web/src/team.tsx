import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api } from './lib/api.js';
import { TopBar } from './lib/chrome.js';
import { fmtDuration, fmtPoints } from './lib/format.js';
import { loc, t, useLang, type Key } from './lib/i18n.js';
import { live, type LiveState } from './lib/live.js';
import { gameNow, mergeGame, normGame, normTeamFrame, normTimeline, type Game, type TimelineItem } from './lib/model.js';
import { ErrorText, Guard, LiveBadge, Section, signOut, TokenForm, useAsync, useMyName, useTick } from './lib/ui.js';
import { stateLabel } from './spectator/Board.js';
import { Timeline } from './spectator/TeamPanel.js';
import { Channels } from './team/Channels.js';
import { Incidents } from './team/Incidents.js';
import { Hints, Postmortem } from './team/Misc.js';
import { normTeamState } from './team/model.js';
import { Ops } from './team/Ops.js';
import { StatusForm } from './team/StatusForm.js';
import { ResultsView } from './show/Results.js';

const TABS = ['incidents', 'channels', 'status', 'ops', 'hints', 'postmortem', 'timeline'] as const;
type Tab = (typeof TABS)[number];

function tabFromUrl(): Tab {
  const seg = location.pathname.split('/')[2] ?? location.hash.slice(1);
  return (TABS as readonly string[]).includes(seg) ? (seg as Tab) : 'incidents';
}

/** The team's own timeline as /ws/team sends it: a snapshot's items, then each update's. */
function applyItems(prev: TimelineItem[], f: Record<string, unknown>): TimelineItem[] {
  if (!Array.isArray(f.items)) return prev;
  const items = normTimeline(f.items);
  if (f.type === 'snapshot') return items;
  const seen = new Set(prev.map((i) => i.seq));
  return [...prev, ...items.filter((i) => i.seq === undefined || !seen.has(i.seq))].slice(-500);
}


/** Who is typing: remembered per browser, sent as the author of incidents, notes, changes. */
function NamePicker({ members }: { members: Array<{ name: string; role?: string }> }) {
  const [name, setName] = useMyName();
  return (
    <label class="inline chrome">
      {t('war.myName')}
      <input list="members" style={{ width: '9em' }} maxLength={100} value={name} data-testid="my-name" onInput={(e) => setName(e.currentTarget.value)} />
      <datalist id="members">
        {members.map((m) => (
          <option key={m.name} value={m.name}>
            {m.role}
          </option>
        ))}
      </datalist>
    </label>
  );
}

function WarRoom({ team }: { team: { id: string; name: string } }) {
  useLang();
  useTick(1000);
  const [tab, setTab] = useState<Tab>(tabFromUrl());
  const [version, setVersion] = useState(0);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const [score, setScore] = useState<{ points?: number; rank?: number }>({});
  const state = useAsync((signal) => api('/api/team', { signal }).then(normTeamState), [version]);
  const anchor = useAsync((signal) => api('/api/game', { signal }).then(normGame), [version]);
  // The game block of /ws/team frames: every phase change (start, pause, finish) arrives live.
  const [block, setBlock] = useState<Game>();
  const [items, setItems] = useState<TimelineItem[]>([]);

  useEffect(() => {
    const l = live<unknown>({
      path: '/ws/team',
      onState: setLiveState,
      onFrame: (f) => {
        const o = (f && typeof f === 'object' ? f : {}) as Record<string, unknown>;
        const tf = normTeamFrame(f);
        if (tf.game) setBlock(tf.game);
        setItems((prev) => applyItems(prev, o));
        const s = { points: tf.points, rank: tf.rank };
        if (s.points !== undefined) setScore((old) => ({ ...old, ...s }));
        // Something changed for this team: refresh what is on screen.
        setVersion((v) => v + 1);
      },
    });
    return () => l.close();
  }, []);

  useEffect(() => {
    history.replaceState(null, '', `/team/${tab}${location.search}`);
  }, [tab]);

  const fault = state.data?.fault;
  const g: Game | undefined = mergeGame(anchor.data, block);
  return (
    <>
      <TopBar game={g} title={`${team.name} · ${t('war.title')}`}>
        <span data-testid="team-score" class="clock">
          {t('war.score')}: {score.points !== undefined ? fmtPoints(score.points) : '—'}
          {score.rank !== undefined && ` (${t('war.rank', { n: score.rank })})`}
        </span>
        <NamePicker members={state.data?.members ?? []} />
        <LiveBadge state={liveState} />
        <button type="button" class="ghost chrome" onClick={() => void signOut()}>
          {t('common.signOut')}
        </button>
      </TopBar>
      <main>
        {g?.phase === 'finished' && (
          <Guard name="results" reset={g.phase}>
            <ResultsView version={g.phase} />
          </Guard>
        )}
        <Section title={t('war.briefing')} id="briefing">
          <ErrorText error={state.error} />
          {fault ? (
            <div data-testid="briefing" data-fault={fault.id} data-state={fault.state}>
              <div class="row">
                <b>{fault.title ? loc(fault.title) : fault.id}</b>
                <span class={`chip s-${fault.state}`}>{stateLabel(fault.state)}</span>
                {fault.injectedAt !== undefined && g && <span class="clock">{t('board.since', { d: fmtDuration(gameNow(g) - fault.injectedAt) })}</span>}
              </div>
              {fault.briefing && <p class="pre">{loc(fault.briefing)}</p>}
            </div>
          ) : (
            <p class="muted" data-testid="briefing">
              {t('war.noFault')}
            </p>
          )}
          {state.data && state.data.probes.length > 0 && (
            <div class="row small" data-testid="probes">
              {state.data.probes.map((p) => (
                <span key={p.id} data-probe={p.id} data-up={p.up}>
                  <span class={`dot ${p.up ? 'up' : 'down'}`} />
                  {p.id}
                </span>
              ))}
            </div>
          )}
        </Section>
        <nav class="tabs" role="tablist">
          {TABS.map((x) => (
            <button key={x} type="button" role="tab" aria-selected={tab === x} data-tab={x} onClick={() => setTab(x)}>
              {t(`war.tab.${x}` as Key)}
            </button>
          ))}
        </nav>
        {/* A tab that fails to render shows why; the header, clock and other tabs keep working. */}
        <Guard name={tab} reset={`${tab}:${version}`}>
          {tab === 'incidents' && <Incidents version={version} />}
          {tab === 'channels' && <Channels version={version} />}
          {tab === 'status' && <StatusForm teamId={team.id} version={version} />}
          {tab === 'ops' && <Ops version={version} />}
          {tab === 'hints' && state.data && <Hints state={state.data} version={version} />}
          {tab === 'postmortem' && state.data && <Postmortem state={state.data} />}
          {tab === 'timeline' && (
            <Section title={t('team.timeline')} id="timeline">
              <Timeline items={[...items].reverse()} />
            </Section>
          )}
        </Guard>
      </main>
    </>
  );
}

function App() {
  useLang();
  const session = useAsync((signal) => api<{ organizer: boolean; team: { id: string; name: string } | null }>('/api/session', { signal }));
  if (session.loading && !session.data) return <p class="muted">{t('common.loading')}</p>;
  if (!session.data?.team) {
    return (
      <>
        <TopBar title={t('war.title')} />
        <main>
          <ErrorText error={session.error} />
          <TokenForm onSignedIn={session.reload} />
        </main>
      </>
    );
  }
  return <WarRoom team={session.data.team} />;
}

render(<App />, document.getElementById('app')!);
