import type { StoredEvent } from '../events/types.js';
import type { Scenario, Text } from '../scenario/types.js';
import { score } from '../scoring/index.js';
import type { FaultState, TeamBreakdown } from '../scoring/types.js';

/**
 * The results of a game as data: the final table with each category, per-team fault summaries
 * (times to detect, acknowledge, recover), the revealed causes and every award or penalty with its
 * reason. Pure: the log and the scenario in, plain JSON out (`firedrill export`, the results view).
 */

export interface FaultSummary {
  fault: string;
  index: number;
  title: Text;
  /** What teams and spectators read during the game. */
  symptom: Text;
  /** The organizer briefing: revealed once the game is over. */
  cause: Text;
  state: FaultState;
  injectedAt: number | null;
  /** Game ms from injection; null when it never happened. */
  detectMs: number | null;
  acknowledgeMs: number | null;
  recoverMs: number | null;
  resolvedBy: 'incident' | 'grace' | 'sign_off' | null;
  points: number;
  max: number;
  categories: { recovery: number; detection: number; communication: number; review: number };
}

export interface TeamResult {
  rank: number;
  team: string;
  name: string;
  /** milli-points */
  total: number;
  categories: TeamBreakdown['categories'];
  faults: FaultSummary[];
  adjustments: Array<{ points: number; reason: string; seq: number }>;
}

export interface Results {
  scenario: string;
  title: Text;
  finished: boolean;
  /** Game ms of the last event. */
  gameTime: number;
  /** The first three of the final table (ties keep the table's order). */
  podium: Array<{ rank: number; team: string; name: string; total: number }>;
  teams: TeamResult[];
}

export function results(scenario: Scenario, events: readonly StoredEvent[]): Results {
  const board = score(scenario, events);
  const facts = new Map<string, { injectedAt: number | null; detectedAt: number | null; acknowledgedAt: number | null; greenSince: number | null; resolvedBy: 'incident' | 'grace' | 'sign_off' | null }>();
  const fact = (team: string, fault: string) => {
    const k = `${team}\0${fault}`;
    let f = facts.get(k);
    if (!f) facts.set(k, (f = { injectedAt: null, detectedAt: null, acknowledgedAt: null, greenSince: null, resolvedBy: null }));
    return f;
  };
  for (const e of events) {
    if (!e.team) continue;
    if (e.type === 'fault.injected') Object.assign(fact(e.team, e.data.fault), { injectedAt: e.gameTime, detectedAt: null, acknowledgedAt: null, greenSince: null });
    else if (e.type === 'fault.detected') fact(e.team, e.data.fault).detectedAt ??= e.data.at;
    else if (e.type === 'fault.acknowledged') fact(e.team, e.data.fault).acknowledgedAt ??= e.data.at;
    else if (e.type === 'fault.recovered') fact(e.team, e.data.fault).greenSince = e.data.greenSince;
    else if (e.type === 'fault.relapsed') fact(e.team, e.data.fault).greenSince = null;
    else if (e.type === 'fault.resolved') fact(e.team, e.data.fault).resolvedBy = e.data.by;
  }
  const since = (at: number | null, from: number | null) => (at === null || from === null ? null : Math.max(0, at - from));
  const last = events[events.length - 1];
  const podium = board.teams.slice(0, 3).map((s) => ({ rank: s.rank, team: s.team, name: s.name, total: s.total }));
  return {
    podium,
    scenario: scenario.name,
    title: scenario.title,
    finished: events.some((e) => e.type === 'game.finished'),
    gameTime: last?.gameTime ?? 0,
    teams: board.teams.map((s) => ({
      rank: s.rank,
      team: s.team,
      name: s.name,
      total: s.total,
      categories: { ...s.breakdown.categories },
      adjustments: s.breakdown.adjustments.items.map((a) => ({ points: a.points, reason: a.reason, seq: a.seq })),
      faults: scenario.faults.map((spec) => {
        const f = fact(s.team, spec.id);
        const fs = s.breakdown.faults.find((x) => x.fault === spec.id);
        return {
          fault: spec.id,
          index: spec.index,
          title: spec.title,
          symptom: spec.symptom,
          cause: spec.briefing.organizer,
          state: fs?.state ?? 'pending',
          injectedAt: f.injectedAt,
          detectMs: since(f.detectedAt, f.injectedAt),
          acknowledgeMs: since(f.acknowledgedAt, f.injectedAt),
          recoverMs: since(f.greenSince, f.injectedAt),
          resolvedBy: f.resolvedBy,
          points: fs?.points ?? 0,
          max: fs?.max ?? 0,
          categories: {
            recovery: fs?.recovery.points ?? 0,
            detection: fs?.detection.points ?? 0,
            communication: fs?.communication.points ?? 0,
            review: fs?.review.points ?? 0,
          },
        };
      }),
    })),
  };
}

/** milli-points as points with up to three decimals ("1234.5"). */
export const points = (milli: number): string => String(Math.round(milli) / 1000);

const csvCell = (v: string | number): string => {
  const s = String(v);
  // A cell a spreadsheet would run as a formula is quoted and prefixed (CSV injection).
  const safe = /^[=+\-@\t\r]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\n\r]/.test(safe) || safe !== s ? `"${safe.replaceAll('"', '""')}"` : safe;
};

/** The final table, one row per team, points (not milli-points) in every category. */
export function resultsCsv(r: Results): string {
  const cats = ['recovery', 'detection', 'communication', 'review', 'availability', 'hints', 'adjustments'] as const;
  const rows = [['rank', 'team', 'name', 'total', ...cats, ...r.teams[0]?.faults.map((f) => `${f.fault} points`) ?? []]];
  for (const t of r.teams) rows.push([String(t.rank), t.team, t.name, points(t.total), ...cats.map((c) => points(t.categories[c] ?? 0)), ...t.faults.map((f) => points(f.points))]);
  return rows.map((row) => row.map(csvCell).join(',')).join('\r\n') + '\r\n';
}

/** The whole log, one event per line (what `firedrill replay` reads). */
export function eventsJsonl(events: readonly StoredEvent[]): string {
  return events.map((e) => JSON.stringify(e)).join('\n') + (events.length ? '\n' : '');
}
