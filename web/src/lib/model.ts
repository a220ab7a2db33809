/**
 * The shapes the pages read, and the one place that turns server JSON into them. The server's
 * field names are read tolerantly here so the pages stay simple.
 */
import type { LiveState } from './live.js';
import type { BoardGameBlock, GameBlock, GameResponse, TeamGameBlock } from '../../../src/contract/game.js';
import { normTraffic, type Traffic } from './show-model.js';

export type LocText = { en: string; ja: string } | string;

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
  total?: number;
}

export interface BoardTeam {
  id: string;
  name: string;
  rank: number;
  points: number; // milli-points
  fault?: FaultNow;
  breakdown: Evidence[];
  /** What its users saw in the last minute (issue 16), when the board says. */
  traffic?: Traffic;
}

export interface Board {
  seq: number;
  frozen: boolean;
  /** The board carries the game block (state, clock, speed), so spectators need no polling. */
  game?: Game;
  gameTime?: number;
  teams: BoardTeam[];
}

type J = Record<string, unknown>;
const obj = (x: unknown): J => (x && typeof x === 'object' ? (x as J) : {});
const num = (x: unknown): number | undefined => (typeof x === 'number' && Number.isFinite(x) ? x : undefined);
const str = (x: unknown): string | undefined => (typeof x === 'string' ? x : undefined);
const loc = (x: unknown): LocText | undefined => {
  if (typeof x === 'string') return x;
  const o = obj(x);
  return typeof o.en === 'string' ? { en: o.en, ja: str(o.ja) ?? o.en } : undefined;
};

/** Milli-points: prefer explicit milli fields; plain `points` is taken as milli (the fold's unit). */
function milli(o: J): number {
  return num(o.milli) ?? num(o.pointsMilli) ?? num(o.totalMilli) ?? num(o.points) ?? num(o.total) ?? num(o.score) ?? 0;
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
  const g = obj(x) as Partial<AnyGameBlock>;
  const phase = PHASES.find((p) => p === g.phase) ?? 'not_started';
  const durationMs = num(g.durationMs);
  const endsAt = num(g.endsAt) ?? durationMs;
  const title = 'title' in g ? loc(g.title) : 'scenario' in g && g.scenario && typeof g.scenario === 'object' ? loc(g.scenario.title) : undefined;
  return {
    title: title ?? 'firedrill',
    phase,
    gameTime: num(g.gameTime) ?? 0,
    speed: num(g.speed) ?? 1,
    fetchedAt: Date.now(),
    ...(durationMs !== undefined ? { durationMs } : {}),
    ...(endsAt !== undefined ? { endsAt } : {}),
  };
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

export function gameNow(g: Game | undefined, wallNow = Date.now()): number {
  if (!g) return 0;
  return g.phase === 'running' ? g.gameTime + (wallNow - g.fetchedAt) * g.speed : g.gameTime;
}

/** Game ms left until the game ends by itself (frozen while paused), or undefined when unknown. */
export function gameLeft(g: Game | undefined, wallNow = Date.now()): number | undefined {
  if (!g || g.endsAt === undefined) return undefined;
  return Math.max(0, g.endsAt - gameNow(g, wallNow));
}

function normEvidence(x: unknown, label?: string): Evidence[] {
  if (Array.isArray(x)) return x.flatMap((l) => normEvidence(l));
  const o = obj(x);
  const name = str(o.label) ?? str(o.category) ?? str(o.id) ?? str(o.kind) ?? label;
  const lines: Evidence[] = [];
  if (name !== undefined && (num(o.points) !== undefined || num(o.milli) !== undefined)) {
    const ev = (Array.isArray(o.evidence) ? o.evidence : Array.isArray(o.events) ? o.events : []).filter((n): n is number => typeof n === 'number');
    lines.push({ label: name, points: milli(o), max: num(o.max) ?? num(o.maxMilli), evidence: ev, detail: str(o.detail) ?? str(o.reason) ?? str(o.note) });
  } else if (!Array.isArray(x) && x && typeof x === 'object') {
    // { recovery: {...}, detection: {...} } keyed by category
    for (const [k, v] of Object.entries(o)) if (v && typeof v === 'object') lines.push(...normEvidence(v, k));
  }
  return lines;
}

/** The label a fault's chip shows: its state, or its detection while injected (detection is its own track). */
export const shownState = (state: string, detection: unknown): string =>
  state === 'injected' && (detection === 'detected' || detection === 'acknowledged') ? detection : state;

function normFault(x: unknown): FaultNow | undefined {
  const o = obj(x);
  const id = str(o.id) ?? str(o.fault);
  if (!id) return undefined;
  return { id, title: loc(o.title), state: shownState(str(o.phase) ?? str(o.state) ?? str(o.status) ?? 'pending', o.detection), injectedAt: num(o.injectedAt), index: num(o.index), total: num(o.total) };
}

const part = (label: string, p: unknown, group?: LocText, detail?: string): Evidence => {
  const o = obj(p);
  const ev = Array.isArray(o.evidence) ? o.evidence.filter((n): n is number => typeof n === 'number') : [];
  return { label, group, points: num(o.points) ?? 0, max: num(o.max), evidence: ev, detail };
};

/** The scoring fold's TeamBreakdown: per fault the four categories, then availability, hints, awards. */
function normScoringBreakdown(b: J): Evidence[] {
  const lines: Evidence[] = [];
  for (const f of Array.isArray(b.faults) ? b.faults : []) {
    const fo = obj(f);
    // Faults that have not happened (or were voided/skipped) score nothing either way.
    if (fo.counted === false || fo.injectedAt === null) continue;
    const title = loc(fo.title) ?? str(fo.fault) ?? '?';
    const rec = obj(fo.recovery);
    const ttr = num(rec.ttrMs);
    lines.push(part('recovery', rec, title, ttr !== undefined ? `TTR ${Math.round(ttr / 1000)} s` : undefined));
    lines.push(part('detection', fo.detection, title));
    const com = obj(fo.communication);
    const auto = obj(com.automatic);
    const notes = ['firstUpdate', 'cadence', 'ctoAnswer', 'requiredFields', 'resolutionNotice']
      .map((k) => str(obj(auto[k]).note))
      .filter((n): n is string => Boolean(n));
    lines.push(part('communication', com, title, notes.join(' · ') || undefined));
    lines.push(part('review', fo.review, title));
  }
  if (b.availability) {
    const a = obj(b.availability);
    lines.push(part('availability', a, undefined, num(a.total) ? `${num(a.good) ?? 0}/${num(a.total)}` : undefined));
  }
  const hints = obj(b.hints);
  for (const h of Array.isArray(hints.items) ? hints.items : []) {
    const ho = obj(h);
    lines.push({ label: 'hints', points: -(num(ho.cost) ?? 0) * 1000, evidence: num(ho.seq) ? [num(ho.seq)!] : [], detail: `${str(ho.fault) ?? ''} / ${str(ho.hint) ?? ''}` });
  }
  const adj = obj(b.adjustments);
  for (const a of Array.isArray(adj.items) ? adj.items : []) {
    const ao = obj(a);
    lines.push({ label: 'adjustments', points: (num(ao.points) ?? 0) * 1000, evidence: num(ao.seq) ? [num(ao.seq)!] : [], detail: str(ao.reason) });
  }
  return lines;
}

export function normBreakdown(b: unknown): Evidence[] {
  if (Array.isArray(b)) return normEvidence(b);
  const o = obj(b);
  // The board's short form: category sums only (the evidence comes with /api/teams/:id/score).
  if (o.categories && !o.availability) {
    return Object.entries(obj(o.categories))
      .filter(([, v]) => typeof v === 'number')
      .map(([k, v]) => ({ label: k, points: v as number, evidence: [] }));
  }
  if (Array.isArray(o.faults) || o.availability) return normScoringBreakdown(o);
  return normEvidence(o.lines ?? b);
}

export function normTeam(x: unknown, i: number): BoardTeam {
  const o = obj(x);
  const breakdown = normBreakdown(o.breakdown);
  return {
    id: str(o.id) ?? str(o.team) ?? `#${i}`,
    name: str(o.name) ?? str(o.id) ?? '?',
    rank: num(o.rank) ?? i + 1,
    points: milli(o),
    fault: normFault(o.fault ?? o.currentFault),
    breakdown,
    ...(normTraffic(o) ? { traffic: normTraffic(o) } : {}),
  };
}

export function normBoard(x: unknown): Board {
  const o = obj(x);
  const inner = o.board ? obj(o.board) : o;
  const list = Array.isArray(inner.teams) ? inner.teams : Array.isArray(inner.rows) ? inner.rows : Array.isArray(inner.leaderboard) ? inner.leaderboard : [];
  return {
    seq: num(o.seq) ?? num(inner.seq) ?? num(inner.version) ?? 0,
    frozen: Boolean(inner.frozen ?? o.frozen ?? obj(inner.game).frozen),
    gameTime: num(inner.gameTime) ?? num(o.gameTime),
    game: inner.game ? normGameBlock(inner.game) : undefined,
    teams: sortBoard(list.map(normTeam)),
  };
}

export const sortBoard = (teams: BoardTeam[]): BoardTeam[] => [...teams].sort((a, b) => a.rank - b.rank || b.points - a.points || a.name.localeCompare(b.name));

/** Apply one /ws/leaderboard frame (a snapshot, or a compact delta): web/src/lib/frames.ts. */
export { applyFrame } from './frames.js';

/** A point series for the chart: game ms → milli-points. */
export function normSeries(x: unknown): Array<[number, number]> {
  const o = obj(x);
  const list = Array.isArray(x) ? x : Array.isArray(o.points) ? o.points : Array.isArray(o.series) ? o.series : [];
  const out: Array<[number, number]> = [];
  for (const p of list) {
    if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number') out.push([p[0], p[1]]);
    else {
      const q = obj(p);
      const t = num(q.gameTime) ?? num(q.t) ?? num(q.at);
      if (t !== undefined) out.push([t, milli(q)]);
    }
  }
  return out.sort((a, b) => a[0] - b[0]);
}

/**
 * A /ws/team frame: the team's own standing (`team: { total, rank }` today), and the game block
 * (`game`) on the snapshot and on every phase or speed change.
 */
export function normTeamFrame(f: unknown): { points?: number; rank?: number; game?: Game } {
  const o = obj(f);
  const inner = obj(o.team ?? o.score ?? o.board);
  const points = num(inner.total) ?? num(inner.milli) ?? num(inner.points);
  return {
    ...(points !== undefined ? { points } : {}),
    ...(num(inner.rank) !== undefined ? { rank: num(inner.rank) } : {}),
    ...(o.game && typeof o.game === 'object' ? { game: normGameBlock(o.game) } : {}),
  };
}

export interface TimelineItem {
  seq?: number;
  at?: number; // wall ms
  gameTime?: number;
  type: string;
  text: string;
  /** The server's item, for describeItem(). */
  raw?: Record<string, unknown>;
}

export function normTimeline(x: unknown): TimelineItem[] {
  const o = obj(x);
  const list = Array.isArray(x) ? x : Array.isArray(o.items) ? o.items : Array.isArray(o.events) ? o.events : Array.isArray(o.timeline) ? o.timeline : [];
  return list.map((i) => {
    const q = obj(i);
    return { seq: num(q.seq), at: num(q.at), gameTime: num(q.gameTime), type: str(q.kind) ?? str(q.type) ?? '', text: '', raw: q };
  });
}

export interface StatusUpdate {
  at?: number;
  gameTime?: number;
  text: string;
  impact?: string;
  currentAction?: string;
  nextUpdateAt?: number; // game ms
  nextUpdateAtWall?: number;
  resolved: boolean;
}

export function normStatus(x: unknown): { updates: StatusUpdate[] } {
  const o = obj(x);
  const list = Array.isArray(x) ? x : Array.isArray(o.updates) ? o.updates : Array.isArray(o.history) ? o.history : o.current ? [o.current] : [];
  const updates = list.map((u) => {
    const q = obj(u);
    const d = q.data ? obj(q.data) : q;
    return {
      at: num(q.at),
      gameTime: num(q.gameTime),
      text: str(d.text) ?? '',
      impact: str(d.impact),
      currentAction: str(d.currentAction),
      nextUpdateAt: num(d.nextUpdateAt),
      nextUpdateAtWall: num(d.nextUpdateAtWall),
      resolved: Boolean(d.resolved),
    };
  });
  // Newest first.
  updates.sort((a, b) => (b.at ?? b.gameTime ?? 0) - (a.at ?? a.gameTime ?? 0));
  return { updates };
}

export type { LiveState };
