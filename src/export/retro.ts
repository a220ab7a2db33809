import type { StoredEvent } from '../events/types.js';
import type { Scenario, Text } from '../scenario/types.js';
import { points, type Results } from './results.js';

/**
 * A team's retrospective pack as Markdown: the results of each fault, a timeline drafted from the
 * team's own events, its postmortems (what went well / where we got lucky / what to improve /
 * action items as their own sections) and the judges' comments. Pure; every text a person typed
 * is escaped so it reads as text in any Markdown viewer, never as markup or HTML.
 */

export type Lang = 'en' | 'ja';

const L = {
  en: {
    title: 'Retrospective',
    final: (rank: number, of: number, pts: string) => `Final: rank ${rank} of ${of}, ${pts} points.`,
    summary: 'Summary',
    fault: 'Fault',
    cause: 'Cause (revealed after the game)',
    injected: 'injected',
    detect: 'time to detect',
    ack: 'time to acknowledge',
    recover: 'time to recover',
    resolved: 'resolved by',
    pointsOf: 'points',
    timeline: 'Timeline (drafted from the log: correct it in your postmortem)',
    postmortem: 'Postmortem',
    wentWell: 'What went well',
    lucky: 'Where we got lucky',
    improve: 'What to improve',
    actions: 'Action items',
    judges: "Judges' comments",
    none: 'none',
    never: 'never',
    adjustments: 'Awards and penalties',
  },
  ja: {
    title: 'ふりかえり',
    final: (rank: number, of: number, pts: string) => `最終結果: ${of}チーム中${rank}位、${pts}点。`,
    summary: 'まとめ',
    fault: '障害',
    cause: '原因（ゲーム終了後に公開）',
    injected: '発生',
    detect: '検知まで',
    ack: '確認（Ack）まで',
    recover: '復旧まで',
    resolved: '解決の判定',
    pointsOf: '点',
    timeline: 'タイムライン（ログからの下書き。ポストモーテムで修正してください）',
    postmortem: 'ポストモーテム',
    wentWell: 'うまくいったこと',
    lucky: '運が良かったこと',
    improve: '改善すること',
    actions: 'アクションアイテム',
    judges: '審査員のコメント',
    none: 'なし',
    never: '未達',
    adjustments: '加点・減点',
  },
} as const;

/** Escape a person's text for Markdown: inline, no markup, no HTML (`[x](y)` stays text: its brackets are escaped). */
export function mdText(s: string): string {
  return s
    .replace(/[\r\n]+/g, ' ')
    .replace(/[\\`*_[\]|~#>]/g, '\\$&')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;');
}

/** A line of a person's text that starts a Markdown line: a leading list or heading marker is text too. */
const mdLine = (s: string): string => mdText(s).replace(/^(\s*)([-+]|\d+\.)(\s)/, '$1\\$2$3');

const pick = (t: Text | undefined, lang: Lang): string => (t ? (lang === 'ja' ? t.ja || t.en : t.en || t.ja) : '');

/** Game clock h:mm:ss. */
export function clock(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  return `${Math.floor(s / 3600)}:${String(Math.floor(s / 60) % 60).padStart(2, '0')}:${String(s % 60).padStart(2, '0')}`;
}
const dur = (ms: number | null, lang: Lang) => (ms === null ? L[lang].never : clock(ms).replace(/^0:/, ''));

function timelineLine(e: StoredEvent, scenario: Scenario, lang: Lang): string | null {
  const persona = (id?: string) => pick(scenario.personas.find((p) => p.id === id)?.name, lang) || id || '';
  const faultTitle = (id: string) => pick(scenario.faults.find((f) => f.id === id)?.title, lang) || id;
  switch (e.type) {
    case 'fault.injected':
      return `**${mdText(faultTitle(e.data.fault))}**: ${lang === 'ja' ? '障害発生' : 'fault injected'}`;
    case 'probe.failed':
      return `${lang === 'ja' ? 'プローブ失敗' : 'probe failed'}: ${mdText(e.data.probe)}${e.data.evidence.status ? ` (HTTP ${e.data.evidence.status})` : e.data.evidence.error ? ` (${mdText(e.data.evidence.error.slice(0, 80))})` : ''}`;
    case 'probe.recovered':
      return `${lang === 'ja' ? 'プローブ回復' : 'probe recovered'}: ${mdText(e.data.probe)}`;
    case 'alert.queued':
      return e.data.action === 'trigger' ? `${lang === 'ja' ? 'アラート' : 'alert'}: ${mdText(e.data.summary)}` : null;
    case 'incident.triggered':
      return `${lang === 'ja' ? 'インシデント起票' : 'incident opened'}: “${mdText(e.data.title)}” (${e.data.via})`;
    case 'incident.acknowledged':
      return `${lang === 'ja' ? 'インシデント確認（Ack）' : 'incident acknowledged'}${e.data.agent ? ` — ${mdText(e.data.agent)}` : ''}`;
    case 'incident.resolved':
      return `${lang === 'ja' ? 'インシデント解決' : 'incident resolved'}${e.data.agent ? ` — ${mdText(e.data.agent)}` : ''}`;
    case 'incident.reopened':
      return lang === 'ja' ? 'インシデント再オープン' : 'incident reopened';
    case 'incident.annotated':
      return `${lang === 'ja' ? 'メモ' : 'note'}: ${mdText(e.data.note)}`;
    case 'incident.status_update_published':
      return `${lang === 'ja' ? 'ステータス更新' : 'status update'}: ${mdText(e.data.message)}`;
    case 'message.posted': {
      if (e.data.channel === 'chat') return null;
      const who = e.data.persona ? persona(e.data.persona) : e.data.author.name;
      const text = lang === 'ja' && e.data.textJa ? e.data.textJa : e.data.text;
      const tag = e.data.expectsAnswer ? (lang === 'ja' ? '（質問）' : ' (question)') : e.data.replyTo ? (lang === 'ja' ? `（#${e.data.replyTo} への回答）` : ` (answer to #${e.data.replyTo})`) : '';
      return `#${e.data.channel} #${e.seq} **${mdText(who)}**${tag}: ${mdText(text)}`;
    }
    case 'status.published':
      return `${lang === 'ja' ? 'ステータス更新' : 'status update'}${e.data.resolved ? (lang === 'ja' ? '（解決の告知）' : ' (resolution notice)') : ''}: ${mdText(e.data.text)}`;
    case 'platform.changed':
      return `${lang === 'ja' ? '変更' : 'change'} ${mdText(e.data.change)} ${lang === 'ja' ? '作成者' : 'by'} ${mdText(e.data.author)}: “${mdText(e.data.message)}”${e.data.revertOf ? ` (${lang === 'ja' ? '取り消し' : 'revert of'} ${mdText(e.data.revertOf)})` : ''}`;
    case 'hint.taken':
      return `${lang === 'ja' ? 'ヒント使用' : 'hint taken'}: ${mdText(e.data.hint)} (−${e.data.cost})`;
    case 'fault.recovered':
      return `**${lang === 'ja' ? '復旧' : 'recovered'}** (${lang === 'ja' ? '継続的に正常' : 'green since'} ${clock(e.data.greenSince)})`;
    case 'fault.relapsed':
      return `${lang === 'ja' ? '再発' : 'relapsed'}: ${mdText(e.data.probe)}`;
    case 'fault.resolved':
      return `**${lang === 'ja' ? '解決' : 'resolved'}** (${e.data.by})`;
    case 'fault.timed_out':
      return `**${lang === 'ja' ? '時間切れ' : 'timed out'}**`;
    case 'fault.skipped':
    case 'fault.reverted':
      return `${e.type === 'fault.skipped' ? (lang === 'ja' ? 'スキップ' : 'skipped') : lang === 'ja' ? '切り戻し' : 'reverted'} — ${mdText(e.data.reason)}`;
    default:
      return null;
  }
}

export function retrospective(scenario: Scenario, events: readonly StoredEvent[], r: Results, team: string, lang: Lang = 'en'): string {
  const t = L[lang];
  const res = r.teams.find((x) => x.team === team);
  const mine = events.filter((e) => e.team === team);
  const out: string[] = [];
  out.push(`# ${t.title} — ${mdText(res?.name ?? team)}`, '');
  out.push(`${mdText(pick(scenario.title, lang))}`, '');
  if (res) out.push(t.final(res.rank, r.teams.length, points(res.total)), '');

  out.push(`## ${t.summary}`, '');
  out.push(`| ${t.fault} | ${t.injected} | ${t.detect} | ${t.ack} | ${t.recover} | ${t.resolved} | ${t.pointsOf} |`, '|---|---|---|---|---|---|---|');
  for (const f of res?.faults ?? []) {
    out.push(
      `| ${f.index + 1}. ${mdText(pick(f.title, lang))} | ${f.injectedAt === null ? '—' : clock(f.injectedAt)} | ${dur(f.detectMs, lang)} | ${dur(f.acknowledgeMs, lang)} | ${dur(f.recoverMs, lang)} | ${f.resolvedBy ?? '—'} | ${points(f.points)} / ${points(f.max)} |`,
    );
  }
  out.push('');
  for (const f of res?.faults ?? []) if (f.injectedAt !== null) out.push(`- **${f.index + 1}. ${mdText(pick(f.title, lang))}** — ${t.cause}: ${mdText(pick(f.cause, lang))}`);
  if (res?.adjustments.length) {
    out.push('', `### ${t.adjustments}`, '');
    for (const a of res.adjustments) out.push(`- ${a.points > 0 ? '+' : ''}${a.points}: ${mdText(a.reason)}`);
  }

  out.push('', `## ${t.timeline}`, '');
  for (const e of mine) {
    const line = timelineLine(e, scenario, lang);
    if (line) out.push(`- ${clock(e.gameTime)} ${line}`);
  }

  const postmortems = mine.filter((e): e is Extract<StoredEvent, { type: 'postmortem.submitted' }> => e.type === 'postmortem.submitted');
  for (const p of postmortems) {
    const title = pick(scenario.faults.find((f) => f.id === p.data.fault)?.title, lang) || p.data.fault;
    out.push('', `## ${t.postmortem}: ${mdText(title)} (${clock(p.gameTime)}, ${mdText(p.data.by.name)})`, '');
    if (p.data.text.trim()) out.push(...p.data.text.split(/\r?\n/).map((l) => (l.trim() ? `> ${mdText(l)}` : '>')), '');
    const section = (head: string, body: string | undefined) => {
      if (body?.trim()) out.push(`### ${head}`, '', ...body.split(/\r?\n/).filter((l) => l.trim()).map((l) => mdLine(l)), '');
    };
    section(t.wentWell, p.data.wentWell);
    section(t.lucky, p.data.lucky);
    section(t.improve, p.data.improve);
    if (p.data.actionItems?.length) {
      out.push(`### ${t.actions}`, '');
      for (const a of p.data.actionItems) out.push(`- [ ] ${mdText(a.text)}${a.owner ? ` — ${mdText(a.owner)}` : ''}`);
      out.push('');
    }
  }

  const judgements = mine.filter((e): e is Extract<StoredEvent, { type: 'judgement.recorded' }> => e.type === 'judgement.recorded' && !!e.data.note?.trim());
  if (judgements.length) {
    out.push('', `## ${t.judges}`, '');
    for (const j of judgements) out.push(`- ${mdText(j.data.fault)} · ${j.data.category}/${mdText(j.data.criterion)} ${j.data.score}/5 (${mdText(j.data.judge)}): ${mdText(j.data.note ?? '')}`);
  }
  return out.join('\n').replace(/\n{3,}/g, '\n\n') + '\n';
}
