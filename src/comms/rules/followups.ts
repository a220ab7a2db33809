import type { ExpectElement, PersonaLine, Text } from '../../scenario/types.js';
import { detectExpects } from './expects.js';
import type { QuestionThread } from './threading.js';

/**
 * Personas that react (pure decisions; the persona director posts what this returns):
 *   - follow-up: the latest question of a line's chain (the line itself, then each follow-up) was
 *     answered, but the answer lacks an expected element → the persona asks again for what is
 *     missing, at most `followUps.max` times per line. The follow-up is itself a question whose
 *     `expects` are the missing elements, posted at the answer's time.
 *   - escalation: the latest question of the chain went unanswered past its window (nothing with
 *     substance in time) → one sharper line, once per line, at the window's end; judges are flagged.
 * Every reaction has a restart-safe idempotency key: `persona:TEAM:FAULT:LINE:followup:N`
 * (N from 1) and `persona:TEAM:FAULT:LINE:escalation`. A key already in the log is never returned.
 */

export const followUpKey = (team: string, fault: string, line: number, n: number): string => `persona:${team}:${fault}:${line}:followup:${n}`;
export const escalationKey = (team: string, fault: string, line: number): string => `persona:${team}:${fault}:${line}:escalation`;

const t = (en: string, ja: string): Text => ({ en, ja });

/** Default follow-ups per missing element: blunt for a CTO (persona id containing "cto"), polite for everyone else. */
export const DEFAULT_FOLLOW_UP: Record<'blunt' | 'polite', Record<ExpectElement, Text>> = {
  blunt: {
    eta: t('So when will it be back?', 'で、いつ直るの？'),
    impact: t('And who is affected? How many users?', 'ユーザーへの影響は？どのくらいの人が困っているんだ？'),
    current_action: t('What are you actually doing about it right now?', 'で、今は何をしているんだ？'),
    decision: t('I asked for a decision. Which is it?', 'で、どうするんだ？判断してくれ。'),
    cause: t('Do we know why this happened?', '原因は分かったのか？'),
    workaround: t('Is there anything users can do in the meantime?', 'それまでユーザーはどうすればいいんだ？'),
    next_update: t('When do I hear from you next?', '次の報告はいつだ？'),
  },
  polite: {
    eta: t('Thanks. Do you have an idea when it will be fixed?', 'ありがとうございます。いつ頃復旧しそうでしょうか？'),
    impact: t('Which users are affected, so I can answer the right people?', 'どのユーザーに影響が出ているか教えていただけますか？'),
    current_action: t('What are you doing about it at the moment?', '現在どのような対応をされていますか？'),
    decision: t('What have you decided to do?', 'どう対応するかお決まりでしょうか？'),
    cause: t('Do you know what caused it?', '原因は分かりましたか？'),
    workaround: t('Is there anything users can do in the meantime?', 'それまでの間、ユーザーにできることはありますか？'),
    next_update: t('When can I expect the next update?', '次回はいつ頃ご連絡いただけますか？'),
  },
};

/** Default escalation; `{minutes}` is the answer window in minutes. */
export const DEFAULT_ESCALATION: Record<'blunt' | 'polite', Text> = {
  blunt: t(
    'I asked {minutes} minutes ago and still have nothing. I’m coming over. Who is in charge here?',
    '{minutes}分前に聞いたのに、まだ返事がないぞ。今からそっちに行く。誰が仕切っているんだ？',
  ),
  polite: t(
    'I still have no answer to my question from {minutes} minutes ago, and users keep asking. I am escalating this.',
    '{minutes}分前の質問にまだ回答をいただけていません。ユーザーからの問い合わせが続いているため、エスカレーションします。',
  ),
};

export const tone = (persona: string): 'blunt' | 'polite' => (/cto/i.test(persona) ? 'blunt' : 'polite');

export interface ChainLink {
  /** The question's seq (the line, then each follow-up, in order). */
  seq: number;
  thread: QuestionThread;
  /** What this question expects (the line's `expects`; a follow-up's missing elements). */
  expects: readonly ExpectElement[];
  /** Text of thread.answer, when answered. */
  answerText?: string;
}

export interface ReactionInput {
  team: string;
  fault: string;
  /** Index of the line in the fault's `personas`. */
  line: number;
  config: Pick<PersonaLine, 'persona' | 'channel' | 'expects' | 'answerWithinMs' | 'followUps' | 'escalation'>;
  chain: readonly ChainLink[];
  /** Game ms now. */
  now: number;
  /** Idempotency keys already in the log. */
  posted: ReadonlySet<string>;
}

export interface Reaction {
  key: string;
  kind: 'followup' | 'escalation';
  /** 1-based follow-up number. */
  n?: number;
  persona: string;
  channel: PersonaLine['channel'];
  dueAt: number;
  text: Text;
  /** A follow-up is a question expecting the missing elements; an escalation is not a question. */
  expectsAnswer: boolean;
  expects: ExpectElement[];
  answerWithinMs: number;
  /** The message it reacts to (the answer for a follow-up, the question for an escalation): for threading in the UI. */
  inReplyTo: number;
  /** Escalations flag judges (the CTO "swoops"). */
  flagJudges: boolean;
}

function followUpText(config: ReactionInput['config'], n: number, missing: ExpectElement[]): Text {
  const fitting = config.followUps.lines.filter((l) => l.missing === undefined || missing.includes(l.missing));
  const scripted = fitting[n - 1];
  if (scripted) return scripted.text;
  const d = DEFAULT_FOLLOW_UP[tone(config.persona)];
  const two = missing.slice(0, 2).map((e) => d[e]);
  return t(two.map((x) => x.en).join(' '), two.map((x) => x.ja).join(''));
}

const fill = (text: Text, minutes: number): Text => ({ en: text.en.replaceAll('{minutes}', String(minutes)), ja: text.ja.replaceAll('{minutes}', String(minutes)) });

/** The reactions due now for one line's chain (at most one: a follow-up or the escalation). */
export function decideReactions(input: ReactionInput): Reaction[] {
  const { team, fault, line, config, chain, now, posted } = input;
  const last = chain[chain.length - 1];
  if (!last) return [];
  const base = { persona: config.persona, channel: config.channel, answerWithinMs: config.answerWithinMs };

  if (last.thread.status === 'answered' && last.thread.answer && last.answerText !== undefined) {
    const n = chain.length; // follow-ups so far = chain.length - 1
    if (n > config.followUps.max) return [];
    const missing = detectExpects(last.answerText, last.expects).missing;
    if (!missing.length) return [];
    const key = followUpKey(team, fault, line, n);
    if (posted.has(key) || last.thread.answer.gameTime > now) return [];
    return [{ ...base, key, kind: 'followup', n, dueAt: last.thread.answer.gameTime, text: followUpText(config, n, missing), expectsAnswer: true, expects: missing, inReplyTo: last.thread.answer.seq, flagJudges: false }];
  }

  if ((last.thread.status === 'unanswered' || last.thread.status === 'late') && now >= last.thread.closesAt) {
    const key = escalationKey(team, fault, line);
    if (posted.has(key)) return [];
    const text = fill(config.escalation ?? DEFAULT_ESCALATION[tone(config.persona)], Math.round(config.answerWithinMs / 60_000));
    return [{ ...base, key, kind: 'escalation', dueAt: last.thread.closesAt, text, expectsAnswer: false, expects: [], inReplyTo: last.seq, flagJudges: true }];
  }
  return [];
}
