import { getLang } from './i18n.js';

/*
 * Time has two formats, one per audience, and only here (test/web/format.test.ts holds the pages to it):
 * the game clock (fmtDuration: m:ss, h:mm:ss) for anything in game time, and the viewer's local
 * time with seconds (fmtClock) for wall instants (a message, a status update, a log line).
 */

/** A wall-clock instant in the viewer's own time zone and language, with seconds. */
export function fmtClock(epochMs: number): string {
  return new Intl.DateTimeFormat(getLang(), { hour: '2-digit', minute: '2-digit', second: '2-digit' }).format(epochMs);
}

/** Game or elapsed time as m:ss or h:mm:ss. */
export function fmtDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** Points arrive as integers in milli-points; show whole points with grouping. */
export function fmtPoints(milli: number): string {
  return new Intl.NumberFormat(getLang(), { maximumFractionDigits: 0 }).format(Math.round(milli / 1000));
}

export function fmtSigned(milli: number): string {
  const p = Math.round(milli / 1000);
  return `${p > 0 ? '+' : p < 0 ? '−' : '±'}${new Intl.NumberFormat(getLang()).format(Math.abs(p))}`;
}
