/**
 * The shapes of the show (issue 16) and of threaded questions (issue 15), read from server JSON in
 * one place: GET /api/results, per-team user traffic on the board, persona questions.
 */
import type { BoardTeam, LocText } from './model.js';

type J = Record<string, unknown>;
const obj = (x: unknown): J => (x && typeof x === 'object' && !Array.isArray(x) ? (x as J) : {});
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const loc = (x: unknown): LocText | undefined => {
  if (typeof x === 'string') return x;
  const o = obj(x);
  return typeof o.en === 'string' ? { en: o.en, ja: str(o.ja) ?? o.en } : undefined;
};
const nullableMs = (x: unknown): number | null => num(x) ?? null;

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

const numbers = (x: unknown): Record<string, number> =>
  Object.fromEntries(Object.entries(obj(x)).filter((e): e is [string, number] => typeof e[1] === 'number'));

/** GET /api/results (src/export/results.ts `Results`). */
export function normResults(x: unknown): Results {
  const o = obj(x);
  const teams = (Array.isArray(o.teams) ? o.teams : []).map((t, i): TeamResult => {
    const q = obj(t);
    return {
      rank: num(q.rank) ?? i + 1,
      team: str(q.team) ?? str(q.id) ?? `#${i}`,
      name: str(q.name) ?? str(q.team) ?? '?',
      total: num(q.total) ?? 0,
      categories: numbers(q.categories),
      faults: (Array.isArray(q.faults) ? q.faults : []).map((f): FaultResult => {
        const fo = obj(f);
        return {
          fault: str(fo.fault) ?? '?',
          title: loc(fo.title) ?? str(fo.fault) ?? '?',
          cause: loc(fo.cause),
          state: str(fo.state) ?? 'pending',
          injectedAt: nullableMs(fo.injectedAt),
          detectMs: nullableMs(fo.detectMs),
          acknowledgeMs: nullableMs(fo.acknowledgeMs),
          recoverMs: nullableMs(fo.recoverMs),
          points: num(fo.points) ?? 0,
          max: num(fo.max) ?? 0,
          categories: numbers(fo.categories),
        };
      }),
      adjustments: (Array.isArray(q.adjustments) ? q.adjustments : []).map((a) => {
        const ao = obj(a);
        return { points: num(ao.points) ?? 0, reason: str(ao.reason) ?? '', seq: num(ao.seq) };
      }),
    };
  });
  teams.sort((a, b) => a.rank - b.rank);
  return { title: loc(o.title), finished: o.finished !== false, teams, partial: false };
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

/** What users of a team's service saw in the last minute (the board's traffic block). */
export interface Traffic {
  requests: number;
  failures: number;
  /** 0..1 */
  errorRate: number;
}

/**
 * A board team's user traffic: `traffic: { requests, failures | errors, errorRate? }` (the show
 * helper names it; read tolerantly until the contract is in main).
 */
export function normTraffic(raw: unknown): Traffic | undefined {
  const o = obj(obj(raw).traffic ?? obj(raw).users ?? obj(raw).userTraffic);
  const last = Object.keys(obj(o.lastMinute)).length ? obj(o.lastMinute) : o;
  const requests = num(last.requests) ?? num(last.total);
  if (requests === undefined) return undefined;
  const failures = num(last.failures) ?? num(last.errors) ?? num(last.failed) ?? 0;
  const errorRate = num(last.errorRate) ?? (requests > 0 ? failures / requests : 0);
  return { requests, failures, errorRate };
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
