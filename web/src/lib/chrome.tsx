import type { ComponentChildren } from 'preact';
import { fmtDuration } from './format.js';
import { loc, t } from './i18n.js';
import { gameLeft, gameNow, type Game } from './model.js';
import { LangSwitch } from './ui.js';

export function gameStateLabel(g: Game | undefined): string {
  if (!g) return '';
  return { not_started: t('game.notStarted'), running: t('game.running'), paused: t('game.paused'), finished: t('game.finished') }[g.phase];
}

/** Time left until the game ends by itself, on the game clock (frozen while paused). */
export function Countdown({ game }: { game: Game }) {
  const left = gameLeft(game);
  if (left === undefined || game.phase === 'finished') return null;
  return (
    <span class={`clock countdown${left <= 5 * 60_000 ? ' soon' : ''}`} data-testid="countdown" data-left={Math.round(left / 1000)} data-phase={game.phase}>
      {left > 0 ? t('game.endsIn', { t: fmtDuration(left) }) : t('game.over')}
    </span>
  );
}

/** The bar on top of every page: brand, scenario title, game clock, countdown to the end, language. */
export function TopBar({ game, children, title }: { game?: Game; children?: ComponentChildren; title?: string }) {
  return (
    <header class="topbar">
      <span class="brand">firedrill</span>
      <h1>{title ?? (game ? loc(game.title) : '')}</h1>
      {game && (
        <span class="muted" data-testid="game-state" data-state={game.phase} data-phase={game.phase}>
          {gameStateLabel(game)}
          {game.phase !== 'not_started' && (
            <>
              {' · '}
              <span class="clock" data-testid="game-clock">
                {fmtDuration(gameNow(game))}
              </span>
            </>
          )}
          {game.speed !== 1 && ` · ${t('game.speed', { n: game.speed })}`}
        </span>
      )}
      {game && <Countdown game={game} />}
      <span class="spacer" />
      {children}
      <span class="chrome">
        <LangSwitch />
      </span>
    </header>
  );
}
