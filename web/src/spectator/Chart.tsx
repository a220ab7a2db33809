import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { api } from '../lib/api.js';
import { fmtDuration } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { normSeries, type BoardTeam } from '../lib/model.js';

const COLORS = ['#ff7a1a', '#5aa9ff', '#3ecf8e', '#f5c04a', '#c792ea', '#ff5a5f', '#7fdbca', '#e0a070'];
const MAX_TEAMS = 8;
const REFRESH_MS = 15_000;

/**
 * Step-aligned data for uPlot: one x axis (game minutes), each team's score carried forward, up
 * to the game clock `nowMs` (so a team whose score has not moved still draws a line to now).
 */
export function align(input: Array<Array<[number, number]>>, nowMs?: number): [number[], ...Array<Array<number | null>>] {
  // Every team starts the game at 0 (a team whose score never moved still gets a line).
  const series = input.map((s) => (s.length && s[0]![0] <= 0 ? s : [[0, 0] as [number, number], ...s]));
  const xs = [...new Set(series.flatMap((s) => s.map((p) => p[0])))].sort((a, b) => a - b);
  if (nowMs !== undefined && (xs.length === 0 || nowMs > xs[xs.length - 1]!)) xs.push(nowMs);
  const ys = series.map((s) => {
    let i = 0;
    let last: number | null = null;
    return xs.map((x) => {
      while (i < s.length && s[i]![0] <= x) last = s[i++]![1];
      return last === null ? null : last / 1000;
    });
  });
  return [xs.map((x) => x / 60_000), ...ys];
}

/**
 * Score over time of the leading teams. uPlot (and its CSS) load after the board, so a phone on
 * event Wi-Fi sees the ranking first. Refetched at most every 15 s while the board changes.
 */
/** The shortest x axis, in minutes: a shorter one would print the same m:ss under several ticks. */
const MIN_SPAN_MIN = 2;
const heightFor = (width: number) => Math.max(180, Math.min(320, Math.round(width * 0.45)));

/** A team keeps its colour whatever its rank: colours go by the order of team ids. */
export function colorOf(id: string, allIds: string[]): string {
  const i = [...allIds].sort().indexOf(id);
  return COLORS[(i < 0 ? 0 : i) % COLORS.length]!;
}

/** In fill mode the chart takes its box's height (the big screen), less the legend under it. */
function sizeFor(el: HTMLElement, fill: boolean): { width: number; height: number } {
  const width = el.clientWidth || 320;
  if (!fill) return { width, height: heightFor(width) };
  const legend = (el.querySelector('.u-legend') as HTMLElement | null)?.offsetHeight ?? 32;
  return { width, height: Math.max(140, el.clientHeight - legend - 8) };
}

export function ScoreChart({ teams, version, now, fill = false }: { teams: BoardTeam[]; version: number; now?: number; fill?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const nowRef = useRef(now);
  nowRef.current = now;
  const plot = useRef<uPlot | undefined>(undefined);
  const [error, setError] = useState<string>();
  const lastFetch = useRef(0);
  const top = teams.slice(0, MAX_TEAMS);
  const ids = top.map((x) => x.id).join(',');

  useEffect(() => {
    let cancelled = false;
    if (top.length === 0) return;
    const wait = Math.max(0, lastFetch.current + REFRESH_MS - Date.now());
    const timer = setTimeout(async () => {
      lastFetch.current = Date.now();
      try {
        const [{ default: UPlot }, series] = await Promise.all([
          import('uplot'),
          Promise.all(top.map((x) => api(`/api/teams/${encodeURIComponent(x.id)}/series`).then(normSeries, () => []))),
          import('uplot/dist/uPlot.min.css'),
        ]);
        if (cancelled || !box.current) return;
        const data = align(series, nowRef.current);
        const { width, height } = sizeFor(box.current, fill);
        const axisFont = `${Math.max(12, Math.round(width / 80))}px system-ui, sans-serif`;
        const allIds = teams.map((x) => x.id);
        plot.current?.destroy();
        plot.current = new UPlot(
          {
            width,
            height,
            // From the start to now, never narrower than a couple of minutes (early in the game
            // a tiny span printed "1:00" under every tick).
            scales: { x: { time: false, range: (_u, _min, max) => [0, Math.max(MIN_SPAN_MIN, max ?? 0)] } },
            // Axis labels readable from the back of the room on the big screen.
            axes: [
              { stroke: '#93a4b5', grid: { stroke: '#2c3a48' }, values: (_u, v) => v.map((m) => fmtDuration(m * 60_000)), ...(fill ? { font: axisFont, size: 44 } : {}) },
              { stroke: '#93a4b5', grid: { stroke: '#2c3a48' }, ...(fill ? { font: axisFont, size: 70 } : {}) },
            ],
            // A legend of names and colours (a big screen has no pointer to hover with: no "Value: --").
            legend: { live: false },
            series: [{}, ...top.map((x) => ({ label: x.name, stroke: colorOf(x.id, allIds), width: 2, paths: UPlot.paths.stepped?.({ align: 1 }) }))],
          },
          data as uPlot.AlignedData,
          box.current,
        );
        setError(undefined);
      } catch (e) {
        if (!cancelled) setError(String((e as Error).message ?? e));
      }
    }, wait);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // Refetch when the board version moves or the set of leading teams changes.
  }, [ids, version]);

  useEffect(() => () => plot.current?.destroy(), []);

  // The chart follows its box when the window (or the big-screen layout) changes size.
  useEffect(() => {
    const el = box.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    let frame = 0;
    const ro = new ResizeObserver(() => {
      cancelAnimationFrame(frame);
      frame = requestAnimationFrame(() => {
        const size = sizeFor(el, fill);
        if (plot.current && size.width > 0 && (Math.abs(plot.current.width - size.width) > 1 || Math.abs(plot.current.height - size.height) > 1)) plot.current.setSize(size);
      });
    });
    ro.observe(el);
    return () => {
      cancelAnimationFrame(frame);
      ro.disconnect();
    };
  }, []);

  return (
    <div class={fill ? 'chart-wrap fill' : 'chart-wrap'}>
      <div ref={box} class={`chart${fill ? ' fill' : ''}`} data-testid="chart" />
      {error && <p class="muted small">{error}</p>}
      {!error && teams.length === 0 && <p class="muted">{t('common.none')}</p>}
    </div>
  );
}
