import { appendFileSync } from 'node:fs';

/** One named figure of the issue's table: firedrill's value beside its raw baseline from the same run. */
export interface Figure {
  name: string;
  unit: string;
  firedrill: number;
  baseline: number | null;
  baselineName?: string;
  /** firedrill / baseline (for a cost; for a rate the bench says which way). */
  ratio: number | null;
  target?: string;
  ok?: boolean;
  note?: string;
}

const round = (n: number) => (Math.abs(n) >= 100 ? Math.round(n) : Math.round(n * 1000) / 1000);

export function figure(f: Omit<Figure, 'ratio'> & { ratio?: number | null }): Figure {
  const ratio = f.ratio !== undefined ? f.ratio : f.baseline ? f.firedrill / f.baseline : null;
  return { ...f, firedrill: round(f.firedrill), baseline: f.baseline === null ? null : round(f.baseline), ratio: ratio === null ? null : Math.round(ratio * 100) / 100 };
}

/** Print the figures and, under `npm run bench`, hand them to bench/all.ts (one JSON line each). */
export function record(figs: Figure[]): void {
  for (const f of figs) {
    const ok = f.ok === undefined ? '' : f.ok ? '  ok' : '  MISSED';
    console.log(`${f.name}: ${f.firedrill} ${f.unit}${f.baseline !== null ? ` vs ${f.baseline} (${f.baselineName ?? 'baseline'}), ratio ${f.ratio}` : ''}${f.target ? ` [target ${f.target}]` : ''}${ok}`);
  }
  const out = process.env.FIREDRILL_BENCH_FIGURES;
  if (out) for (const f of figs) appendFileSync(out, `${JSON.stringify(f)}\n`);
}

export const quantile = (xs: number[], q: number): number => {
  if (!xs.length) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
