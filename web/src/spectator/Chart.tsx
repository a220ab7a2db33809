import { useEffect, useRef, useState } from 'preact/hooks';
import type uPlot from 'uplot';
import { api } from '../lib/api.js';
import { fmtDuration } from '../lib/format.js';
import { t } from '../lib/i18n.js';
import { normSeries, type BoardTeam } from '../lib/model.js';

const COLORS = ['#ff7a1a', '#5aa9ff', '#3ecf8e', '#f5c04a', '#c792ea', '#ff5a5f', '#7fdbca', '#e0a070'];
const MAX_TEAMS = 8;
const REFRESH_MS = 15_000;

/** Step-aligned data for uPlot: one x axis (game minutes), each team's score carried forward. */
export function align(series: Array<Array<[number, number]>>): [number[], ...Array<Array<number | null>>] {
  const xs = [...new Set(series.flatMap((s) => s.map((p) => p[0])))].sort((a, b) => a - b);
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
export function ScoreChart({ teams, version }: { teams: BoardTeam[]; version: number }) {
  const box = useRef<HTMLDivElement>(null);
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
        const data = align(series);
        const width = box.current.clientWidth || 320;
        plot.current?.destroy();
        plot.current = new UPlot(
          {
            width,
            height: Math.max(180, Math.min(320, Math.round(width * 0.45))),
            scales: { x: { time: false } },
            axes: [
              { stroke: '#93a4b5', grid: { stroke: '#2c3a48' }, values: (_u, v) => v.map((m) => fmtDuration(m * 60_000)) },
              { stroke: '#93a4b5', grid: { stroke: '#2c3a48' } },
            ],
            series: [{}, ...top.map((x, i) => ({ label: x.name, stroke: COLORS[i % COLORS.length], width: 2, paths: UPlot.paths.stepped?.({ align: 1 }) }))],
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

  return (
    <div>
      <div ref={box} class="chart" data-testid="chart" />
      {error && <p class="muted small">{error}</p>}
      {!error && teams.length === 0 && <p class="muted">{t('common.none')}</p>}
    </div>
  );
}
