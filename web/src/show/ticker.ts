import { fmtDuration } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import type { Board } from '../lib/model.js';

export interface TickerItem {
  id: string;
  kind: string;
  team: string;
  /** Game ms when it was seen. */
  at: number;
  text: string;
}

/** What a board frame changed, in words for the room ("Team Blue acknowledged its incident"). */
export function tickerDiff(prev: Board | undefined, next: Board, now: number): TickerItem[] {
  if (!prev) return [];
  const before = new Map(prev.teams.map((x) => [x.id, x]));
  const out: TickerItem[] = [];
  for (const x of next.teams) {
    const old = before.get(x.id);
    if (!old) continue;
    const a = old.fault;
    const b = x.fault;
    const moved = b && (a?.id !== b.id || a.state !== b.state);
    if (b && moved) {
      const vars = { team: x.name };
      const since = b.injectedAt !== undefined ? now - b.injectedAt : undefined;
      const text =
        b.state === 'injected'
          ? t('ticker.broken', vars)
          : b.state === 'detected'
            ? t('ticker.detected', vars)
            : b.state === 'acknowledged'
              ? t('ticker.acknowledged', vars)
              : b.state === 'recovered'
                ? t('ticker.recovered', { ...vars, d: since !== undefined ? fmtDuration(since) : '—' })
                : b.state === 'resolved'
                  ? t('ticker.resolved', vars)
                  : undefined;
      if (text) out.push({ id: `${x.id}:${b.id}:${b.state}`, kind: b.state, team: x.id, at: now, text });
    }
    if (x.rank < old.rank) out.push({ id: `${x.id}:rank:${x.rank}:${next.seq}`, kind: 'rank', team: x.id, at: now, text: t('ticker.rank', { team: x.name, n: x.rank }) });
  }
  return out;
}

/** Newest first, one line per happening (a resent frame adds nothing), at most `max`. */
export function pushTicker(list: TickerItem[], add: TickerItem[], max = 30): TickerItem[] {
  if (add.length === 0) return list;
  const seen = new Set(list.map((i) => i.id));
  return [...add.filter((i) => !seen.has(i.id)).reverse(), ...list].slice(0, max);
}
