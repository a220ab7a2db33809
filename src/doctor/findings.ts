/**
 * `firedrill doctor` findings and how they are shown. Pure: findings in, text and exit code out.
 * Severity order: critical > warning > ok. Exit code: 0 when nothing is worse than ok, 1 for a
 * warning, 2 for a critical finding (suppressed findings do not count).
 */

export type Severity = 'critical' | 'warning' | 'ok';
export type Format = 'text' | 'markdown' | 'github';
export const FORMATS: Format[] = ['text', 'markdown', 'github'];

export interface Finding {
  /** Stable id, e.g. `pagerduty.token`, `team.team-a.baseline.page`, `kubernetes.team-a.patch.ingresses`: what `doctor.suppress` lists. */
  id: string;
  severity: Severity;
  /** What was checked and what was found, in a sentence. */
  message: string;
  /** What to do about it (critical and warning findings). */
  fix?: string;
}

const RANK: Record<Severity, number> = { ok: 0, warning: 1, critical: 2 };

/** Ids in `suppress` (exact, or a prefix ending in `*`) are left out. */
export function suppress(findings: Finding[], ids: readonly string[]): { shown: Finding[]; suppressed: Finding[] } {
  const hit = (id: string) => ids.some((s) => (s.endsWith('*') ? id.startsWith(s.slice(0, -1)) : id === s));
  return { shown: findings.filter((f) => !hit(f.id)), suppressed: findings.filter((f) => hit(f.id)) };
}

export function worst(findings: Finding[]): Severity {
  return findings.reduce<Severity>((w, f) => (RANK[f.severity] > RANK[w] ? f.severity : w), 'ok');
}

export const exitCode = (findings: Finding[]): number => RANK[worst(findings)];

const ordered = (findings: Finding[]) => [...findings].sort((a, b) => RANK[b.severity] - RANK[a.severity]);
const LABEL: Record<Severity, string> = { critical: 'Critical', warning: 'Warning', ok: 'OK' };
/** User-controlled text (team names, server answers) must not become Markdown or HTML. */
const md = (s: string) => s.replace(/[\\`*_[\]<>|]/g, (c) => `\\${c}`).replace(/\r?\n/g, ' ');

function counts(findings: Finding[], suppressed: number): string {
  const n = (s: Severity) => findings.filter((f) => f.severity === s).length;
  return `${n('critical')} critical, ${n('warning')} warning, ${n('ok')} ok${suppressed ? `, ${suppressed} suppressed` : ''}`;
}

export function render(findings: Finding[], format: Format, opts: { title?: string; suppressed?: number } = {}): string {
  const title = opts.title ?? 'firedrill doctor';
  const list = ordered(findings);
  const summary = counts(findings, opts.suppressed ?? 0);
  if (format === 'text') {
    const lines = [`${title}: ${summary}`, ''];
    for (const f of list) {
      lines.push(`[${LABEL[f.severity].toUpperCase()}] ${f.id}: ${f.message}`);
      if (f.fix && f.severity !== 'ok') lines.push(`    fix: ${f.fix}`);
    }
    return `${lines.join('\n')}\n`;
  }
  const lines = [`## ${md(title)}`, '', `**${summary}**`, ''];
  if (format === 'markdown') {
    lines.push('| severity | id | finding | fix |', '|---|---|---|---|');
    for (const f of list) lines.push(`| ${LABEL[f.severity]} | \`${f.id}\` | ${md(f.message)} | ${f.fix && f.severity !== 'ok' ? md(f.fix) : ''} |`);
  } else {
    // GitHub-flavoured: a task list an organizer ticks off (OK findings come checked).
    for (const s of ['critical', 'warning', 'ok'] as const) {
      const of = list.filter((f) => f.severity === s);
      if (!of.length) continue;
      lines.push(`### ${LABEL[s]} (${of.length})`, '');
      for (const f of of) lines.push(`- [${s === 'ok' ? 'x' : ' '}] \`${f.id}\` ${md(f.message)}${f.fix && s !== 'ok' ? ` — **fix:** ${md(f.fix)}` : ''}`);
      lines.push('');
    }
  }
  return `${lines.join('\n').trimEnd()}\n`;
}
