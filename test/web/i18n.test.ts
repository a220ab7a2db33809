import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import type * as I18nModule from '../../web/src/lib/i18n.js';

/**
 * Untranslated text, listed: every English key has a Japanese text that is not the English one
 * (unless allow-listed: names that stay as they are), every server value a page labels has a key,
 * and no page has English typed straight into its markup.
 */
let i18n: typeof I18nModule;
beforeAll(async () => {
  // The module reads the browser's language at load: a minimal browser surface (node has none).
  const g = globalThis as Record<string, unknown>;
  g.location ??= { search: '' };
  g.document ??= { documentElement: {} };
  g.localStorage ??= { getItem: () => null, setItem: () => {} };
  g.navigator ??= { language: 'en', languages: ['en'] };
  i18n = await import('../../web/src/lib/i18n.js');
});

/** The same in both languages on purpose. */
const SAME_IN_JA = new Set(['app.title', 'ch.incident', 'ch.stakeholders']);
const trivial = (s: string) => !/[A-Za-z]{2,}/.test(s.replace(/\{\w+\}/g, ''));

/** Values the server sends that a page shows through `label(prefix, value)`. */
const SERVER_VALUES: Record<string, readonly string[]> = {
  state: ['pending', 'armed', 'injecting', 'injected', 'recovered', 'resolved', 'timed_out', 'skipped', 'reverted', 'voided'],
  'inc.status': ['triggered', 'acknowledged', 'resolved'],
  cat: ['recovery', 'detection', 'communication', 'review', 'availability', 'hints', 'adjustments'],
  // src/platform/process.ts ProcessStatus
  comp: ['starting', 'running', 'stopped', 'crashed'],
};

describe('Japanese UI: untranslated keys', () => {
  it('every English key has a Japanese text of its own', () => {
    const { en, ja } = i18n.dictionaries;
    expect(Object.keys(ja).sort()).toEqual(Object.keys(en).sort());
    const untranslated = Object.entries(en)
      .filter(([k, v]) => !SAME_IN_JA.has(k) && !trivial(v) && (ja as Record<string, string>)[k] === v)
      .map(([k, v]) => `${k}: ${v}`);
    expect(untranslated).toEqual([]);
    // Japanese texts keep the English placeholders, so nothing shows as "{n}".
    const placeholders = (s: string) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
    const broken = Object.keys(en).filter((k) => JSON.stringify(placeholders((en as Record<string, string>)[k]!)) !== JSON.stringify(placeholders((ja as Record<string, string>)[k]!)));
    expect(broken).toEqual([]);
  });

  it('every server value a page labels has a text (no "running" left in English)', () => {
    const missing = Object.entries(SERVER_VALUES).flatMap(([prefix, values]) => values.filter((v) => !i18n.hasText(`${prefix}.${v}`)).map((v) => `${prefix}.${v}`));
    expect(missing).toEqual([]);
  });

  it('auto-created incident titles are shown in the viewer\'s language', () => {
    i18n.setLang('ja');
    try {
      expect(i18n.incidentTitle('Red Team: page, send failing')).toBe('Red Team: page, send が失敗');
      expect(i18n.incidentTitle('Red Team: recovered')).toBe('Red Team: 復旧');
      // A title a person typed stays as typed.
      expect(i18n.incidentTitle('DB is slow: looking')).toBe('DB is slow: looking');
    } finally {
      i18n.setLang('en');
    }
    expect(i18n.incidentTitle('Red Team: page failing')).toBe('Red Team: page failing');
  });

  it('no page has English typed into its markup (text goes through t())', () => {
    const files: string[] = [];
    const walk = (d: string) => {
      for (const f of readdirSync(d)) {
        const p = join(d, f);
        if (statSync(p).isDirectory()) walk(p);
        else if (p.endsWith('.tsx')) files.push(p);
      }
    };
    walk(fromRoot('web/src'));
    // A JSX text child on its own line ("persona"), or between tags (">Logs<").
    const ALLOWED = new Set(['English', 'danger', 'firedrill']);
    const found = files.flatMap((f) =>
      readFileSync(f, 'utf8')
        .split('\n')
        .flatMap((line, i) => {
          const own = /^\s+([A-Za-z][A-Za-z ]{2,})$/.exec(line)?.[1];
          const between = [...line.matchAll(/>\s*([A-Za-z][A-Za-z ,.'-]{2,}?)\s*</g)].map((m) => m[1]!).filter((w) => !/^(api|Promise)$/.test(w));
          return [own, ...between].filter((w): w is string => !!w && !ALLOWED.has(w.trim())).map((w) => `${f.slice(fromRoot('web/src').length + 1)}:${i + 1}: ${w.trim()}`);
        }),
    );
    expect(found).toEqual([]);
  });
});
