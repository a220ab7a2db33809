import { fmtDuration, fmtPoints } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import type { BoardTeam } from '../lib/model.js';
import { colorOf } from '../spectator/Chart.js';
import { stateLabel } from '../spectator/Board.js';
import type { TickerItem } from './ticker.js';

export type Health = 'healthy' | 'broken' | 'recovering' | 'resolved';

const BROKEN = new Set(['injecting', 'injected', 'detected', 'acknowledged']);

/** A team's state for the room: healthy / broken for N:NN / recovering / resolved. */
export function healthOf(team: BoardTeam): Health {
  const s = team.fault?.state;
  if (!s) return 'healthy';
  if (BROKEN.has(s)) return 'broken';
  if (s === 'recovered') return 'recovering';
  if (s === 'resolved' || s === 'timed_out') return 'resolved';
  return 'healthy';
}

/** "errors for users: 37% in the last minute" (or nothing when the board does not say). */
export function TrafficLine({ team }: { team: BoardTeam }) {
  const tr = team.traffic;
  if (!tr) return null;
  return (
    <span class={`traffic${tr.errorRate >= 0.05 ? ' bad' : ''}`} data-testid="traffic" data-rate={tr.errorRate}>
      {tr.requests === 0 ? t('traffic.none') : t('traffic.errors', { p: Math.round(tr.errorRate * 100) })}
    </span>
  );
}

/** Every team as a large colour block: rank, name, score, state, what users see. */
export function BigBlocks({ teams, now }: { teams: BoardTeam[]; now: number }) {
  const ids = teams.map((x) => x.id);
  return (
    <ol class="big-blocks" data-testid="big-blocks">
      {teams.map((x) => {
        const h = healthOf(x);
        const since = h === 'broken' && x.fault?.injectedAt !== undefined ? now - x.fault.injectedAt : undefined;
        return (
          <li key={x.id} class={`block h-${h}`} data-team={x.id} data-health={h} style={{ borderLeftColor: colorOf(x.id, ids) }}>
            <span class="rank">{x.rank}</span>
            <span class="name">{x.name}</span>
            <span class="score">{fmtPoints(x.points)}</span>
            <span class="health" data-testid="health">
              {h === 'broken'
                ? t('big.broken', { d: since !== undefined ? fmtDuration(since) : '' })
                : h === 'resolved' && x.fault?.state === 'timed_out'
                  ? stateLabel('timed_out')
                  : t(`big.${h}`)}
            </span>
            <TrafficLine team={x} />
          </li>
        );
      })}
    </ol>
  );
}

export function Ticker({ items }: { items: TickerItem[] }) {
  return (
    <div class="ticker" aria-live="polite">
      <h2>{t('ticker.title')}</h2>
      <ol data-testid="ticker">
        {items.length === 0 && <li class="muted">{t('common.none')}</li>}
        {items.map((i) => (
          <li key={i.id} data-kind={i.kind} data-team={i.team}>
            <time>{fmtDuration(i.at)}</time> {i.text}
          </li>
        ))}
      </ol>
    </div>
  );
}

/** Phones to the spectator page: the server draws the code for its own public address. */
export function Qr() {
  return (
    <figure class="qr" data-testid="qr">
      <img
        src="/api/qr.svg"
        alt={t('big.scanMe')}
        onError={(e) => {
          (e.currentTarget.parentElement as HTMLElement).hidden = true;
        }}
      />
      <figcaption>{t('big.scanMe')}</figcaption>
    </figure>
  );
}
