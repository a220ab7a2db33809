import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import type * as Format from '../../web/src/lib/format.js';

let f: typeof Format;
beforeAll(async () => {
  const g = globalThis as Record<string, unknown>;
  g.location ??= { search: '' };
  g.document ??= { documentElement: {} };
  g.localStorage ??= { getItem: () => null, setItem: () => {} };
  g.navigator ??= { language: 'en', languages: ['en'] };
  f = await import('../../web/src/lib/format.js');
});

const files = (d: string): string[] => readdirSync(d).flatMap((x) => (statSync(join(d, x)).isDirectory() ? files(join(d, x)) : /\.tsx?$/.test(x) ? [join(d, x)] : []));

describe('one time format per audience', () => {
  it('game time is m:ss or h:mm:ss; wall time is local time with seconds', () => {
    expect(f.fmtDuration(0)).toBe('0:00');
    expect(f.fmtDuration(65_000)).toBe('1:05');
    expect(f.fmtDuration(5_231_000)).toBe('1:27:11');
    expect(f.fmtClock(Date.UTC(2026, 11, 2, 1, 2, 3))).toMatch(/\d{1,2}:\d{2}:\d{2}/);
    expect(Object.keys(f).filter((k) => /date|time|clock|duration/i.test(k)).sort()).toEqual(['fmtClock', 'fmtDuration']);
  });

  it('no page formats time by itself: only web/src/lib/format.ts does', () => {
    const own = /Intl\.DateTimeFormat|toLocale(Time|Date)?String\(|\.getHours\(|\.getMinutes\(|padStart\(2/;
    const found = files(fromRoot('web/src'))
      .filter((p) => !p.endsWith(join('lib', 'format.ts')))
      .flatMap((p) => readFileSync(p, 'utf8').split('\n').flatMap((line, i) => (own.test(line) ? [`${p.slice(fromRoot('web/src').length + 1)}:${i + 1}: ${line.trim()}`] : [])));
    expect(found).toEqual([]);
  });
});
