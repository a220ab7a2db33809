import { createHash } from 'node:crypto';
import type { StoredEvent } from '../events/types.js';
import type { Scenario, Text } from '../scenario/types.js';
import { apply, compareTeams, createScore, standing, type ScoreState } from '../scoring/fold.js';
import type { CurrentFault, FaultState, Standing, TeamBreakdown } from '../scoring/types.js';

/**
 * The live leaderboard: an effectful shell around the pure scoring fold. It is rebuilt from the log
 * at start and kept current by the store's subscription; it precomputes each audience's JSON and
 * ETag when something changes (never per request).
 *
 * Audiences (design.md): the public board (live, or frozen by the organizers), each team's own live
 * view, and the organizers' live view. Frame `seq`s are each audience's own board version, never
 * the raw event seq, so a client of a frozen board learns nothing from them.
 */

export type GameState = 'waiting' | 'running' | 'paused' | 'finished';

export interface GameBlock {
  scenario: string;
  title: Text;
  state: GameState;
  /** Game ms when this board was built; with `running`/`speed`, clients extrapolate. */
  gameTime: number;
  running: boolean;
  speed: number;
  frozen: boolean;
}

/** One row of the board as the clients see it (milli-points). */
export interface BoardTeam {
  id: string;
  name: string;
  rank: number;
  score: number;
  breakdown: { categories: TeamBreakdown['categories']; faults: Array<{ id: string; state: FaultState; points: number; max: number }> };
  currentFault: CurrentFault | null;
}

export interface Board {
  game: GameBlock;
  teams: BoardTeam[];
  seq: number;
}

/** A precomputed, serialized board of one audience. */
export interface Prepared {
  seq: number;
  board: Board;
  /** JSON of `board`, serialized once per change. */
  json: string;
  etag: string;
  /** The snapshot frame `{ type: 'snapshot', seq, board }`, serialized once per change. */
  snapshotFrame: string;
}

/** Public, team-safe moments of a team's log: never internal messages, tokens or organizer notes. */
export type TimelineItem = { seq: number; gameTime: number } & (
  | { kind: 'fault'; fault: string; title: Text | null; moment: string }
  | { kind: 'probe'; probe: string; state: 'failed' | 'recovered'; status?: number; latencyMs?: number }
  | { kind: 'incident'; incident: string; state: string; title?: string }
  | { kind: 'status'; text: string; impact?: string; currentAction?: string; nextUpdateAt?: number; resolved: boolean }
  | { kind: 'score'; total: number; delta: number; cause: string; reason?: string }
);

export interface SeriesPoint {
  seq: number;
  gameTime: number;
  total: number;
}

export interface TeamFrame {
  type: 'snapshot' | 'update' | 'event';
  seq: number;
  team?: Standing;
  items?: TimelineItem[];
}

export interface LeaderboardOptions {
  scenario: Scenario;
  /** Game ms now (the game clock's fold); read when a board is rebuilt, never per request. */
  gameTime?: () => number;
  /** How many public updates are kept for `?since=` resumes. */
  ring?: number;
  /** Most timeline items kept per team. */
  timelineCap?: number;
}

type Listener = (frame: string, seq: number) => void;

const FAULT_MOMENTS: Partial<Record<StoredEvent['type'], string>> = {
  'fault.injected': 'injected',
  'fault.detected': 'detected',
  'fault.acknowledged': 'acknowledged',
  'fault.premature_resolve': 'premature_resolve',
  'fault.recovered': 'recovered',
  'fault.relapsed': 'relapsed',
  'fault.resolved': 'resolved',
  'fault.timed_out': 'timed_out',
  'fault.skipped': 'skipped',
  'fault.voided': 'voided',
  'fault.reverted': 'reverted',
  'fault.deadline_extended': 'deadline_extended',
};
const INCIDENT_STATES: Partial<Record<StoredEvent['type'], string>> = {
  'incident.triggered': 'triggered',
  'incident.acknowledged': 'acknowledged',
  'incident.unacknowledged': 'unacknowledged',
  'incident.resolved': 'resolved',
  'incident.reopened': 'reopened',
};

const etagOf = (json: string) => `"${createHash('sha1').update(json).digest('base64url')}"`;

/**
 * Spectators and teams must not learn what is coming: a fault not yet injected is shown as
 * "fault N" with no id or title. Organizers see everything.
 */
const unplayed = (state: FaultState) => state === 'pending' || state === 'armed';
const maskedId = (index: number) => `fault-${index + 1}`;

export function spoilerFree(b: TeamBreakdown): TeamBreakdown {
  return { ...b, faults: b.faults.map((f) => (unplayed(f.state) ? { ...f, fault: maskedId(f.index), title: null } : f)) };
}

export function spoilerFreeStanding(s: Standing): Standing {
  const cur = s.currentFault;
  return {
    ...s,
    breakdown: spoilerFree(s.breakdown),
    currentFault: cur && unplayed(cur.state) ? { ...cur, id: maskedId(cur.index), title: null } : cur,
  };
}

function boardTeam(s: Standing): BoardTeam {
  return {
    id: s.team,
    name: s.name,
    rank: s.rank,
    score: s.total,
    breakdown: {
      categories: s.breakdown.categories,
      faults: s.breakdown.faults.map((f) => ({ id: unplayed(f.state) ? maskedId(f.index) : f.fault, state: f.state, points: f.points, max: f.max })),
    },
    currentFault: spoilerFreeStanding(s).currentFault,
  };
}

/** One audience's board: its rows, its version, its ring of recent update frames. */
class AudienceBoard {
  rows = new Map<string, { row: BoardTeam; json: string }>();
  version = 0;
  prepared!: Prepared;
  ring: Array<{ seq: number; frame: string }> = [];
  listeners = new Set<Listener>();
  constructor(private readonly ringSize: number) {}

  /** Replace rows, emit one update frame with the changed ones (and the game block if it changed). */
  commit(rows: BoardTeam[], game: GameBlock, gameChanged: boolean, live: boolean): void {
    const changed: BoardTeam[] = [];
    const next = new Map<string, { row: BoardTeam; json: string }>();
    for (const row of rows) {
      const json = JSON.stringify(row);
      if (this.rows.get(row.id)?.json !== json) changed.push(row);
      next.set(row.id, { row, json });
    }
    if (!changed.length && !gameChanged && this.prepared) return;
    this.rows = next;
    this.version++;
    this.prepare(game);
    if (!live) return;
    const frame = JSON.stringify({ type: 'update', seq: this.version, teams: changed, ...(gameChanged ? { game } : {}) });
    this.ring.push({ seq: this.version, frame });
    if (this.ring.length > this.ringSize) this.ring.shift();
    for (const l of this.listeners) l(frame, this.version);
  }

  prepare(game: GameBlock): void {
    const teams = [...this.rows.values()].map((r) => r.row).sort((a, b) => a.rank - b.rank);
    const board: Board = { game, teams, seq: this.version };
    const json = JSON.stringify(board);
    this.prepared = { seq: this.version, board, json, etag: etagOf(json), snapshotFrame: `{"type":"snapshot","seq":${this.version},"board":${json}}` };
  }

  /** Update frames after `seq`, or null when the ring no longer reaches back that far (send a snapshot). */
  since(seq: number): string[] | null {
    if (seq === this.version) return [];
    if (seq > this.version) return null;
    const first = this.ring[0];
    if (!first || first.seq > seq + 1) return null;
    return this.ring.filter((f) => f.seq > seq).map((f) => f.frame);
  }
}

interface TeamExtra {
  timeline: TimelineItem[];
  series: SeriesPoint[];
  version: number;
  listeners: Set<(frame: string) => void>;
}

export class Leaderboard {
  private readonly score: ScoreState;
  private readonly publicBoard: AudienceBoard;
  private readonly organizerBoard: AudienceBoard;
  private readonly extras = new Map<string, TeamExtra>();
  private readonly texts = new Map<number, { text: string; impact?: string; currentAction?: string; resolved?: boolean; gameTime: number }>();
  private readonly notes = new Map<number, string>();
  private live = false;
  private frozenAt: number | null = null;
  private game: { state: GameState; speed: number } = { state: 'waiting', speed: 1 };
  private readonly timelineCap: number;

  constructor(private readonly opts: LeaderboardOptions) {
    this.score = createScore(opts.scenario);
    this.publicBoard = new AudienceBoard(opts.ring ?? 256);
    this.organizerBoard = new AudienceBoard(opts.ring ?? 256);
    this.timelineCap = opts.timelineCap ?? 5000;
    this.publicBoard.prepare(this.gameBlock());
    this.organizerBoard.prepare(this.gameBlock());
  }

  get scenario(): Scenario {
    return this.opts.scenario;
  }
  get frozen(): boolean {
    return this.frozenAt !== null;
  }

  /** Fold the existing log without emitting frames (at start), then go live. */
  rebuild(events: Iterable<StoredEvent>): void {
    this.live = false;
    for (const e of events) this.apply(e);
    this.live = true;
  }

  /** Fold one committed event; push frames to listeners when an audience's board changed. */
  apply(e: StoredEvent): void {
    const before = e.team ? this.score.teams.get(e.team)?.total : undefined;
    apply(this.score, e);
    const gameChanged = this.foldGame(e);
    const t = e.team ? this.score.teams.get(e.team) : undefined;
    const items: TimelineItem[] = [];
    if (e.team && t) {
      const item = this.timelineItem(e);
      if (item) items.push(item);
      if (t.total !== (before ?? 0) || (before === undefined && t.total !== 0)) {
        const x = this.extra(e.team);
        x.series.push({ seq: e.seq, gameTime: e.gameTime, total: t.total });
        items.push({ seq: e.seq, gameTime: e.gameTime, kind: 'score', total: t.total, delta: t.total - (before ?? 0), cause: e.type, ...(e.type === 'score.adjusted' ? { reason: e.data.reason } : {}) });
      }
      const x = this.extra(e.team);
      for (const it of items) x.timeline.push(it);
      if (x.timeline.length > this.timelineCap) x.timeline.splice(0, x.timeline.length - this.timelineCap);
    }
    if (e.type === 'team.created') this.extra(e.data.id);

    const teamChanged = t !== undefined && t.version !== this.seenVersion.get(t.id);
    if (t) this.seenVersion.set(t.id, t.version);
    if (gameChanged || teamChanged || e.type === 'team.created' || e.type === 'team.updated') {
      const game = this.gameBlock();
      const rows = this.ranked().map(boardTeam);
      this.organizerBoard.commit(rows, game, gameChanged, this.live);
      if (this.frozenAt === null) this.publicBoard.commit(rows, game, gameChanged, this.live);
      else if (gameChanged) this.publicBoard.commit([...this.publicBoard.rows.values()].map((r) => r.row), game, true, this.live);
    }
    if (e.team && t && (items.length || teamChanged)) {
      const x = this.extra(e.team);
      x.version++;
      if (this.live && x.listeners.size) {
        const own = this.standingOf(e.team);
        const frame = JSON.stringify({ type: 'update', seq: x.version, team: own && spoilerFreeStanding(own), items } satisfies TeamFrame);
        for (const l of x.listeners) l(frame);
      }
    }
  }

  private readonly seenVersion = new Map<string, number>();

  private foldGame(e: StoredEvent): boolean {
    const g = this.game;
    switch (e.type) {
      case 'game.started':
      case 'game.resumed':
        g.state = 'running';
        return true;
      case 'game.paused':
        g.state = 'paused';
        return true;
      case 'game.finished':
        g.state = 'finished';
        return true;
      case 'game.speed_set':
        g.speed = e.data.speed;
        return true;
      case 'game.board_frozen':
        if (this.frozenAt !== null) return false;
        this.frozenAt = e.seq;
        this.snapshotFrozen();
        return true;
      case 'game.board_unfrozen':
        if (this.frozenAt === null) return false;
        this.frozenAt = null;
        return true;
      case 'judgement.recorded':
        if (e.data.note) this.notes.set(e.seq, e.data.note);
        return false;
      case 'status.published':
        this.texts.set(e.seq, { text: e.data.text, impact: e.data.impact, currentAction: e.data.currentAction, resolved: e.data.resolved, gameTime: e.gameTime });
        return false;
      case 'postmortem.submitted':
        this.texts.set(e.seq, { text: e.data.text, gameTime: e.gameTime });
        return false;
      default:
        return false;
    }
  }

  private gameBlock(): GameBlock {
    return {
      scenario: this.opts.scenario.name,
      title: this.opts.scenario.title,
      state: this.game.state,
      gameTime: this.opts.gameTime?.() ?? 0,
      running: this.game.state === 'running',
      speed: this.game.speed,
      frozen: this.frozenAt !== null,
    };
  }

  private ranked(): Standing[] {
    const rows = [...this.score.teams.values()].map((t) => standing(t));
    rows.sort(compareTeams);
    rows.forEach((r, i) => (r.rank = i + 1));
    return rows;
  }

  private extra(team: string): TeamExtra {
    let x = this.extras.get(team);
    if (!x) this.extras.set(team, (x = { timeline: [], series: [], version: 0, listeners: new Set() }));
    return x;
  }

  private timelineItem(e: StoredEvent): TimelineItem | null {
    const base = { seq: e.seq, gameTime: e.gameTime };
    const moment = FAULT_MOMENTS[e.type];
    if (moment && 'fault' in e.data) {
      const fault = e.data.fault as string;
      const def = this.opts.scenario.faults.find((f) => f.id === fault);
      // An armed fault is a secret until it is injected: the timeline says only that one is coming.
      if (moment === 'armed') return { ...base, kind: 'fault', fault: maskedId(def?.index ?? 0), title: null, moment };
      return { ...base, kind: 'fault', fault, title: def?.title ?? null, moment };
    }
    if (e.type === 'probe.failed' || e.type === 'probe.recovered') {
      const ev = e.data.evidence;
      return {
        ...base,
        kind: 'probe',
        probe: e.data.probe,
        state: e.type === 'probe.failed' ? 'failed' : 'recovered',
        ...(ev.status !== undefined ? { status: ev.status } : {}),
        ...(ev.latencyMs !== undefined ? { latencyMs: ev.latencyMs } : {}),
      };
    }
    const istate = INCIDENT_STATES[e.type];
    if (istate && 'incident' in e.data) {
      return { ...base, kind: 'incident', incident: e.data.incident as string, state: istate, ...(e.type === 'incident.triggered' ? { title: e.data.title } : {}) };
    }
    if (e.type === 'status.published') {
      const d = e.data;
      return {
        ...base,
        kind: 'status',
        text: d.text,
        resolved: d.resolved,
        ...(d.impact !== undefined ? { impact: d.impact } : {}),
        ...(d.currentAction !== undefined ? { currentAction: d.currentAction } : {}),
        ...(d.nextUpdateAt !== undefined ? { nextUpdateAt: d.nextUpdateAt } : {}),
      };
    }
    return null;
  }

  // ------------------------------------------------------------------------------------------
  // reads (all precomputed or cheap)

  /** The public board: frozen while the organizers hold it, else live. */
  publicView(): Prepared {
    return this.publicBoard.prepared;
  }
  /** The organizers' live board. */
  organizerView(): Prepared {
    return this.organizerBoard.prepared;
  }
  /** Public update frames after a board version, or null (too old: send a snapshot). */
  publicSince(seq: number): string[] | null {
    return this.publicBoard.since(seq);
  }
  onPublic(l: Listener): () => void {
    this.publicBoard.listeners.add(l);
    return () => this.publicBoard.listeners.delete(l);
  }

  hasTeam(id: string): boolean {
    return this.score.teams.has(id);
  }
  teamIds(): string[] {
    return [...this.score.teams.keys()];
  }

  /** A team's live standing with the full breakdown and evidence (the team's own and the organizers' view). */
  standingOf(id: string): Standing | undefined {
    return this.ranked().find((s) => s.team === id);
  }

  /** The public breakdown of one team: the live one, or the one frozen with the board. */
  publicBreakdown(id: string): { rank: number; score: number; breakdown: TeamBreakdown } | undefined {
    if (this.frozenAt === null) {
      const s = this.standingOf(id);
      return s && { rank: s.rank, score: s.total, breakdown: spoilerFree(s.breakdown) };
    }
    const frozen = this.frozenBreakdowns.get(id);
    return frozen;
  }
  private frozenBreakdowns = new Map<string, { rank: number; score: number; breakdown: TeamBreakdown }>();

  /** Snapshot breakdowns at the freeze (called by apply through freeze()). */
  private snapshotFrozen(): void {
    this.frozenBreakdowns = new Map(this.ranked().map((s) => [s.team, { rank: s.rank, score: s.total, breakdown: spoilerFree(s.breakdown) }]));
  }

  /** A team's timeline; the public one stops at the freeze. */
  timeline(id: string, audience: 'public' | 'team' | 'organizer'): TimelineItem[] {
    const items = this.extras.get(id)?.timeline ?? [];
    return audience === 'public' && this.frozenAt !== null ? items.filter((i) => i.seq <= this.frozenAt!) : items.slice();
  }
  /** Score over time (one point per change of the total); the public one stops at the freeze. */
  series(id: string, audience: 'public' | 'team' | 'organizer'): SeriesPoint[] {
    const pts = this.extras.get(id)?.series ?? [];
    return audience === 'public' && this.frozenAt !== null ? pts.filter((p) => p.seq <= this.frozenAt!) : pts.slice();
  }

  /** The team's own live stream: a snapshot frame now, update frames after. */
  subscribeTeam(id: string, l: (frame: string) => void): { snapshot: string; unsubscribe: () => void } {
    const x = this.extra(id);
    x.listeners.add(l);
    const own = this.standingOf(id);
    const snapshot = JSON.stringify({ type: 'snapshot', seq: x.version, team: own && spoilerFreeStanding(own), items: x.timeline.slice(-100) } satisfies TeamFrame);
    return { snapshot, unsubscribe: () => x.listeners.delete(l) };
  }

  /** Texts of status updates and postmortems, and judges' notes, by event seq (organizers only). */
  textOf(seq: number) {
    return this.texts.get(seq);
  }
  noteOf(seq: number): string | undefined {
    return this.notes.get(seq);
  }
}
