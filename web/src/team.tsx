import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api } from './lib/api.js';
import { TopBar } from './lib/chrome.js';
import { fmtDuration, fmtPoints } from './lib/format.js';
import { loc, t, useLang, type Key } from './lib/i18n.js';
import { live, type LiveState } from './lib/live.js';
import { gameNow, mergeGame, normGame, normTeamFrame, normTimeline, shownState, type Game, type TimelineItem } from './lib/model.js';
import { useReplay } from './lib/replay.js';
import { ErrorText, Guard, LiveBadge, Section, signOut, TokenForm, useAsync, useMyName, useTick } from './lib/ui.js';
import { stateLabel } from './spectator/Board.js';
import { Timeline } from './spectator/TeamPanel.js';
import { Channels, loadMessages } from './team/Channels.js';
import { descriptionOf } from './lib/show-model.js';
import type { GameResponse } from '../../src/contract/game.js';
import { Incidents } from './team/Incidents.js';
import { Hints, Postmortem } from './team/Misc.js';
import type { TeamState } from './team/model.js';
import type { Session } from '../../src/contract/session.js';
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
  // A member picker (messages carry their author; the Communications Lead's count).
  if (members.length > 0) {
    return (
      <label class="inline chrome">
        {t('war.myName')}
        <select style={{ width: 'auto' }} value={name} data-testid="my-name" onChange={(e) => setName(e.currentTarget.value)}>
          <option value="">—</option>
          {members.map((m) => (
            <option key={m.name} value={m.name}>
              {m.name}
              {m.role ? ` (${m.role})` : ''}
            </option>
          ))}
        </select>
      </label>
    );
  }
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
  const state = useAsync((signal) => api<TeamState>('/api/team', { signal }), [version]);
  // On a replay server the clock follows the replay's pace; each read of its position re-anchors it.
  const [replay] = useReplay();
  const anchor = useAsync((signal) => api('/api/game', { signal }).then(normGame), [version, replay]);
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

  const fault = state.data?.fault ?? undefined;
  const members = state.data?.team.members ?? [];
  const g: Game | undefined = mergeGame(anchor.data, block);
  // Unread persona lines: a count on the Channels tab and in the page title.
  const messages = useAsync(loadMessages, [version]);
  const seenKey = `firedrill.seen.${team.id}`;
  const [seen, setSeen] = useState(() => Number(localStorage.getItem(seenKey) ?? 0));
  const personaSeqs = (messages.data ?? []).filter((m) => m.author.kind === 'persona').map((m) => m.seq);
  const newest = personaSeqs.length ? Math.max(...personaSeqs) : 0;
  useEffect(() => {
    if (tab === 'channels' && newest > seen) {
      setSeen(newest);
      localStorage.setItem(seenKey, String(newest));
    }
  }, [tab, newest]);
  const unread = tab === 'channels' ? 0 : personaSeqs.filter((s) => s > seen).length;
  useEffect(() => {
    const base = `${team.name} · ${t('war.title')}`;
    document.title = unread > 0 ? `(${unread}) ${base}` : base;
  }, [unread]);
  const description = useAsync((signal) => api<GameResponse>('/api/game', { signal }).then(descriptionOf), []);
  return (
    <>
      <TopBar game={g} title={`${team.name} · ${t('war.title')}`}>
        <span data-testid="team-score" class="clock">
          {t('war.score')}: {score.points !== undefined ? fmtPoints(score.points) : '—'}
          {score.rank !== undefined && ` (${t('war.rank', { n: score.rank })})`}
        </span>
        <NamePicker members={members} />
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
            <div data-testid="briefing" data-fault={fault.id} data-state={shownState(fault.state, fault.detection)}>
              <div class="row">
                <b>{fault.title ? loc(fault.title) : fault.id}</b>
                <span class={`chip s-${shownState(fault.state, fault.detection)}`}>{stateLabel(shownState(fault.state, fault.detection))}</span>
                {fault.injectedAt !== null && g && <span class="clock">{t('board.since', { d: fmtDuration(gameNow(g) - fault.injectedAt) })}</span>}
              </div>
              {fault.briefing && <p class="pre">{loc(fault.briefing)}</p>}
            </div>
          ) : (
            <p class="muted" data-testid="briefing">
              {t('war.noFault')}
            </p>
          )}
          {g?.phase === 'not_started' && (
            <div data-testid="pregame">
              {description.data && (
                <p class="pre">
                  <b>{t('war.scenario')}:</b> {loc(description.data)}
                </p>
              )}
              {members.length > 0 && (
                <p data-testid="members">
                  <b>{t('war.members')}:</b> {members.map((m) => (m.role ? `${m.name} (${m.role})` : m.name)).join(', ')}
                </p>
              )}
            </div>
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
              {x === 'channels' && unread > 0 && (
                <span class="tab-badge" data-testid="unread" aria-label={t('war.unread', { n: unread })}>
                  {unread}
                </span>
              )}
            </button>
          ))}
        </nav>
        {/* A tab that fails to render shows why; the header, clock and other tabs keep working. */}
        <Guard name={tab} reset={`${tab}:${version}`}>
          {tab === 'incidents' && <Incidents version={version} members={members} />}
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
  const session = useAsync((signal) => api<Session>('/api/session', { signal }));
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
