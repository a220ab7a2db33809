import type { NewEvent, NewEventOf, StoredEvent } from '../events/types.js';
import type { Scenario, Text } from '../scenario/types.js';
import { decideReactions, type ChainLink, type Reaction } from './rules/followups.js';
import { resolutionNotice } from './rules/resolution.js';
import { substance, type Earlier } from './rules/substance.js';
import type { QuestionThread } from './rules/threading.js';

/**
 * Personas that react (issue 15), as events to append: follow-ups and escalations decided by
 * src/comms/rules/followups.ts over each scripted question's chain, and spectator reports
 * forwarded to `#stakeholders` by the customer-support persona. Pure: the director hands in the
 * team's persona inputs (fault moments, persona lines posted, reports filed) and a thread lookup.
 * Every event has an idempotency key, so a restart (or two ticks racing) posts each once.
 */

/** At most this many spectator reports are forwarded per team and game minute; the rest are counted in one summary line. */
export const REPORTS_PER_MINUTE = 2;

const ENDS = new Set(['fault.resolved', 'fault.timed_out', 'fault.skipped', 'fault.reverted', 'fault.voided']);
const LINE_KEY = /^persona:[^:]+:([^:]+):(\d+)(?::followup:(\d+))?$/;
const t = (en: string, ja: string): Text => ({ en, ja });

export interface ReactionReads {
  /** A question's thread (answered, late, attempts; status for now = +∞) by its seq. */
  thread(seq: number): QuestionThread | undefined;
  /** A message's text by seq. */
  text(seq: number): string | undefined;
}

export const reportKey = (seq: number): string => `report:${seq}`;
export const reportSummaryKey = (team: string, minute: number): string => `report:${team}:more:${minute}`;

/** The persona who forwards user reports: customer support if the scenario has one. */
export function supportPersona(scenario: Scenario): { id: string; name: Text } {
  const p = scenario.personas.find((x) => /support|cs\b/i.test(x.id) || /support|サポート/i.test(`${x.role.en} ${x.role.ja}`));
  return p ? { id: p.id, name: p.name } : { id: 'support', name: t('Customer support', 'カスタマーサポート') };
}

/** Follow-ups and escalations due now for one team. */
export function dueReactions(scenario: Scenario, team: string, inputs: readonly StoredEvent[], reads: ReactionReads, now: number): NewEventOf<'message.posted'>[] {
  const posted = new Set<string>();
  const ended = new Set<string>();
  // fault \0 line → chain seqs by follow-up number (0 = the line itself)
  const chains = new Map<string, { fault: string; line: number; links: Map<number, StoredEvent> }>();
  for (const e of inputs) {
    if (e.key) posted.add(e.key);
    if (ENDS.has(e.type) && 'fault' in e.data) ended.add(e.data.fault as string);
    if (e.type !== 'message.posted' || !e.key || !e.data.expectsAnswer) continue;
    const m = LINE_KEY.exec(e.key);
    if (!m) continue;
    const id = `${m[1]}\0${m[2]}`;
    let c = chains.get(id);
    if (!c) chains.set(id, (c = { fault: m[1]!, line: Number(m[2]), links: new Map() }));
    c.links.set(m[3] ? Number(m[3]) : 0, e);
  }
  const out: NewEventOf<'message.posted'>[] = [];
  for (const c of chains.values()) {
    // A fault that ended needs no more chasing ("so when will it be back?" after the fix).
    if (ended.has(c.fault)) continue;
    const config = scenario.faults.find((f) => f.id === c.fault)?.personas[c.line];
    if (!config || !c.links.has(0)) continue;
    const chain: ChainLink[] = [];
    for (let n = 0; c.links.has(n); n++) {
      const e = c.links.get(n)! as StoredEvent & { type: 'message.posted' };
      const thread = reads.thread(e.seq);
      if (!thread) break;
      const answerText = thread.answer ? reads.text(thread.answer.seq) : undefined;
      chain.push({ seq: e.seq, thread, expects: e.data.expects ?? (n === 0 ? config.expects : []), ...(answerText !== undefined ? { answerText } : {}) });
    }
    for (const r of decideReactions({ team, fault: c.fault, line: c.line, config, chain, now, posted })) out.push(reactionEvent(scenario, team, c.fault, r));
  }
  return out;
}

function reactionEvent(scenario: Scenario, team: string, fault: string, r: Reaction): NewEventOf<'message.posted'> {
  const p = scenario.personas.find((x) => x.id === r.persona);
  return {
    type: 'message.posted',
    team,
    source: 'persona',
    key: r.key,
    data: {
      channel: r.channel,
      author: { kind: 'persona', name: p?.name.en ?? r.persona },
      persona: r.persona,
      text: r.text.en,
      textJa: r.text.ja,
      fault,
      replyTo: r.inReplyTo,
      kind: r.kind,
      expectsAnswer: r.expectsAnswer,
      ...(r.expectsAnswer ? { expects: r.expects, answerWithinMs: r.answerWithinMs } : {}),
      ...(r.flagJudges ? { flagJudges: true } : {}),
    },
  };
}

/**
 * Spectator reports to forward now: each `report.filed` of the team becomes a customer-support
 * line in `#stakeholders`, the report quoted as text and marked as a forwarded user report
 * (`kind: 'report'`), at most REPORTS_PER_MINUTE per game minute; the others of that minute are
 * counted in one summary line once the minute is over.
 */
export function dueReports(scenario: Scenario, team: string, inputs: readonly StoredEvent[], now: number): NewEventOf<'message.posted'>[] {
  const posted = new Set<string>();
  const byMinute = new Map<number, StoredEvent[]>();
  for (const e of inputs) {
    if (e.key) posted.add(e.key);
    if (e.type !== 'report.filed') continue;
    const m = Math.floor(e.gameTime / 60_000);
    byMinute.set(m, [...(byMinute.get(m) ?? []), e]);
  }
  const sp = supportPersona(scenario);
  const base = { channel: 'stakeholders' as const, author: { kind: 'persona' as const, name: sp.name.en }, persona: sp.id, kind: 'report' as const };
  const out: NewEventOf<'message.posted'>[] = [];
  for (const [minute, reports] of byMinute) {
    reports.forEach((e, i) => {
      if (i >= REPORTS_PER_MINUTE || posted.has(reportKey(e.seq))) return;
      const text = (e.data as { text: string }).text;
      out.push({
        type: 'message.posted',
        team,
        source: 'persona',
        key: reportKey(e.seq),
        data: {
          ...base,
          text: `User report (forwarded by customer support, quoted as written): “${text}”`,
          textJa: `ユーザーからの報告（カスタマーサポートより転送・原文のまま）：「${text}」`,
        },
      });
    });
    const more = reports.length - REPORTS_PER_MINUTE;
    if (more > 0 && now >= (minute + 1) * 60_000 && !posted.has(reportSummaryKey(team, minute))) {
      out.push({
        type: 'message.posted',
        team,
        source: 'persona',
        key: reportSummaryKey(team, minute),
        data: { ...base, text: `${more} more user report${more > 1 ? 's' : ''} came in that minute (not forwarded one by one).`, textJa: `同じ1分間にさらに${more}件のユーザー報告がありました（個別には転送していません）。` },
      });
    }
  }
  return out;
}

// --- the business-side sign-off (issue 15) ---------------------------------------------------------

/** The persona's one "is it fixed?" per fault, and the confirmation of the Nth recovery (with its fault.signed_off). */
export const signOffAskKey = (team: string, fault: string): string => `persona:${team}:${fault}:signoff:ask`;
export const signOffLineKey = (team: string, fault: string, recovery: number): string => `persona:${team}:${fault}:signoff:${recovery}`;
export const signedOffKey = (team: string, fault: string, recovery: number): string => `signoff:${team}:${fault}:${recovery}`;

export const SIGN_OFF_ASK = t('Is it fixed? Can I tell users?', '直りましたか？ユーザーに伝えていいですか？');
export const SIGN_OFF_CONFIRM = t('Thanks, confirmed on our side: users are fine again. I will tell them it is resolved.', 'ありがとうございます。ユーザー側でも直っていることを確認しました。解決したとお伝えします。');

interface SignOffTrack {
  recovered: boolean;
  recoveries: number;
  ended: boolean;
  signed: boolean;
  /** The first resolution notice since the injection (or the last relapse): its seq, and whether it is a message. */
  notice: { seq: number; message: boolean } | null;
}

/**
 * The business side closes the fault: once the current fault is recovered (its probes sustained
 * green) and the team has sent a resolution notice to `#stakeholders` since it was injected (a
 * status update marked resolved whose text has substance, or a team message that says it is
 * resolved, src/comms/rules/resolution.ts), the sign-off persona confirms and `fault.signed_off`
 * is appended with the line (the sequencer then resolves the fault). Recovered without a notice:
 * the persona asks once. Either order works; a relapse forgets the notice. Pure; every event keyed.
 */
export function dueSignOffs(scenario: Scenario, team: string, inputs: readonly StoredEvent[]): NewEvent[] {
  if (!scenario.game.signOff) return [];
  const posted = new Set<string>();
  const faults = new Map<string, SignOffTrack>();
  let current: string | null = null;
  const earlier: Earlier[] = [];
  for (const e of inputs) {
    if (e.key) posted.add(e.key);
    const tr = current ? faults.get(current) : undefined;
    switch (e.type) {
      case 'fault.injected':
        faults.set(e.data.fault, { recovered: false, recoveries: 0, ended: false, signed: false, notice: null });
        current = e.data.fault;
        break;
      case 'fault.recovered': {
        const f = faults.get(e.data.fault);
        if (f) {
          f.recovered = true;
          f.recoveries++;
          f.signed = false;
        }
        break;
      }
      case 'fault.relapsed': {
        const f = faults.get(e.data.fault);
        if (f) {
          f.recovered = false;
          f.notice = null;
        }
        break;
      }
      case 'fault.signed_off': {
        const f = faults.get(e.data.fault);
        if (f) f.signed = true;
        break;
      }
      case 'status.published':
        if (tr && !tr.ended && !tr.notice && e.data.resolved && substance(e.data.text).ok) tr.notice = { seq: e.seq, message: false };
        break;
      case 'message.posted':
        if (e.data.channel !== 'stakeholders') break;
        if (e.data.author.kind === 'team' && tr && !tr.ended && !tr.notice && resolutionNotice(e.data.text, earlier).ok) tr.notice = { seq: e.seq, message: true };
        earlier.push({ seq: e.seq, text: e.data.text });
        break;
      default:
        if (ENDS.has(e.type) && 'fault' in e.data) {
          const f = faults.get(e.data.fault as string);
          if (f) f.ended = true;
        }
    }
  }
  const p = scenario.game.signOffPersona ? scenario.personas.find((x) => x.id === scenario.game.signOffPersona) : undefined;
  const sp = p ? { id: p.id, name: p.name } : supportPersona(scenario);
  const line = (key: string, fault: string, text: Text, replyTo?: number): NewEventOf<'message.posted'> => ({
    type: 'message.posted',
    team,
    source: 'persona',
    key,
    data: { channel: 'stakeholders', author: { kind: 'persona', name: sp.name.en }, persona: sp.id, text: text.en, textJa: text.ja, fault, ...(replyTo !== undefined ? { replyTo } : {}) },
  });
  const out: NewEvent[] = [];
  for (const [fault, f] of faults) {
    if (f.ended || !f.recovered || f.signed) continue;
    if (f.notice) {
      if (posted.has(signedOffKey(team, fault, f.recoveries))) continue;
      out.push(line(signOffLineKey(team, fault, f.recoveries), fault, SIGN_OFF_CONFIRM, f.notice.message ? f.notice.seq : undefined), {
        type: 'fault.signed_off',
        team,
        source: 'persona',
        key: signedOffKey(team, fault, f.recoveries),
        data: { fault, notice: f.notice.seq, persona: sp.id },
      });
    } else if (!posted.has(signOffAskKey(team, fault))) out.push(line(signOffAskKey(team, fault), fault, SIGN_OFF_ASK));
  }
  return out;
}
