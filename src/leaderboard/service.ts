import type { StoredEvent } from '../events/types.js';
import { endsAt } from '../lifecycle/index.js';
import type { Scenario } from '../scenario/types.js';
import { apply, boardStanding, createScore, standing, type ScoreState } from '../scoring/fold.js';
import type { PublicBreakdown } from '../contract/teams.js';
import type { Standing, TeamBreakdown } from '../scoring/types.js';
import { Coalescer } from './coalesce.js';
import { AudienceBoard, rowOf, type BoardSource, type Listener, type Row } from './audience.js';
import { Freeze } from './freeze.js';
import { boardTeam, publicTitle, spoilerFree, spoilerFreeStanding, type Mask } from './spoilers.js';
import { JudgingTexts } from './texts.js';
import { TeamHistory, timelineItem, type OrganizerTimelineItem } from './timeline.js';
import { UserTraffic } from './traffic.js';
import type { GameBlock, LeaderboardOptions, Prepared, SeriesPoint, TeamFrame, TimelineItem } from './types.js';

export type { Board, BoardTeam, GameBlock, LeaderboardOptions, Prepared, SeriesPoint, TeamFrame, TimelineItem } from './types.js';
export type { OrganizerTimelineItem } from './timeline.js';
export { spoilerFree, spoilerFreeStanding, type Mask } from './spoilers.js';

/**
 * The live leaderboard: an effectful shell around the pure scoring fold (which carries the one
 * lifecycle fold). It is rebuilt from the log at start and kept current by the store's
 * subscription; it precomputes each audience's JSON and ETag when something changes (never per
 * request).
 *
 * Audiences (design.md): the public board (live, or frozen by the organizers), each team's own live
 * view, and the organizers' live view. Frame `seq`s are each audience's own board version, never
 * the raw event seq, so a client of a frozen board learns nothing from them. Every audience hears
 * every game-phase change (board update frames and /ws/team frames carry the game block).
 */
type Ranked = { id: string; total: number; reachedSeq: number };
/** The board's order (scoring's compareTeams): total desc, ties to the lower seq, then id. */
const before = (a: Ranked, b: Ranked): boolean => (a.total !== b.total ? a.total > b.total : a.reachedSeq !== b.reachedSeq ? a.reachedSeq < b.reachedSeq : a.id < b.id);

export class Leaderboard {
  private readonly score: ScoreState;
  private readonly publicBoard: AudienceBoard;
  private readonly organizerBoard: AudienceBoard;
  private readonly history = new Map<string, TeamHistory>();
  private readonly texts = new JudgingTexts();
  private readonly freeze = new Freeze();
  private readonly traffic = new UserTraffic();
  private live = false;
  private readonly timelineCap: number;
  private readonly seenVersion = new Map<string, number>();
  /** Team ids by rank (total desc, ties to the lower seq, then id): kept sorted by moving one team per change. */
  private order: string[] = [];
  /** Each team's row as last serialized, and the teams something touched since (their rows are built again when read). */
  private readonly rows = new Map<string, Row>();
  private readonly outdated = new Set<string>();
  /** Not live: something changed since the boards were last built. */
  private stale = false;

  constructor(private readonly opts: LeaderboardOptions) {
    this.score = createScore(opts.scenario);
    const source: BoardSource = { order: () => this.order, row: (id) => this.rowOf(id), game: () => this.gameBlock() };
    this.publicBoard = new AudienceBoard(opts.ring ?? 256, source, opts.timer, opts.frameIntervalMs);
    this.organizerBoard = new AudienceBoard(opts.ring ?? 256, source, opts.timer, opts.frameIntervalMs);
    this.timelineCap = opts.timelineCap ?? 5000;
  }

  get scenario(): Scenario {
    return this.opts.scenario;
  }
  get frozen(): boolean {
    return this.freeze.frozen;
  }

  /**
   * Fold the existing log without emitting frames (at start), then build the boards once and go
   * live. Board versions restart above the last event seq folded, so a client's `?since=` from
   * before a restart (a version of the old process, never above its event count) gets a snapshot.
   */
  rebuild(events: Iterable<StoredEvent>): void {
    this.live = false;
    for (const e of events) this.apply(e);
    for (const b of [this.organizerBoard, this.publicBoard]) b.version = Math.max(b.version, this.score.lastSeq + 1) - 1;
    this.stale = true;
    this.ensure(true);
    this.live = true;
  }

  /** Not live (before `rebuild` ends), boards are built when read, once per batch of changes. */
  private ensure(gameChanged = false): void {
    if (this.live || !this.stale) return;
    this.stale = false;
    this.syncBoards(gameChanged, false);
  }

  private sortOrder(): void {
    this.order = [...this.score.teams.values()].sort((a, b) => (before(a, b) ? -1 : before(b, a) ? 1 : 0)).map((t) => t.id);
  }

  /** Every row of both boards may have changed (a game change: phase, freeze, reveal; rare). */
  private syncBoards(gameChanged: boolean, live: boolean): void {
    // A game change (the reveal, a phase) may change what every row shows, and any total.
    this.sortOrder();
    for (const id of this.order) this.outdated.add(id);
    const last = this.order.length - 1;
    this.organizerBoard.touch(this.order, 0, last, gameChanged, live);
    if (!this.freeze.frozen) this.publicBoard.touch(this.order, 0, last, gameChanged, live);
    else if (gameChanged) this.publicBoard.touch([], Infinity, -1, true, live);
  }

  /** A team's row now, serialized once per change: rows are immutable, so both audiences (and every read between changes) share it. */
  private rowOf(id: string): Row {
    const prev = this.rows.get(id);
    if (prev && !this.outdated.has(id)) return prev;
    const row = rowOf(boardTeam(boardStanding(this.score.teams.get(id)!), this.mask, this.traffic.lastMinute(id)), prev);
    this.rows.set(id, row);
    this.outdated.delete(id);
    return row;
  }

  /**
   * Move one team to its place in the order, knowing where it stood (`was`: its key before the
   * event, by which the order is still sorted): O(log teams) to find it, O(distance) to move it.
   * Returns the positions that may have changed.
   */
  private reorder(id: string, was: Ranked | undefined): { lo: number; hi: number } {
    const ids = this.order;
    const teams = this.score.teams;
    const me = teams.get(id)!;
    const key = (i: number) => teams.get(ids[i]!)!;
    let from = -1;
    if (was) {
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (ids[mid] === id) {
          from = mid;
          break;
        }
        if (before(key(mid), was)) lo = mid + 1;
        else hi = mid;
      }
    }
    if (from < 0) from = ids.indexOf(id);
    if (from < 0) {
      // A new team: insert it, everything after it moves down one.
      let lo = 0;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(key(mid), me)) lo = mid + 1;
        else hi = mid;
      }
      ids.splice(lo, 0, id);
      return { lo, hi: ids.length - 1 };
    }
    let to = from;
    if (from > 0 && before(me, key(from - 1))) {
      let lo = 0;
      let hi = from;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(key(mid), me)) lo = mid + 1;
        else hi = mid;
      }
      to = lo;
      for (let i = from; i > to; i--) ids[i] = ids[i - 1]!;
    } else if (from < ids.length - 1 && before(key(from + 1), me)) {
      let lo = from + 1;
      let hi = ids.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (before(key(mid), me)) lo = mid + 1;
        else hi = mid;
      }
      to = lo - 1;
      for (let i = from; i < to; i++) ids[i] = ids[i + 1]!;
    }
    ids[to] = id;
    return { lo: Math.min(from, to), hi: Math.max(from, to) };
  }

  /** Fold one committed event; push frames to listeners when an audience's board changed. */
  apply(e: StoredEvent): void {
    const prior = e.team ? this.score.teams.get(e.team) : undefined;
    const was: Ranked | undefined = prior && { id: prior.id, total: prior.total, reachedSeq: prior.reachedSeq };
    const before = was?.total;
    const { phase, speed, revealed } = this.score.life;
    // The public board must hold the state just before a freeze (at start it is built lazily).
    if (e.type === 'game.board_frozen') {
      this.ensure();
      if (this.live) this.publicBoard.settle();
    }
    apply(this.score, e);
    this.texts.apply(e);
    // Users' traffic is on the row (issue 16): a new minute changes the row even when the score does not.
    const trafficChanged = this.traffic.apply(e);
    const froze = this.freeze.apply(e, () => this.frozenSnapshot());
    const phaseChanged = phase !== this.score.life.phase || speed !== this.score.life.speed || revealed !== this.score.life.revealed;
    const gameChanged = froze || phaseChanged;
    const t = e.team ? this.score.teams.get(e.team) : undefined;
    const items: TimelineItem[] = [];
    if (e.team && t) {
      const h = this.teamHistory(e.team);
      const fault = 'fault' in e.data && typeof e.data.fault === 'string' ? e.data.fault : undefined;
      const run = fault ? this.score.life.teams[e.team]?.faults.find((f) => f.id === fault) : undefined;
      const item = timelineItem(this.opts.scenario, e, run, (seq, id, title) => h.hide(seq, id, title));
      if (item) items.push(item);
      if (t.total !== (before ?? 0) || (before === undefined && t.total !== 0)) {
        h.series.push({ seq: e.seq, gameTime: e.gameTime, total: t.total });
        items.push({ seq: e.seq, gameTime: e.gameTime, kind: 'score', total: t.total, delta: t.total - (before ?? 0), cause: e.type, ...(e.type === 'score.adjusted' ? { reason: e.data.reason } : {}) });
      }
      h.push(items);
    }
    if (e.type === 'team.created') this.teamHistory(e.data.id);

    const teamChanged = t !== undefined && (t.version !== this.seenVersion.get(t.id) || trafficChanged);
    if (t) this.seenVersion.set(t.id, t.version);
    const changedTeam = e.type === 'team.created' ? e.data.id : e.type === 'team.updated' || teamChanged ? e.team : null;
    const boardChanged = gameChanged || changedTeam !== null || (!e.team && e.type.startsWith('game.'));
    // At start (not live) the boards are built once at the end; live, a change costs O(changed rows).
    if (!this.live && boardChanged) this.stale = true;
    else if (boardChanged) {
      if (gameChanged || !changedTeam || !this.score.teams.has(changedTeam)) this.syncBoards(gameChanged, true);
      else {
        const { lo, hi } = this.reorder(changedTeam, changedTeam === e.team ? was : undefined);
        this.outdated.add(changedTeam);
        const ids = [changedTeam];
        this.organizerBoard.touch(ids, lo, hi, false, true);
        if (!this.freeze.frozen) this.publicBoard.touch(ids, lo, hi, false, true);
      }
    }
    // A channel line changes no score when it is no question (or no fault is current), yet the war room
    // must hear it (its unread count reloads the channel on each frame): it gets a frame too.
    if (e.team && t && (items.length || teamChanged || e.type === 'message.posted')) this.sendTeam(e.team, items, undefined);
    // A game-phase change reaches every team's own stream too (the war room must learn the game finished).
    if (phaseChanged && boardChanged) {
      const game = this.gameBlock();
      for (const id of this.history.keys()) this.sendTeam(id, [], game);
    }
  }

  /** A team's update: coalesced like the boards (at most one frame per interval; items accumulate, the latest standing wins). */
  private sendTeam(id: string, items: TimelineItem[], game: GameBlock | undefined): void {
    const h = this.teamHistory(id);
    h.version++;
    if (!this.live || !h.listeners.size) return;
    const p = (h.pending ??= { items: [], game: undefined });
    p.items.push(...items);
    if (game) p.game = game;
    (h.coalescer ??= new Coalescer(() => this.flushTeam(id), this.opts.timer, this.opts.frameIntervalMs)).poke();
  }

  private flushTeam(id: string): void {
    const h = this.teamHistory(id);
    const p = h.pending;
    h.pending = undefined;
    if (!p || !h.listeners.size) return;
    const own = this.standingOf(id);
    const frame = JSON.stringify({ type: 'update', seq: h.version, team: own && spoilerFreeStanding(own, this.mask), items: p.items.map((i) => this.publicItem(i)), ...(p.game ? { game: p.game } : {}) } satisfies TeamFrame);
    for (const l of h.listeners) l(frame);
  }

  /** What the public may read of faults now (symptoms until revealed). */
  get mask(): Mask {
    return { revealed: this.score.life.revealed, scenario: this.opts.scenario };
  }
  /** A timeline item as teams and spectators read it: a landed fault by its symptom until revealed. */
  private publicItem(i: TimelineItem): TimelineItem {
    return i.kind === 'fault' && !i.masked && i.title !== null ? { ...i, title: publicTitle(this.mask, i.fault, i.title) } : i;
  }

  private gameBlock(): GameBlock {
    const p = this.score.life;
    const durationMs = this.opts.scenario.game.durationMs;
    return {
      scenario: this.opts.scenario.name,
      title: this.opts.scenario.title,
      phase: p.phase,
      gameTime: this.opts.gameTime?.() ?? 0,
      speed: p.speed,
      durationMs,
      endsAt: endsAt(p, durationMs),
      frozen: this.freeze.frozen,
      revealed: this.score.life.revealed,
    };
  }

  private ranked(): Standing[] {
    this.ensure();
    return this.order.map((id, i) => standing(this.score.teams.get(id)!, i + 1));
  }

  private teamHistory(team: string): TeamHistory {
    let h = this.history.get(team);
    if (!h) this.history.set(team, (h = new TeamHistory(this.timelineCap)));
    return h;
  }

  private frozenSnapshot(): Map<string, { rank: number; score: number; breakdown: TeamBreakdown }> {
    // Kept unmasked: the mask (symptoms, or revealed titles) is applied on read.
    return new Map(this.ranked().map((s) => [s.team, { rank: s.rank, score: s.total, breakdown: s.breakdown }]));
  }

  // ------------------------------------------------------------------------------------------
  // reads (all precomputed or cheap)

  /** The public board: frozen while the organizers hold it, else live. */
  publicView(): Prepared {
    this.ensure();
    return this.publicBoard.prepared;
  }
  /** The organizers' live board. */
  organizerView(): Prepared {
    this.ensure();
    return this.organizerBoard.prepared;
  }
  /** Public update frames after a board version, or null (too old: send a snapshot). */
  publicSince(seq: number): string[] | null {
    this.ensure();
    return this.publicBoard.since(seq);
  }
  onPublic(l: Listener): () => void {
    return this.publicBoard.listen(l);
  }

  hasTeam(id: string): boolean {
    return this.score.teams.has(id);
  }
  teamIds(): string[] {
    return [...this.score.teams.keys()];
  }

  /** A team's live standing with the full breakdown and evidence (the team's own and the organizers' view). */
  standingOf(id: string): Standing | undefined {
    this.ensure();
    const t = this.score.teams.get(id);
    return t && standing(t, this.order.indexOf(id) + 1);
  }

  /** The public breakdown of one team: the live one, or the one frozen with the board. */
  publicBreakdown(id: string): { rank: number; score: number; breakdown: PublicBreakdown } | undefined {
    if (!this.freeze.frozen) {
      const s = this.standingOf(id);
      return s && { rank: s.rank, score: s.total, breakdown: spoilerFree(s.breakdown, this.mask) };
    }
    const f = this.freeze.breakdown(id);
    return f && { ...f, breakdown: spoilerFree(f.breakdown, this.mask) };
  }

  /** A team's timeline; the public one stops at the freeze; only organizers see masked faults' ids. */
  timeline(id: string, audience: 'organizer'): OrganizerTimelineItem[];
  timeline(id: string, audience: 'public' | 'team'): TimelineItem[];
  timeline(id: string, audience: 'public' | 'team' | 'organizer'): OrganizerTimelineItem[] {
    const h = this.history.get(id);
    if (!h) return [];
    return audience === 'organizer' ? h.read('organizer', this.freeze.at) : h.read(audience, this.freeze.at).map((i) => this.publicItem(i));
  }
  /** Score over time (one point per change of the total); the public one stops at the freeze. */
  series(id: string, audience: 'public' | 'team' | 'organizer'): SeriesPoint[] {
    return this.history.get(id)?.readSeries(audience, this.freeze.at) ?? [];
  }

  /** The team's own live stream: a snapshot frame (with the game block) now, update frames after. */
  subscribeTeam(id: string, l: (frame: string) => void): { snapshot: string; unsubscribe: () => void } {
    const h = this.teamHistory(id);
    // What waits goes to the others first: the snapshot below already holds it.
    h.coalescer?.now();
    h.listeners.add(l);
    const own = this.standingOf(id);
    const snapshot = JSON.stringify({
      type: 'snapshot',
      seq: h.version,
      team: own && spoilerFreeStanding(own, this.mask),
      items: h.read('team', null).slice(-100).map((i) => this.publicItem(i)),
      game: this.gameBlock(),
    } satisfies TeamFrame);
    return { snapshot, unsubscribe: () => h.listeners.delete(l) };
  }

  /** Texts of status updates and postmortems, and judges' notes, by event seq (organizers only). */
  textOf(seq: number) {
    return this.texts.textOf(seq);
  }
  noteOf(seq: number): string | undefined {
    return this.texts.noteOf(seq);
  }
}
