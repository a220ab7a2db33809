import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import './styles.css';
import { api } from './lib/api.js';
import { TopBar } from './lib/chrome.js';
import { t, useLang } from './lib/i18n.js';
import { live, type LiveState } from './lib/live.js';
import type { LeaderboardFrame as BoardFrame } from '../../src/contract/frames.js';
import { applyFrame, gameNow, mergeGame, normGame, type Board, type Game } from './lib/model.js';
import { useReplay } from './lib/replay.js';
import { Guard, LiveBadge, Section, useTick } from './lib/ui.js';
import { BoardList } from './spectator/Board.js';
import { ScoreChart } from './spectator/Chart.js';
import { TeamPanel } from './spectator/TeamPanel.js';
import { ResultsView } from './show/Results.js';
import { BigBlocks, Qr, Ticker } from './show/BigScreen.js';
import { pushTicker, tickerDiff, type TickerItem } from './show/ticker.js';

const params = new URLSearchParams(location.search);

function Spectator() {
  useLang();
  useTick(1000);
  const [board, setBoard] = useState<Board>();
  const [state, setState] = useState<LiveState>('connecting');
  const [anchor, setAnchor] = useState<Game>();
  const [selected, setSelected] = useState<string | undefined>(params.get('team') ?? undefined);
  const [big, setBig] = useState(params.get('screen') === 'big');

  useEffect(() => {
    document.body.classList.toggle('big', big);
    const u = new URL(location.href);
    if (big) u.searchParams.set('screen', 'big');
    else u.searchParams.delete('screen');
    history.replaceState(null, '', u);
  }, [big]);

  // The board: snapshot then updates over the WebSocket; resumes by board version.
  // The ticker is what each frame changed (fault states, ranks), in words.
  const [ticker, setTicker] = useState<TickerItem[]>([]);
  const boardRef = useRef<Board | undefined>(undefined);
  const gameRef = useRef<Game | undefined>(undefined);
  useEffect(() => {
    const l = live<BoardFrame>({
      path: '/ws/leaderboard',
      onFrame: (f) => {
        const prev = boardRef.current;
        const next = applyFrame(prev, f);
        boardRef.current = next;
        setBoard(next);
        const add = tickerDiff(prev, next, gameNow(mergeGame(gameRef.current, next.game)));
        if (add.length) setTicker((list) => pushTicker(list, add));
      },
      onState: setState,
    });
    return () => l.close();
  }, []);

  // The game clock ticks locally. The board's game block says at once when the phase or speed
  // changed (and when the game ends), but its gameTime is from when the board was built, so
  // GET /api/game re-anchors the clock then.
  useEffect(() => {
    api('/api/game').then(
      (g) => setAnchor(normGame(g)),
      () => undefined,
    );
  }, [board?.game?.phase, board?.game?.speed]);

  // A replay (firedrill replay): the clock follows the replay's pace and pauses, re-anchored as it plays.
  const [replay] = useReplay();
  useEffect(() => {
    if (replay) api('/api/game').then((g) => setAnchor(normGame(g)), () => undefined);
  }, [replay]);

  const game = mergeGame(anchor, board?.game);
  gameRef.current = anchor;
  const now = gameNow(game);
  const team = useMemo(() => board?.teams.find((x) => x.id === selected), [board, selected]);

  return (
    <>
      <TopBar game={game}>
        <LiveBadge state={state} />
        {replay && (
          <span class="chip" data-testid="replay-banner" data-paused={replay.paused}>
            {t('replay.banner')} ×{replay.speed}
            {replay.paused ? ` · ${t('replay.paused')}` : replay.done ? ` · ${t('replay.done')}` : ''}
          </span>
        )}
        <button type="button" class="ghost" data-testid="big-toggle" onClick={() => setBig(!big)}>
          {big ? t('board.exitBigScreen') : t('board.bigScreen')}
        </button>
      </TopBar>
      {game?.phase === 'finished' && (
        <div class="results-wrap">
          <Guard name="results" reset={board?.seq}>
            <ResultsView board={board?.teams} version={board?.seq} />
          </Guard>
        </div>
      )}
      {big ? (
        <main class="big-main" data-testid="big-screen">
          {board?.frozen && <div class="banner">{t('board.frozen')}</div>}
          <Guard name="big-blocks" reset={board?.seq}>
            <BigBlocks teams={board?.teams ?? []} now={now} />
          </Guard>
          <div class="big-bottom">
            <div class="big-chart card">
              <Guard name="chart" reset={board?.seq}>
                <ScoreChart teams={board?.teams ?? []} version={board?.seq ?? 0} now={game ? now : undefined} fill />
              </Guard>
            </div>
            <aside class="big-side">
              <Ticker items={ticker} />
              <Qr />
            </aside>
          </div>
        </main>
      ) : (
      <main>
        <div style={{ display: 'grid', gap: '1em', minWidth: 0 }}>
          {board?.frozen && <div class="banner">{t('board.frozen')}</div>}
          <Section title={t('board.title')}>
            {board ? (
              <Guard name="board" reset={board.seq}>
              <BoardList teams={board.teams} now={now} selected={selected} onSelect={(id) => setSelected(id === selected ? undefined : id)} />
              </Guard>
            ) : (
              <p class="muted">{t('common.loading')}</p>
            )}
            <p class="muted small chrome">{t('board.tapHint')}</p>
          </Section>
        </div>
        <div style={{ display: 'grid', gap: '1em', minWidth: 0 }}>
          {/* Each part fails alone: a panel that cannot render never stops the chart or the board. */}
          {team && (
            <Guard name="team-panel" reset={`${team.id}:${board?.seq ?? 0}`}>
              <TeamPanel team={team} version={board?.seq ?? 0} onClose={() => setSelected(undefined)} />
            </Guard>
          )}
          <Section title={t('chart.title')}>
            <Guard name="chart" reset={board?.seq}>
              <ScoreChart teams={board?.teams ?? []} version={board?.seq ?? 0} now={game ? now : undefined} />
            </Guard>
          </Section>
          <Section title={t('ticker.title')}>
            <Ticker items={ticker.slice(0, 8)} />
          </Section>
        </div>
      </main>
      )}
    </>
  );
}

render(<Spectator />, document.getElementById('app')!);
