/**
 * The shapes the pages read, and the one place that turns server JSON into them. The server's
 * answers are read by the contract's types (src/contract/): a renamed or removed field fails
 * `npm run typecheck`, and nothing here guesses field names.
 */
import type { LiveState } from './live.js';
import type { Board as BoardJson, BoardRow } from '../../../src/contract/board.js';
import type { ReplayPosition } from '../../../src/contract/replay.js';
import type { BoardGameBlock, GameBlock, GameResponse, TeamGameBlock, Text } from '../../../src/contract/game.js';
import type { PublicBreakdown, SeriesResponse, StatusPageResponse, TeamFrame, TimelineItem as TimelineJson, TimelineResponse } from '../../../src/contract/teams.js';
import type { TrafficMinute } from '../../../src/contract/traffic.js';

export type LocText = Text | string;

export type GamePhase = 'not_started' | 'running' | 'paused' | 'finished';

export interface Game {
  title: LocText;
  phase: GamePhase;
  /** Game ms at `fetchedAt` (wall ms). */
  gameTime: number;
  speed: number;
  fetchedAt: number;
  /** The scenario's duration, game ms (absent while the server does not say). */
  durationMs?: number;
  /** Game ms at which the game finishes by itself (the duration, or later if extended). */
  endsAt?: number;
}

export interface Evidence {
  /** A category key (recovery, detection, …) or a plain label. */
  label: string;
  /** Heading the line sits under (a fault's title). */
  group?: LocText;
  points: number; // milli-points
  max?: number;
  evidence: number[];
  detail?: string;
}

export interface FaultNow {
  id: string;
  title?: LocText;
  state: string;
  injectedAt?: number; // game ms
  index?: number;
}

/** What the users of a team's service met in the last complete game minute (the board row's `traffic`). */
export type Traffic = TrafficMinute;

export interface BoardTeam {
  id: string;
  name: string;
  rank: number;
  points: number; // milli-points
  fault?: FaultNow;
  breakdown: Evidence[];
  /** What its users saw in the last minute (issue 16), once there was traffic. */
  traffic?: Traffic;
}

export interface Board {
  seq: number;
  frozen: boolean;
  /** The board carries the game block (state, clock, speed), so spectators need no polling. */
  game?: Game;
  teams: BoardTeam[];
}

let lastGame: Game | undefined;
/** The last game state any page loaded (status pages show "next update in …" on the game clock). */
export const currentGame = (): Game | undefined => lastGame;

/** GET /api/game (or a team's /api/team game): the clock anchor every page ticks from. */
export function normGame(x: unknown): Game {
  lastGame = normGameBlock(x);
  return lastGame;
}

const PHASES: readonly GamePhase[] = ['not_started', 'running', 'paused', 'finished'];

/** Every game block the server sends (src/contract/game.ts): GET /api/game, GET /api/team's `game`, live frames' `game`. */
type AnyGameBlock = GameBlock | GameResponse | TeamGameBlock | BoardGameBlock;

/**
 * A game block as the server sends it (GET /api/game, the `game` of /ws/leaderboard and /ws/team
 * frames), read by the contract's field names: a renamed field fails `npm run typecheck`.
 */
export function normGameBlock(x: unknown): Game {
  // Server JSON: one of the contract's game blocks.
  const g = x as AnyGameBlock;
  const phase = PHASES.find((p) => p === g.phase) ?? 'not_started';
  const title = 'title' in g ? g.title : 'scenario' in g && g.scenario && typeof g.scenario === 'object' ? g.scenario.title : undefined;
  const endsAt = g.endsAt ?? g.durationMs;
  return { title: title ?? 'firedrill', phase, gameTime: g.gameTime, speed: g.speed, fetchedAt: Date.now(), durationMs: g.durationMs, endsAt };
}

/**
 * The game a page shows: the clock anchored by the last GET, told of a phase or speed change by a
 * newer live frame (then the clock holds where the anchor says it was when the frame came, until
 * the next GET re-anchors it), and the end time from whichever source has it.
 */
export function mergeGame(anchor: Game | undefined, block: Game | undefined): Game | undefined {
  if (!anchor || !block) return anchor ?? block;
  const newer = block.fetchedAt > anchor.fetchedAt ? block : anchor;
  const older = newer === block ? anchor : block;
  const end = { durationMs: newer.durationMs ?? older.durationMs, endsAt: newer.endsAt ?? older.endsAt };
  const merged: Game =
    newer === block && (block.phase !== anchor.phase || block.speed !== anchor.speed)
      ? { ...anchor, ...end, phase: block.phase, speed: block.speed, gameTime: gameNow(anchor, block.fetchedAt), fetchedAt: block.fetchedAt }
      : { ...anchor, ...end };
  if (merged.durationMs === undefined) delete merged.durationMs;
  if (merged.endsAt === undefined) delete merged.endsAt;
  lastGame = merged;
  return merged;
}

/** On a `firedrill replay` server the clock runs at the replay's pace (GET /api/replay), not at the recorded game's speed. */
let replayPace: { speed: number; still: boolean } | undefined;
export function setReplayPace(p: Pick<ReplayPosition, 'speed' | 'paused' | 'done'> | undefined): void {
  replayPace = p && { speed: p.speed, still: p.paused || p.done };
}

export function gameNow(g: Game | undefined, wallNow = Date.now()): number {
  if (!g) return 0;
  const speed = replayPace ? (replayPace.still ? 0 : replayPace.speed) : g.speed;
  return g.phase === 'running' ? g.gameTime + (wallNow - g.fetchedAt) * speed : g.gameTime;
}

/** Game ms left until the game ends by itself (frozen while paused), or undefined when unknown. */
export function gameLeft(g: Game | undefined, wallNow = Date.now()): number | undefined {
  if (!g || g.endsAt === undefined) return undefined;
  return Math.max(0, g.endsAt - gameNow(g, wallNow));
}

/** The label a fault's chip shows: its state, or its detection while injected (detection is its own track). */
export const shownState = (state: string, detection: unknown): string =>
  state === 'injected' && (detection === 'detected' || detection === 'acknowledged') ? detection : state;

/** A masked fault (its change has not landed for this team) is only "fault N": it has no id or title. */
export const faultName = (f: { masked: true; index: number } | { masked: false; title: Text | null; fault: string }): LocText =>
  f.masked ? { en: `fault ${f.index + 1}`, ja: `障害 ${f.index + 1}` } : (f.title ?? f.fault);

const part = (label: string, p: { points: number; max: number; evidence: number[] }, group?: LocText, detail?: string): Evidence => ({
  label,
  group,
  points: p.points,
  max: p.max,
  evidence: p.evidence,
  detail,
});

/** A team's score breakdown (GET /api/teams/:id/score): per fault the four categories, then availability, hints, awards. */
export function normBreakdown(x: unknown): Evidence[] {
  const b = x as PublicBreakdown;
  const lines: Evidence[] = [];
  for (const f of b.faults) {
    // Faults that have not happened (or were voided/skipped) score nothing either way.
    if (f.masked || !f.counted || f.injectedAt === null) continue;
    const title = faultName(f);
    const ttr = f.recovery.ttrMs;
    lines.push(part('recovery', f.recovery, title, ttr !== null ? `TTR ${Math.round(ttr / 1000)} s` : undefined));
    lines.push(part('detection', f.detection, title));
    const auto = f.communication.automatic;
    // Roles and the sign-off only when the scenario scores them (share null otherwise).
    const notes = [auto.firstUpdate, auto.cadence, auto.ctoAnswer, auto.requiredFields, auto.resolutionNotice, auto.signOff, auto.roles].filter((m) => m.share !== null || m === auto.firstUpdate).map((m) => m.note).filter(Boolean);
    lines.push(part('communication', f.communication, title, notes.join(' · ') || undefined));
    lines.push(part('review', f.review, title));
  }
  const a = b.availability;
  lines.push(part('availability', a, undefined, a.total ? `${a.good}/${a.total}` : undefined));
  for (const h of b.hints.items) lines.push({ label: 'hints', points: -h.cost * 1000, evidence: [h.seq], detail: `${h.fault} / ${h.hint}` });
  for (const x of b.adjustments.items) lines.push({ label: 'adjustments', points: x.points * 1000, evidence: [x.seq], detail: x.reason });
  return lines;
}

/** One board row: its category sums (the evidence comes with /api/teams/:id/score), its current fault, its users' traffic. */
export function normTeam(row: BoardRow): BoardTeam {
  const cur = row.currentFault;
  return {
    id: row.id,
    name: row.name,
    rank: row.rank,
    points: row.score,
    ...(cur ? { fault: { id: cur.id, title: cur.title ?? undefined, state: shownState(cur.state, cur.detection), injectedAt: cur.injectedAt, index: cur.index } } : {}),
    breakdown: Object.entries(row.breakdown.categories).map(([label, points]) => ({ label, points, evidence: [] })),
    ...(row.traffic ? { traffic: row.traffic } : {}),
  };
}

/** GET /api/leaderboard (or the organizers' /api/admin/leaderboard). */
export function normBoard(x: unknown): Board {
  const b = x as BoardJson;
  return { seq: b.seq, frozen: b.game.frozen, game: normGameBlock(b.game), teams: sortBoard(b.teams.map(normTeam)) };
}

export const sortBoard = (teams: BoardTeam[]): BoardTeam[] => [...teams].sort((a, b) => a.rank - b.rank || b.points - a.points || a.name.localeCompare(b.name));

/** Apply one /ws/leaderboard frame (a snapshot, or a compact delta): web/src/lib/frames.ts. */
export { applyFrame } from './frames.js';

/** GET /api/teams/:id/series: game ms → milli-points, for the chart. */
export function normSeries(x: unknown): Array<[number, number]> {
  return (x as SeriesResponse).points.map((p): [number, number] => [p.gameTime, p.total]).sort((a, b) => a[0] - b[0]);
}

/** A /ws/team frame: the team's own standing, and the game block on the snapshot and on every phase or speed change. */
export function normTeamFrame(x: unknown): { points?: number; rank?: number; game?: Game } {
  const f = x as TeamFrame;
  return {
    ...(f.team ? { points: f.team.total, rank: f.team.rank } : {}),
    ...(f.game ? { game: normGameBlock(f.game) } : {}),
  };
}

export interface TimelineItem {
  seq: number;
  gameTime: number;
  type: TimelineJson['kind'];
  /** The server's item, for describeItem(). */
  raw: TimelineJson;
}

/** GET /api/teams/:id/timeline, or the `items` of a /ws/team frame. */
export function normTimeline(x: unknown): TimelineItem[] {
  const items = Array.isArray(x) ? (x as TimelineJson[]) : (x as TimelineResponse).items;
  return items.map((raw) => ({ seq: raw.seq, gameTime: raw.gameTime, type: raw.kind, raw }));
}

export type StatusUpdate = StatusPageResponse['updates'][number];

/** GET /api/teams/:id/status: the team's published status updates, newest first. */
export function normStatus(x: unknown): { updates: StatusUpdate[] } {
  const updates = (x as StatusPageResponse).updates.map((u): StatusUpdate => ({ ...u }));
  updates.sort((a, b) => b.at - a.at);
  return { updates };
}

export type { LiveState };
