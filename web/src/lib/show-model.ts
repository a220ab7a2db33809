/**
 * The shapes of the show (issue 16) and of threaded questions (issue 15), read from server JSON in
 * one place: GET /api/results (by the contract's type), persona questions (the team routes, not
 * typed yet: read with model.ts's small readers).
 */
import type { Results as ResultsJson } from '../../../src/contract/results.js';
import { loc, num, obj, str, type BoardTeam, type LocText } from './model.js';

export interface FaultResult {
  fault: string;
  title: LocText;
  cause?: LocText;
  state: string;
  injectedAt: number | null;
  detectMs: number | null;
  acknowledgeMs: number | null;
  recoverMs: number | null;
  points: number; // milli
  max: number; // milli
  categories: Record<string, number>; // milli
}

export interface TeamResult {
  rank: number;
  team: string;
  name: string;
  total: number; // milli
  categories: Record<string, number>; // milli
  faults: FaultResult[];
  /** Awards and penalties: whole points, with the organizer's reason. */
  adjustments: Array<{ points: number; reason: string; seq?: number }>;
}

export interface Results {
  title?: LocText;
  finished: boolean;
  teams: TeamResult[];
  /** True when built from the board only (no GET /api/results yet): no fault details. */
  partial: boolean;
}

/** GET /api/results (src/contract/results.ts). */
export function normResults(x: unknown): Results {
  const r = x as ResultsJson;
  const teams: TeamResult[] = [...r.teams].sort((a, b) => a.rank - b.rank);
  return { title: r.title, finished: r.finished, teams, partial: false };
}

/** The final table from the board alone (when the results endpoint is not there). */
export function resultsFromBoard(teams: BoardTeam[]): Results {
  return {
    finished: true,
    partial: true,
    teams: teams.map((t) => ({
      rank: t.rank,
      team: t.id,
      name: t.name,
      total: t.points,
      categories: Object.fromEntries(t.breakdown.filter((l) => l.group === undefined).map((l) => [l.label, l.points])),
      faults: [],
      adjustments: [],
    })),
  };
}

export type QuestionState = 'open' | 'answered' | 'unanswered' | 'late';

export interface Question {
  state: QuestionState;
  closesAt?: number;
  answer?: number;
  findings: Array<{ element: string; found: boolean; explanation?: LocText }>;
  substance?: { ok: boolean; reason?: string };
}

/** A persona message's `question` block (issue 15), or undefined for a plain line. */
export function normQuestion(x: unknown): Question | undefined {
  const q = obj(obj(x).question);
  const state = str(q.state);
  if (!state) return undefined;
  const sub = obj(q.substance);
  return {
    state: (['open', 'answered', 'unanswered', 'late'] as const).find((s) => s === state) ?? 'open',
    closesAt: num(q.closesAt),
    answer: num(q.answer),
    findings: (Array.isArray(q.findings) ? q.findings : []).map((f) => {
      const fo = obj(f);
      return { element: str(fo.element) ?? '?', found: fo.found === true, explanation: loc(fo.explanation) };
    }),
    ...(typeof sub.ok === 'boolean' ? { substance: { ok: sub.ok, reason: str(sub.reason) } } : {}),
  };
}

/** `replyTo` of a message (the question's seq it answers). */
export const replyToOf = (x: unknown): number | undefined => num(obj(x).replyTo);
/** A persona's name in both languages, when the server sends it. */
export const personaNameOf = (x: unknown): LocText | undefined => loc(obj(x).personaName);

/** An incident's roles: member names per role. */
export interface Roles {
  commander?: string;
  communications?: string;
  ops?: string;
}
export function normRoles(x: unknown): Roles {
  const r = obj(obj(x).roles);
  return { commander: str(r.commander), communications: str(r.communications), ops: str(r.ops) };
}

/** The scenario's description for the pre-game war room (GET /api/game or /api/team, when sent). */
export function descriptionOf(x: unknown): LocText | undefined {
  const o = obj(x);
  return loc(o.description) ?? loc(obj(o.scenario).description) ?? loc(obj(obj(o.game).scenario).description);
}
