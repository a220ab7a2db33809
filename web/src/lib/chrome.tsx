import type { ComponentChildren } from 'preact';
import { fmtDuration } from './format.js';
import { loc, t } from './i18n.js';
import { gameNow, type Game } from './model.js';
import { LangSwitch } from './ui.js';

export function gameStateLabel(g: Game | undefined): string {
  if (!g) return '';
  return { not_started: t('game.notStarted'), running: t('game.running'), paused: t('game.paused'), finished: t('game.finished') }[g.state];
}

/** The bar on top of every page: brand, scenario title, game clock, language. */
export function TopBar({ game, children, title }: { game?: Game; children?: ComponentChildren; title?: string }) {
  return (
    <header class="topbar">
      <span class="brand">firedrill</span>
      <h1>{title ?? (game ? loc(game.title) : '')}</h1>
      {game && (
        <span class="muted" data-testid="game-state" data-state={game.state}>
          {gameStateLabel(game)}
          {game.state !== 'not_started' && (
            <>
              {' · '}
              <span class="clock">{fmtDuration(gameNow(game))}</span>
            </>
          )}
          {game.speed !== 1 && ` · ${t('game.speed', { n: game.speed })}`}
        </span>
      )}
      <span class="spacer" />
      {children}
      <span class="chrome">
        <LangSwitch />
      </span>
    </header>
  );
}
