import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api } from './lib/api.js';
import { TopBar } from './lib/chrome.js';
import { t, useLang } from './lib/i18n.js';
import { live, type LiveState } from './lib/live.js';
import { gameNow, mergeGame, normBoard, normGame } from './lib/model.js';
import { ErrorText, Guard, LiveBadge, signOut, TokenForm, useAsync, useMyName, useTick } from './lib/ui.js';
import { Adjust, Export, GameControls, Persona, ReplayControls, Reports, Warnings } from './admin/Controls.js';
import { useReplay } from './lib/replay.js';
import { Judging } from './admin/Judging.js';
import { CreateTeam, Teams } from './admin/Teams.js';
import { ResultsView } from './show/Results.js';

function OrganizerName() {
  const [name, setName] = useMyName();
  return (
    <label class="inline">
      {t('admin.me')}
      <input style={{ width: '8em' }} maxLength={100} value={name} placeholder={t('common.organizer')} onInput={(e) => setName(e.currentTarget.value)} />
    </label>
  );
}

function Console() {
  useLang();
  useTick(1000);
  const [version, setVersion] = useState(0);
  const [liveState, setLiveState] = useState<LiveState>('connecting');
  const bump = () => setVersion((v) => v + 1);
  // On a replay server: the replay's controls, and the clock at its pace (re-anchored at each read).
  const [replay, reloadReplay] = useReplay();
  const game = useAsync((signal) => api('/api/game', { signal }).then(normGame), [version, replay]);
  const pub = useAsync((signal) => api('/api/leaderboard', { signal }).then(normBoard), [version]);
  // Team names for the forms (the public board lists every team).
  const teams = (pub.data?.teams ?? []).map((x) => ({ id: x.id, name: x.name }));
  // The clock from GET /api/game; the end time also from the board's game block.
  const g = mergeGame(game.data, pub.data?.game);

  // Any board movement refreshes the console (throttled by the server's frame rate).
  useEffect(() => {
    const l = live<unknown>({ path: '/ws/leaderboard', onState: setLiveState, onFrame: bump });
    return () => l.close();
  }, []);
  // The public board stops while it is frozen (and shows only what spectators see), so the
  // console also watches the organizers' own live board: its ETag changes with every move.
  useEffect(() => {
    let last: string | null = null;
    const id = setInterval(() => {
      if (document.hidden) return;
      fetch('/api/admin/leaderboard', { credentials: 'same-origin', headers: { accept: 'application/json' } }).then(
        (res) => {
          const tag = res.ok ? res.headers.get('etag') : null;
          // The first answer may already be newer than what the console loaded: refresh then too.
          if (tag && tag !== last) bump();
          if (tag) last = tag;
        },
        () => undefined,
      );
    }, 2000);
    return () => clearInterval(id);
  }, []);

  return (
    <>
      <TopBar game={g}>
        <span class="muted">{t('admin.title')}</span>
        <OrganizerName />
        <LiveBadge state={liveState} />
        <button type="button" class="ghost" onClick={() => void signOut()}>
          {t('common.signOut')}
        </button>
      </TopBar>
      <main>
        <ErrorText error={game.error} />
        {g?.phase === 'finished' && (
          <Guard name="results" reset={version}>
            <ResultsView board={pub.data?.teams} version={g.phase} />
          </Guard>
        )}
        {/* Each part fails alone (a missing label or an odd payload never blanks the console). */}
        {replay && (
          <Guard name="replay" reset={version}>
            <ReplayControls replay={replay} onChanged={reloadReplay} />
          </Guard>
        )}
        <Guard name="game" reset={version}>
          <GameControls key={g?.speed} game={g} frozen={pub.data?.frozen ?? false} onChanged={bump} />
        </Guard>
        <Guard name="teams" reset={version}>
          <Teams version={version} now={gameNow(g)} onChanged={bump} />
        </Guard>
        <div class="grid2">
          <Adjust teams={teams} onDone={bump} />
          <Persona teams={teams} />
        </div>
        <Guard name="judging" reset={version}>
          <Judging version={version} />
        </Guard>
        <div class="grid2">
          <CreateTeam onCreated={bump} />
          <Guard name="warnings" reset={version}>
            <Warnings version={version} />
          </Guard>
        </div>
        <div class="grid2">
          <Guard name="reports" reset={version}>
            <Reports version={version} />
          </Guard>
          <Export teams={teams} />
        </div>
      </main>
    </>
  );
}

function App() {
  useLang();
  const session = useAsync((signal) => api<{ organizer: boolean }>('/api/session', { signal }));
  if (session.loading && !session.data) return <p class="muted">{t('common.loading')}</p>;
  if (!session.data?.organizer) {
    return (
      <>
        <TopBar title={t('admin.title')} />
        <main>
          <ErrorText error={session.error} />
          <TokenForm onSignedIn={session.reload} />
        </main>
      </>
    );
  }
  return <Console />;
}

render(<App />, document.getElementById('app')!);
