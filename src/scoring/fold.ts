import type { StoredEvent } from '../events/types.js';
import { addTeam, createGameState, isTerminal, reduce, type FaultRun, type GameState } from '../lifecycle/index.js';
import type { ExpectElement, Fault, Range, Scenario, Text } from '../scenario/types.js';
import { detectExpects } from '../comms/rules/expects.js';
import { checkStatusUpdate, questionShare, type FieldCheck, type QuestionScore, type StatusField } from '../comms/rules/share.js';
import { substance } from '../comms/rules/substance.js';
import { statusAt, ThreadWalk } from '../comms/rules/threading.js';
import { commsLeadShare, currentHolders, namedInTime, rolesShare, rotationFacts, type RoleFact, type RoleNaming, type Written } from '../comms/rules/roles.js';
import {
  type CriterionScore,
  type CurrentFault,
  type FaultScore,
  type Leaderboard,
  type Part,
  type Standing,
  type SubScore,
  type TeamBreakdown,
} from './types.js';

/**
 * Scoring as a pure fold over the event log: no I/O, no clock; time enters only through events.
 * `apply` folds one event into the state (mutating it in place, for speed); `score` folds a whole
 * log from zero. The formula is written up in docs/scoring.md.
 *
 * Lifecycle facts (state, injection, deadline, detection, recovery) come from the one lifecycle
 * fold (src/lifecycle/), which this state carries; scoring keeps only what it scores on top
 * (status updates, questions, judgements, postmortems, hints, SLI minutes, adjustments).
 */

interface Update {
  seq: number;
  gameTime: number;
  resolved: boolean;
  /** Each field checked for substance (src/comms/rules/share.ts); the text, too (a resolution notice must say something). */
  fields: Record<StatusField, FieldCheck>;
  text: FieldCheck;
  nextUpdateAt: number | null;
  /** 'pagerduty': an incident.status_update_published, its free text read with detectExpects. */
  via: 'war_room' | 'board' | 'pagerduty';
  /** Who wrote it (the Communications Lead fact); unknown for PagerDuty's. */
  author?: string;
}

/** A persona question of a fault; its thread lives in the team's channel book. */
interface Question {
  seq: number;
  channel: string;
  expects: ExpectElement[];
  /** Its last share and the thread state it was computed from (the text rules run once per change). */
  memo: { key: number; score: QuestionScore } | null;
}

/**
 * One channel of a team: the threading of its questions and team messages, walked as they come
 * (src/comms/rules/threading.ts), and the texts and authors of the team's messages.
 */
interface ChannelBook {
  walk: ThreadWalk;
  texts: Map<number, string>;
  /** Who wrote each team message (the Communications Lead fact). */
  authors: Map<number, string>;
  /** The fault each question of the channel is scored for. */
  owners: Map<number, FaultTrack>;
}

/** A question not yet closed, by when its window closes: its note turns from open to unanswered then. */
interface Closing {
  closesAt: number;
  seq: number;
  channel: string;
  fault: FaultTrack;
}

interface Judgement {
  category: 'communication' | 'review';
  criterion: string;
  judge: string;
  score: number;
  seq: number;
}

/** Scoring's own per-fault data; the lifecycle (`run`) is the shared fold's, read-only here. */
interface FaultTrack {
  fault: Fault;
  run: FaultRun;
  team: TeamState;
  /** Its points as last added into the team's `faultSum`; `queued` while an event may have changed them. */
  points: number;
  queued: boolean;
  updates: Update[];
  questions: Question[];
  /** Persona escalations that flag the judges (an unanswered question; issue 15). */
  escalations: number[];
  /** key: category \0 criterion \0 judge; a later judgement by the same judge revises the earlier one. */
  judgements: Map<string, Judgement>;
  postmortem: number | null;
  /** The roles measure and the inputs it was computed from (see rolesMeasure). */
  rolesMemo: { key: { namings: number; detected: number | undefined; written: number; rotation: RoleFact | undefined }; score: SubScore } | null;
  /** This fault's score (zeroed when excluded), or null when an event touched it since (recomputed on demand). */
  cached: FaultScore | null;
  /** Each category's part, recomputed only when its inputs changed (see `dirty`). */
  parts: Parts | null;
  /** Which parts an event touched since they were computed: RUN (every part), COMMS, JUDGED. */
  dirty: number;
}

const RUN = 1;
const COMMS = 2;
const JUDGED = 4;
const ALL = RUN | COMMS | JUDGED;

interface Parts {
  m: ReturnType<typeof categoryMax>;
  autoMax: number;
  recovery: FaultScore['recovery'];
  detection: FaultScore['detection'];
  automatic: LazyAutomatic;
  judged: FaultScore['communication']['judged'];
  review: FaultScore['review'];
}

interface TeamState {
  id: string;
  name: string;
  createdSeq: number;
  faults: Map<string, FaultTrack>;
  /** The fault most recently injected: status updates and messages are attributed to it. */
  current: string | null;
  sli: Map<number, { good: number; total: number; seq: number }>;
  /** Spectators' requests per game minute (traffic.minute). */
  traffic: Map<number, { requests: number; bad: number; seq: number }>;
  /** Running sums of `traffic` (O(1) per event). */
  userRequests: number;
  userBad: number;
  hints: Map<string, { fault: string; hint: string; cost: number; seq: number }>;
  adjustments: Array<{ points: number; reason: string; seq: number }>;
  // Running sums, so an event costs O(1) whatever the team's history (sli minutes, hints, adjustments).
  sliGood: number;
  sliTotal: number;
  /** Seqs of the sli minutes counted, ascending (the availability evidence). */
  sliSeqs: number[];
  hintMilli: number;
  adjustMilli: number;
  /** Per channel: questions, messages and their threading. */
  channels: Map<string, ChannelBook>;
  /** Questions by closing time, earliest first (a few per fault: sorted insert). */
  closing: Closing[];
  /** The team's member names (rotation: a round ends when each has held the role). */
  members: string[];
  /** Each incident's role namings in log order (incident.roles_set). */
  roles: Map<string, RoleNaming[]>;
  /** Each fault's rotation fact, for the whole team at once; null when a naming, a detection or the members changed since. */
  rotation: Map<string, RoleFact> | null;
  /** Game time of the team's last event that changed its score: the `now` of open vs unanswered. */
  now: number;
  total: number;
  reachedSeq: number;
  /** The sum of its faults' points; `stale` the faults whose points an event may have changed since. */
  faultSum: number;
  stale: FaultTrack[];
  /** The breakdown assembled from the cached parts; null when something changed since (built on read). */
  cachedBreakdown: TeamBreakdown | null;
  readonly score: ScoreState;
  /** Bumped whenever the breakdown may have changed. */
  version: number;
}

export interface ScoreState {
  readonly scenario: Scenario;
  readonly faults: ReadonlyMap<string, Fault>;
  readonly teams: Map<string, TeamState>;
  /** The one lifecycle fold (the same reducer the sequencer decides on). */
  readonly life: GameState;
  lastSeq: number;
}

export function createScore(scenario: Scenario): ScoreState {
  return { scenario, faults: new Map(scenario.faults.map((f) => [f.id, f])), teams: new Map(), life: createGameState(), lastSeq: 0 };
}

/** Fold a whole log from zero. */
export function score(scenario: Scenario, events: Iterable<StoredEvent>): Leaderboard {
  const s = createScore(scenario);
  for (const e of events) apply(s, e);
  return leaderboard(s);
}

// ---------------------------------------------------------------------------------------------
// apply

function newTrack(fault: Fault, run: FaultRun, team: TeamState): FaultTrack {
  return { fault, run, team, points: 0, queued: false, updates: [], questions: [], escalations: [], judgements: new Map(), postmortem: null, rolesMemo: null, cached: null, parts: null, dirty: ALL };
}

function team(s: ScoreState, id: string, seq: number, gameTime: number): TeamState {
  let t = s.teams.get(id);
  if (!t) {
    // A log without team.created (hand-made logs) still scores: the lifecycle gets the team too.
    const life = addTeam(s.scenario, s.life, id, 0, gameTime);
    t = {
      id,
      name: id,
      createdSeq: seq,
      faults: new Map(),
      current: null,
      sli: new Map(),
      traffic: new Map(),
      userRequests: 0,
      userBad: 0,
      hints: new Map(),
      adjustments: [],
      sliGood: 0,
      sliTotal: 0,
      sliSeqs: [],
      hintMilli: 0,
      adjustMilli: 0,
      channels: new Map(),
      closing: [],
      members: [],
      roles: new Map(),
      rotation: null,
      now: gameTime,
      total: 0,
      reachedSeq: seq,
      cachedBreakdown: null,
      faultSum: 0,
      stale: [],
      score: s,
      version: 0,
    };
    s.scenario.faults.forEach((f, i) => {
      const track = newTrack(f, life.faults[i]!, t!);
      t!.faults.set(f.id, track);
      touch(track, ALL);
    });
    t.total = totalOf(s, t);
    s.teams.set(id, t);
  }
  return t;
}

/** Fold one event into the state (in place) and return it. Events must come in seq order. */
export function apply(s: ScoreState, e: StoredEvent): ScoreState {
  if (e.seq > s.lastSeq) s.lastSeq = e.seq;
  if (e.type === 'team.created') {
    reduce(s.scenario, s.life, e);
    const t = team(s, e.data.id, e.seq, e.gameTime);
    t.name = e.data.name;
    t.members = e.data.members.map((m) => m.name);
    return s;
  }
  if (!e.team) {
    reduce(s.scenario, s.life, e);
    return s;
  }
  if (e.type === 'team.updated') {
    const t = team(s, e.team, e.seq, e.gameTime);
    if (e.data.name !== undefined) t.name = e.data.name;
    // Members end rotation rounds: with rotation scored, every fault's roles measure may change.
    if (e.data.members !== undefined) {
      t.members = e.data.members.map((m) => m.name);
      if (s.scenario.scoring.roles?.rotation && t.roles.size) rolesChanged(s, t, e.seq);
    }
    return s;
  }
  const t = team(s, e.team, e.seq, e.gameTime);
  reduce(s.scenario, s.life, e);
  if (!applyTeamEvent(s, t, e)) return s;
  if (e.gameTime > t.now) {
    t.now = e.gameTime;
    closeWindows(t);
  }
  invalidate(t, e);
  t.version++;
  const total = totalOf(s, t);
  if (total !== t.total) {
    t.total = total;
    t.reachedSeq = e.seq;
  }
  return s;
}

/** Events whose effect on the score stays inside the one fault they name. */
const FAULT_SCOPED = new Set([
  'fault.armed',
  'fault.injecting',
  'fault.injected',
  'fault.injection_failed',
  'fault.deadline_extended',
  'fault.detected',
  'fault.acknowledged',
  'fault.premature_resolve',
  'fault.recovered',
  'fault.relapsed',
  'fault.resolved',
  'fault.signed_off',
  'fault.timed_out',
  'fault.reverted',
  'fault.skipped',
  'fault.voided',
  'judgement.recorded',
  'postmortem.submitted',
]);
/** Events that change only a running sum (availability, hints, adjustments), no fault's score. */
const TEAM_SCOPED = new Set(['sli.minute', 'traffic.minute', 'hint.taken', 'score.adjusted']);
/** Events whose case in applyTeamEvent marks the faults it changed itself (`touch(f, COMMS)`). */
const SELF_MARKED = new Set(['status.published', 'message.posted', 'incident.roles_set']);

/** A naming or the members changed: the roles facts of every fault (rotation crosses faults) are recomputed. */
function rolesChanged(s: ScoreState, t: TeamState, seq: number): void {
  t.rotation = null;
  t.cachedBreakdown = null;
  for (const f of t.faults.values()) touch(f, COMMS);
  t.version++;
  const total = totalOf(s, t);
  if (total !== t.total) {
    t.total = total;
    t.reachedSeq = seq;
  }
}

/**
 * Mark what an applied event may have changed. Status updates and messages mark the faults they
 * touch where they are folded in; anything else not known to stay inside one fault or one running
 * sum marks every fault of the team (O(faults), never O(log)).
 */
function invalidate(t: TeamState, e: StoredEvent): void {
  t.cachedBreakdown = null;
  if (TEAM_SCOPED.has(e.type) || SELF_MARKED.has(e.type)) return;
  const fault = FAULT_SCOPED.has(e.type) ? (e.data as { fault?: unknown }).fault : undefined;
  const one = typeof fault === 'string' ? t.faults.get(fault) : undefined;
  const what = e.type === 'judgement.recorded' || e.type === 'postmortem.submitted' ? JUDGED : RUN;
  if (one) touch(one, what);
  else for (const f of t.faults.values()) touch(f, RUN);
}

/** The questions whose window `now` has passed unanswered: their notes say so (their share is 0 either way). */
function closeWindows(t: TeamState): void {
  let n = 0;
  for (; n < t.closing.length && t.closing[n]!.closesAt < t.now; n++) {
    const c = t.closing[n]!;
    if (statusAt(t.channels.get(c.channel)!.walk.thread(c.seq)!, t.now) === 'unanswered') touch(c.fault, COMMS);
  }
  if (n) t.closing.splice(0, n);
}

function touch(f: FaultTrack, what: number): void {
  f.cached = null;
  f.dirty |= what;
  if (!f.queued) {
    f.queued = true;
    f.team.stale.push(f);
  }
}

/** The fault's parts, recomputing only the dirty ones. */
function cachedParts(s: ScoreState, t: TeamState, f: FaultTrack): Parts {
  if (!f.parts) f.parts = computeParts(s, t, f);
  else if (f.dirty & RUN) {
    // The lifecycle moved: recovery, detection and the automatic measures read it; the judged
    // parts only through the maxima (which change when the fault is skipped or voided).
    const p = f.parts;
    const m = categoryMax(s, excluded(f) ? 0 : f.fault.weight);
    if (m.recovery !== p.m.recovery || m.detection !== p.m.detection || m.communication !== p.m.communication || m.review !== p.m.review) f.parts = computeParts(s, t, f);
    else {
      p.recovery = recoveryScore(s, f, m.recovery);
      p.detection = detectionScore(s, f, m.detection);
      p.automatic = automaticComms(s, t, f, p.autoMax);
      if (f.dirty & JUDGED) Object.assign(p, judgedParts(s, f, p.m));
    }
  } else {
    const p = f.parts;
    if (f.dirty & COMMS) p.automatic = automaticComms(s, t, f, p.autoMax);
    if (f.dirty & JUDGED) Object.assign(p, judgedParts(s, f, p.m));
  }
  f.dirty = 0;
  return f.parts;
}

/** The fault's points from its cached parts (no evidence assembled): what `apply` needs for the total. */
function faultPoints(s: ScoreState, t: TeamState, f: FaultTrack): number {
  if (excluded(f)) return 0;
  if (f.cached) return f.cached.points;
  const p = cachedParts(s, t, f);
  return p.recovery.points + p.detection.points + p.automatic.points + p.judged.points + p.review.points;
}

function cachedFault(s: ScoreState, t: TeamState, f: FaultTrack): FaultScore {
  if (!f.cached) {
    const fs = assembleFault(s, f, cachedParts(s, t, f));
    f.cached = excluded(f) ? zeroed(fs) : fs;
  }
  return f.cached;
}

/**
 * Probes' and users' shares weighted by the scenario (`availability.userWeight`); a side with
 * nothing measured leaves the whole score to the other. Without users it is the probes' share alone.
 */
function availabilityPoints(s: ScoreState, good: number, total: number, requests = 0, bad = 0): number {
  const rules = s.scenario.scoring.availability;
  const availMax = rules.points * 1000;
  if (!requests) return total ? Math.round((availMax * good) / total) : 0;
  const probeShare = total ? good / total : null;
  const userShare = (requests - bad) / requests;
  const w = probeShare === null ? 1 : rules.userWeight;
  return Math.round(availMax * ((probeShare ?? 0) * (1 - w) + userShare * w));
}

/** The team's total from the cached fault scores and the running sums. */
function totalOf(s: ScoreState, t: TeamState): number {
  // Only the faults an event touched are summed again: O(1) per event whatever the team's size.
  for (const f of t.stale) {
    const points = faultPoints(s, t, f);
    t.faultSum += points - f.points;
    f.points = points;
    f.queued = false;
  }
  t.stale.length = 0;
  return availabilityPoints(s, t.sliGood, t.sliTotal, t.userRequests, t.userBad) - t.hintMilli + t.adjustMilli + t.faultSum;
}

/** Returns true when the event can change the team's score or board entry. */
function applyTeamEvent(s: ScoreState, t: TeamState, e: StoredEvent): boolean {
  const track = (id: string): FaultTrack | undefined => t.faults.get(id);
  switch (e.type) {
    case 'fault.injected':
      // Status updates and messages are attributed to the fault most recently injected.
      if (track(e.data.fault)) t.current = e.data.fault;
      return true;
    case 'fault.detected':
      // The fault's incident is known: the roles named on it count for this fault, and rotation
      // (which reads the faults' roles in order) is recomputed for every fault.
      if (!track(e.data.fault)) return false;
      if (s.scenario.scoring.roles && t.roles.size) {
        t.rotation = null;
        for (const f of t.faults.values()) touch(f, COMMS);
      }
      return true;
    case 'fault.armed':
    case 'fault.injecting':
    case 'fault.injection_failed':
    case 'fault.deadline_extended':
    case 'fault.acknowledged':
    case 'fault.premature_resolve':
    case 'fault.recovered':
    case 'fault.relapsed':
    case 'fault.resolved':
    case 'fault.signed_off':
    case 'fault.timed_out':
    case 'fault.reverted':
    case 'fault.skipped':
    case 'fault.voided':
      // The lifecycle fold has taken it in; the breakdown reads it from there.
      return !!track(e.data.fault);
    case 'status.published': {
      const f = t.current ? track(t.current) : undefined;
      if (!f) return false;
      const d = e.data;
      if (d.incident !== undefined && d.impact === undefined && d.currentAction === undefined && d.nextUpdateAt === undefined) {
        // Written on the incident board as free text: read for the fields, as a PagerDuty update is.
        f.updates.push({ ...pagerDutyUpdate(e.seq, e.gameTime, d.text), resolved: d.resolved, via: 'board', author: d.by.name });
        touch(f, COMMS);
        return true;
      }
      const c = checkStatusUpdate({ gameTime: e.gameTime, text: d.text, ...(d.impact !== undefined ? { impact: d.impact } : {}), ...(d.currentAction !== undefined ? { currentAction: d.currentAction } : {}), ...(d.nextUpdateAt !== undefined ? { nextUpdateAt: d.nextUpdateAt } : {}) }, []);
      f.updates.push({ seq: e.seq, gameTime: e.gameTime, resolved: d.resolved, fields: c.fields, text: c.text, nextUpdateAt: d.nextUpdateAt ?? null, via: d.incident !== undefined ? 'board' : 'war_room', author: d.by.name });
      touch(f, COMMS);
      return true;
    }
    case 'incident.status_update_published': {
      // A PagerDuty status update is a status update (issue 15): its free text is read for the fields.
      const f = t.current ? track(t.current) : undefined;
      if (!f) return false;
      f.updates.push(pagerDutyUpdate(e.seq, e.gameTime, e.data.message));
      touch(f, COMMS);
      return true;
    }
    case 'message.posted': {
      const d = e.data;
      const book = channel(t, d.channel);
      if (d.author.kind === 'persona' && d.expectsAnswer) {
        const answerWithinMs = d.answerWithinMs ?? s.scenario.scoring.communication.ctoAnswer.zeroAtMs;
        // Threaded whatever its fault (the team sees it in the channel); scored only for a fault.
        book.walk.question({ seq: e.seq, gameTime: e.gameTime, channel: d.channel, answerWithinMs, text: d.text });
        const f = track(d.fault ?? t.current ?? '');
        if (!f) return false;
        f.questions.push({ seq: e.seq, channel: d.channel, expects: [...(d.expects ?? [])], memo: null });
        book.owners.set(e.seq, f);
        const c: Closing = { closesAt: e.gameTime + answerWithinMs, seq: e.seq, channel: d.channel, fault: f };
        let at = t.closing.length;
        while (at > 0 && t.closing[at - 1]!.closesAt > c.closesAt) at--;
        t.closing.splice(at, 0, c);
        touch(f, COMMS);
        return true;
      }
      if (d.author.kind !== 'team') {
        // Other lines only matter as text an answer must not copy, and escalations flag the judges.
        book.walk.other({ seq: e.seq, channel: d.channel, text: d.text });
        const f = d.kind === 'escalation' && d.flagJudges ? track(d.fault ?? t.current ?? '') : undefined;
        if (!f) return false;
        f.escalations.push(e.seq);
        touch(f, COMMS);
        return true;
      }
      book.texts.set(e.seq, d.text);
      book.authors.set(e.seq, d.author.name);
      // A message changes at most the one question it is addressed to (an attempt, an answer, a late reply).
      const r = book.walk.message({ seq: e.seq, gameTime: e.gameTime, channel: d.channel, text: d.text, ...(d.replyTo !== undefined ? { replyTo: d.replyTo } : {}) });
      const f = r.addressedTo !== undefined ? book.owners.get(r.addressedTo) : undefined;
      if (!f) return false;
      touch(f, COMMS);
      return true;
    }
    case 'incident.roles_set': {
      const d = e.data;
      let list = t.roles.get(d.incident);
      if (!list) t.roles.set(d.incident, (list = []));
      list.push({ seq: e.seq, gameTime: e.gameTime, commander: d.commander, communications: d.communications, ops: d.ops });
      if (!s.scenario.scoring.roles) return false;
      t.rotation = null;
      for (const f of t.faults.values()) touch(f, COMMS);
      return true;
    }
    case 'judgement.recorded': {
      const f = track(e.data.fault);
      if (!f) return false;
      const d = e.data;
      f.judgements.set(`${d.category}\0${d.criterion}\0${d.judge}`, { category: d.category, criterion: d.criterion, judge: d.judge, score: d.score, seq: e.seq });
      return true;
    }
    case 'postmortem.submitted': {
      const f = track(e.data.fault);
      if (!f || f.postmortem !== null) return false;
      f.postmortem = e.seq;
      return true;
    }
    case 'hint.taken': {
      const key = `${e.data.fault}\0${e.data.hint}`;
      if (t.hints.has(key)) return false;
      t.hints.set(key, { fault: e.data.fault, hint: e.data.hint, cost: e.data.cost, seq: e.seq });
      t.hintMilli += e.data.cost * 1000;
      return true;
    }
    case 'score.adjusted':
      t.adjustments.push({ points: e.data.points, reason: e.data.reason, seq: e.seq });
      t.adjustMilli += e.data.points * 1000;
      return true;
    case 'sli.minute': {
      // A minute counted twice (a restart of the probe loop) counts once: the last report wins.
      const old = t.sli.get(e.data.minute);
      if (old) {
        t.sliGood -= Math.min(old.good, old.total);
        t.sliTotal -= old.total;
        const at = t.sliSeqs.indexOf(old.seq);
        if (at >= 0) t.sliSeqs.splice(at, 1);
      }
      t.sli.set(e.data.minute, { good: e.data.good, total: e.data.total, seq: e.seq });
      t.sliGood += Math.min(e.data.good, e.data.total);
      t.sliTotal += e.data.total;
      // Seqs come in ascending order: appending keeps the evidence sorted.
      t.sliSeqs.push(e.seq);
      return true;
    }
    case 'traffic.minute': {
      // Keyed per team×minute like sli.minute: the last report of a minute wins.
      const old = t.traffic.get(e.data.minute);
      if (old) {
        t.userRequests -= old.requests;
        t.userBad -= Math.min(old.bad, old.requests);
      }
      const m = { requests: e.data.requests, bad: e.data.failed + e.data.slow, seq: e.seq };
      t.traffic.set(e.data.minute, m);
      t.userRequests += m.requests;
      t.userBad += Math.min(m.bad, m.requests);
      return true;
    }
    default:
      return false;
  }
}

function channel(t: TeamState, id: string): ChannelBook {
  let b = t.channels.get(id);
  if (!b) t.channels.set(id, (b = { walk: new ThreadWalk(), texts: new Map(), authors: new Map(), owners: new Map() }));
  return b;
}

/** Relative next-update promises in free text ("in 15 minutes", 「30分後」) as a game time; clock times are not converted. */
function promisedAt(text: string, gameTime: number): number | null {
  const m = /(\d+)\s*(minutes?|mins?|分|hours?|hrs?|時間)/i.exec(text.normalize('NFKC'));
  if (!m) return null;
  const n = Number(m[1]);
  return gameTime + n * (/^(h|時)/i.test(m[2]!) ? 3_600_000 : 60_000);
}

const tx = (en: string, ja: string): Text => ({ en, ja });

function pagerDutyUpdate(seq: number, gameTime: number, message: string): Update {
  const ex = detectExpects(message, ['impact', 'current_action', 'next_update']);
  const body = substance(message);
  const find = (el: ExpectElement): FieldCheck => {
    const f = ex.findings.find((x) => x.element === el)!;
    return body.ok && f.found ? { ok: true } : { ok: false, reason: body.ok ? f.explanation : body.reason };
  };
  const next = ex.findings.find((x) => x.element === 'next_update' && x.found);
  return {
    seq,
    gameTime,
    resolved: false,
    fields: { impact: find('impact'), currentAction: find('current_action'), nextUpdateAt: find('next_update') },
    text: body.ok ? { ok: true, substance: body } : { ok: false, reason: body.reason, substance: body },
    nextUpdateAt: next?.evidence ? promisedAt(next.evidence.text, gameTime) : null,
    via: 'pagerduty',
  };
}

// ---------------------------------------------------------------------------------------------
// the formula

/** 1 up to fullWithin, linearly down to 0 at zeroAt. */
export function rangeShare(ms: number, r: Range): number {
  if (ms <= r.fullWithinMs) return 1;
  if (ms >= r.zeroAtMs) return 0;
  return (r.zeroAtMs - ms) / (r.zeroAtMs - r.fullWithinMs);
}

const pts = (max: number, share: number): number => Math.round(max * share);
const uniq = (xs: number[]): number[] => [...new Set(xs)].sort((a, b) => a - b);
const part = (points: number, max: number, evidence: number[]): Part => ({ points, max, evidence: uniq(evidence) });

function fmt(ms: number): string {
  const s = Math.round(ms / 1000);
  const m = Math.floor(s / 60);
  return m ? `${m}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}

/** Milli-point maxima of each category for a fault of this weight; rounding keeps the sum exact. */
function categoryMax(s: ScoreState, weight: number) {
  const c = s.scenario.scoring.categories;
  const sum = c.recovery + c.detection + c.communication + c.review || 1;
  const total = Math.round(s.scenario.scoring.pointsPerFault * 1000 * weight);
  const recovery = Math.round((total * c.recovery) / sum);
  const detection = Math.round((total * c.detection) / sum);
  const communication = Math.round((total * c.communication) / sum);
  const review = total - recovery - detection - communication;
  return { recovery, detection, communication, review };
}

function recoveryScore(s: ScoreState, f: FaultTrack, max: number): FaultScore['recovery'] {
  const r = f.run;
  // The lifecycle clears greenSince on a time-out and ignores a recovery after it: that earns nothing.
  if (r.injectedAt === null || r.greenSince === null || r.recoveredSeq === null || r.state === 'timed_out') {
    const ev = [r.injectedSeq ?? 0, r.state === 'timed_out' ? (r.endedSeq ?? 0) : 0].filter(Boolean);
    return { ...part(0, max, ev), share: 0, ttrMs: null };
  }
  const ttr = Math.max(0, r.greenSince - r.injectedAt);
  const target = f.fault.timing.targetRecoveryMs;
  const window = (r.deadlineAt ?? r.injectedAt + f.fault.timing.deadlineMs) - r.injectedAt;
  const floor = s.scenario.scoring.recovery.floor;
  let share: number;
  if (ttr <= target) share = 1;
  else if (ttr > window) share = 0;
  else share = window > target ? 1 - ((1 - floor) * (ttr - target)) / (window - target) : floor;
  return { ...part(pts(max, share), max, [r.injectedSeq!, r.recoveredSeq, ...r.deadlineSeqs]), share, ttrMs: ttr };
}

function detectionScore(s: ScoreState, f: FaultTrack, max: number): FaultScore['detection'] {
  const r = f.run;
  const rules = s.scenario.scoring.detection;
  const alerting = f.fault.alerting === 'pagerduty';
  const fact = alerting ? r.acknowledged : r.detected;
  const kind = alerting ? ('acknowledge' as const) : ('open_incident' as const);
  const premature = r.prematureSeqs.length > 0;
  const state = r.detection;
  if (r.injectedAt === null || !fact) return { ...part(0, max, [...r.prematureSeqs]), share: 0, kind, state, ms: null, premature };
  const ms = Math.max(0, fact.at - r.injectedAt);
  let share = rangeShare(ms, alerting ? rules.alerting : rules.silent);
  if (premature) share *= 1 - rules.prematureResolvePenalty;
  return { ...part(pts(max, share), max, [r.injectedSeq!, fact.seq, ...r.prematureSeqs]), share, kind, state, ms, premature };
}

function criteria(f: FaultTrack, category: 'communication' | 'review', rubric: Array<{ id: string }>): { share: number; criteria: CriterionScore[]; evidence: number[] } {
  const out: CriterionScore[] = [];
  const evidence: number[] = [];
  let sum = 0;
  for (const item of rubric) {
    const judges = [...f.judgements.values()]
      .filter((j) => j.category === category && j.criterion === item.id)
      .sort((a, b) => (a.judge < b.judge ? -1 : a.judge > b.judge ? 1 : 0))
      .map((j) => ({ judge: j.judge, score: j.score, seq: j.seq }));
    const mean = judges.length ? judges.reduce((a, j) => a + j.score, 0) / judges.length : null;
    if (mean !== null) sum += mean / 5;
    evidence.push(...judges.map((j) => j.seq));
    out.push({ criterion: item.id, mean, judges });
  }
  return { share: rubric.length ? sum / rubric.length : 0, criteria: out, evidence };
}

/**
 * The fault's questions scored from their channel's threading (src/comms/rules/share.ts). Open vs
 * unanswered (the note only; a share is 0 either way) is judged at the team's `now`.
 */
const STATUS_KEY = { open: 0, unanswered: 1, answered: 2, late: 3 } as const;

function questionShares(s: ScoreState, t: TeamState, f: FaultTrack, fresh: boolean): QuestionScore[] {
  const range = s.scenario.scoring.communication.ctoAnswer;
  return f.questions.map((q) => {
    const b = t.channels.get(q.channel)!;
    const th = b.walk.thread(q.seq)!;
    const status = statusAt(th, t.now);
    const share = () => questionShare({ ...th, status }, q.expects, th.answer ? b.texts.get(th.answer.seq) : undefined, range);
    if (fresh) return share();
    // Once answered or late a thread changes no more; before, only by attempts and its window closing.
    const key = STATUS_KEY[status] + 4 * th.attempts.length;
    if (q.memo?.key !== key) q.memo = { key, score: share() };
    return q.memo.score;
  });
}

/** The role namings on the fault's incident (the one that detected it). */
function faultNamings(t: TeamState, f: FaultTrack): RoleNaming[] {
  const inc = f.run.detected?.incident;
  return (inc !== undefined && t.roles.get(inc)) || [];
}

/** Every fault's rotation fact, in detection order (cached per team; `fresh` recomputes without the cache). */
function rotationOf(t: TeamState, fresh: boolean): Map<string, RoleFact> {
  if (!fresh && t.rotation) return t.rotation;
  const order = [...t.faults.values()].filter((f) => f.run.detected).sort((a, b) => a.run.detected!.seq - b.run.detected!.seq);
  const facts = rotationFacts(
    order.map((f) => {
      const n = currentHolders(faultNamings(t, f)) as RoleNaming | null;
      return { fault: f.fault.id, holders: n, seq: n?.seq ?? null };
    }),
    t.members,
  );
  if (!fresh) t.rotation = facts;
  return facts;
}

/**
 * The roles measure of a fault (src/comms/rules/roles.ts): roles named in time, stakeholder
 * updates and answers by the Communications Lead, rotation. Null share when roles are not scored.
 */
function rolesMeasure(s: ScoreState, t: TeamState, f: FaultTrack, fresh: boolean): SubScore {
  const rr = s.scenario.scoring.roles;
  if (!rr || rr.weight <= 0) return { share: null, evidence: [], note: 'roles are not scored', noteJa: '役割は採点対象外' };
  const namings = faultNamings(t, f);
  // Without a naming nothing written can be by the Communications Lead: not collected.
  const written: Written[] = [];
  if (namings.length) {
    for (const u of f.updates) if (u.via !== 'pagerduty') written.push({ seq: u.seq, kind: 'update', author: u.author });
    for (const q of f.questions) {
      const b = t.channels.get(q.channel)!;
      const a = b.walk.thread(q.seq)?.answer;
      if (a) written.push({ seq: a.seq, kind: 'answer', author: b.authors.get(a.seq) });
    }
  }
  const rotationFact = rr.rotation ? rotationOf(t, fresh).get(f.fault.id) : undefined;
  // Its inputs only grow (namings, what was written) or are replaced (detection, rotation): same inputs, same measure.
  const key = { namings: namings.length, detected: f.run.detected?.seq, written: written.length, rotation: rotationFact };
  const m = f.rolesMemo;
  if (!fresh && m && m.key.namings === key.namings && m.key.detected === key.detected && m.key.written === key.written && m.key.rotation === key.rotation) return m.score;
  const named = namedInTime(namings, f.run.detected?.at ?? null, rr.withinMs);
  const lead = commsLeadShare(namings, written);
  const rotation = rr.rotation ? (rotationFact ?? { share: null, evidence: [], note: { en: 'no roles named', ja: '役割の指名なし' } }) : null;
  const facts = [
    { fact: 'named' as const, ...named, weight: rr.weights.named },
    { fact: 'commsLead' as const, ...lead, weight: rr.weights.commsLead },
    ...(rotation ? [{ fact: 'rotation' as const, ...rotation, weight: rr.weights.rotation }] : []),
  ];
  const score: SubScore = {
    share: rolesShare(facts.map((x) => ({ fact: x, weight: x.weight }))),
    evidence: facts.flatMap((x) => x.evidence),
    note: facts.map((x) => x.note.en).join('; '),
    noteJa: facts.map((x) => x.note.ja).join('、'),
    roles: facts.map((x) => ({ fact: x.fact, share: x.share, evidence: x.evidence, note: x.note })),
  };
  if (!fresh) f.rolesMemo = { key, score };
  return score;
}

/** A measure's share, now; its evidence and notes built only when the breakdown is read. */
type Measure = { share: number | null; describe: () => SubScore };
type Automatic = FaultScore['communication']['automatic'];
/** The automatic communication points, now; the whole part (evidence, notes) on first read. */
interface LazyAutomatic {
  points: number;
  read: () => Automatic;
}

const measure = (share: number | null, describe: (share: number | null) => Omit<SubScore, 'share'>): Measure => ({ share, describe: () => ({ share, ...describe(share) }) });

function automaticComms(s: ScoreState, t: TeamState, f: FaultTrack, max: number, fresh = false): LazyAutomatic {
  const rules = s.scenario.scoring.communication;
  // An update that says nothing (no text, impact or current action with substance: "x / x / x")
  // is no update for the first-update and cadence measures.
  const ups = f.updates.filter((u) => u.text.ok || u.fields.impact.ok || u.fields.currentAction.ok);
  const inj = f.run.injectedAt ?? 0;

  const first = ups[0];
  const firstAfter = first ? Math.max(0, first.gameTime - inj) : 0;
  const firstUpdate = measure(first ? rangeShare(firstAfter, rules.firstUpdate) : 0, () =>
    first
      ? { evidence: [first.seq], note: `first update after ${fmt(firstAfter)}`, noteJa: `最初の更新まで ${fmt(firstAfter)}` }
      : { evidence: [], note: f.updates.length ? 'no status update with substance yet' : 'no status update yet', noteJa: f.updates.length ? '中身のある状況報告なし' : '状況報告なし' },
  );

  // Each promised next-update time is kept when the next update comes within the tolerance.
  let promised = 0;
  let kept = 0;
  const cadenceEv: number[] = [];
  ups.forEach((u, i) => {
    if (u.resolved || u.nextUpdateAt === null) return;
    promised++;
    cadenceEv.push(u.seq);
    const next = ups[i + 1];
    if (next && next.gameTime <= u.nextUpdateAt + rules.cadenceToleranceMs) {
      kept++;
      cadenceEv.push(next.seq);
    }
  });
  const cadence = measure(promised ? kept / promised : 0, () => ({ evidence: cadenceEv, note: `${kept} of ${promised} promised updates kept`, noteJa: `予告した次回更新 ${promised} 件中 ${kept} 件を守った` }));

  const qs = questionShares(s, t, f, fresh);
  const ctoAnswer = measure(qs.length ? qs.reduce((a, q) => a + q.share, 0) / qs.length : null, () => {
    if (!qs.length) return { evidence: [], note: 'no question asked', noteJa: '質問なし' };
    const answered = qs.filter((q) => q.share > 0).length;
    return {
      evidence: qs.flatMap((q) => q.evidence),
      note: `${answered} of ${qs.length} questions answered`,
      noteJa: `質問 ${qs.length} 件中 ${answered} 件に回答`,
      ...(f.escalations.length ? { escalations: [...f.escalations] } : {}),
      questions: qs.map((q) => ({ seq: q.seq, share: q.share, note: q.note, ...(q.expects ? { findings: q.expects.findings.map((x) => ({ element: x.element, found: x.found, explanation: x.explanation })) } : {}) })),
    };
  });

  const req = rules.requiredFields;
  const regular = f.updates.filter((u) => !u.resolved);
  const requiredFields = measure(!req.length ? null : regular.length ? regular.reduce((a, u) => a + req.filter((k) => u.fields[k].ok).length / req.length, 0) / regular.length : 0, () => {
    if (!req.length) return { evidence: [], note: 'no fields required', noteJa: '必須項目なし' };
    const failed = regular.flatMap((u) => req.filter((k) => !u.fields[k].ok).map((k) => ({ seq: u.seq, field: k, reason: u.fields[k].reason ?? tx('missing', '未記入') })));
    return {
      evidence: regular.map((u) => u.seq),
      note: `${regular.length} updates checked for ${req.join(', ')}${failed.length ? `; ${failed.map((x) => `#${x.seq} ${x.field}: ${x.reason.en}`).join('; ')}` : ''}`,
      noteJa: `${regular.length} 件の更新の ${req.join('、')} を確認${failed.length ? `（${failed.map((x) => `#${x.seq} ${x.field}: ${x.reason.ja}`).join('、')}）` : ''}`,
    };
  });

  const green = f.run.greenSince;
  const after = green !== null ? f.updates.filter((u) => u.resolved && u.gameTime >= green) : [];
  const notice = after.find((u) => u.text.ok);
  const resolutionNotice = measure(notice ? 1 : 0, () => {
    if (notice) return { evidence: [notice.seq, f.run.recoveredSeq!], note: 'resolution notice after recovery', noteJa: '復旧後に解決の連絡あり' };
    const empty = after.find((u) => !u.text.ok);
    if (empty) return { evidence: [empty.seq], note: `resolution notice #${empty.seq} says nothing: ${empty.text.reason!.en}`, noteJa: `解決の連絡 #${empty.seq} に中身がない：${empty.text.reason!.ja}` };
    return { evidence: [], note: green !== null ? 'no resolution notice since recovery' : 'not recovered yet', noteJa: green !== null ? '復旧後の解決の連絡なし' : '未復旧' };
  });

  const so = f.run.signedOff;
  const signOff = measure(!s.scenario.game.signOff ? null : so ? 1 : 0, () => {
    if (!s.scenario.game.signOff) return { evidence: [], note: 'no sign-off in this scenario', noteJa: 'サインオフなし' };
    if (so) return { evidence: [so.notice, so.seq], note: `signed off after resolution notice #${so.notice}`, noteJa: `解決の連絡 #${so.notice} を受けてサインオフ` };
    const grace = f.run.resolvedBy === 'grace';
    return { evidence: [], note: grace ? 'no sign-off: resolved at the grace period without a resolution notice' : 'not signed off yet', noteJa: grace ? 'サインオフなし：解決の連絡がないまま猶予期間で解決' : '未サインオフ' };
  });
  const rolesScore = rolesMeasure(s, t, f, fresh);
  const roles: Measure = { share: rolesScore.share, describe: () => rolesScore };

  // A weighted mean of the measures that apply: scoring.communication.weights (1 each by default) and
  // scoring.roles.weight for the roles measure; a measure that does not apply drops out.
  const w = rules.weights;
  const all = [[firstUpdate, w.firstUpdate], [cadence, w.cadence], [ctoAnswer, w.ctoAnswer], [requiredFields, w.requiredFields], [resolutionNotice, w.resolutionNotice], [signOff, w.signOff], [roles, s.scenario.scoring.roles?.weight ?? 0]] as const;
  const subs = all.filter(([x, k]) => x.share !== null && k > 0);
  const weight = subs.reduce((a, [, k]) => a + k, 0);
  const share = f.run.injectedAt === null || !weight ? 0 : subs.reduce((a, [x, k]) => a + x.share! * k, 0) / weight;
  const points = pts(max, share);
  let read: Automatic | undefined;
  const describe = (): Automatic => {
    const [fu, ca, ct, rf, rn, sg, ro] = all.map(([x]) => x.describe()) as [SubScore, SubScore, SubScore, SubScore, SubScore, SubScore, SubScore];
    const ev = [fu, ca, ct, rf, rn, sg, ro].filter((_, i) => subs.includes(all[i]!)).flatMap((x) => x.evidence);
    return { ...part(points, max, ev), share, firstUpdate: fu, cadence: ca, ctoAnswer: ct, requiredFields: rf, resolutionNotice: rn, signOff: sg, roles: ro };
  };
  return { points, read: () => (read ??= describe()) };
}

/** Skipped and voided faults count for nothing either way. */
const excluded = (f: FaultTrack): boolean => f.run.state === 'skipped' || f.run.state === 'voided';

/** Every part of a fault's score from the folded facts (`fresh`: without the team-wide rotation cache). */
function computeParts(s: ScoreState, t: TeamState, f: FaultTrack, fresh = false): Parts {
  const counted = !excluded(f);
  const m = categoryMax(s, counted ? f.fault.weight : 0);
  const autoMax = Math.round(m.communication * s.scenario.scoring.communication.automaticShare);
  return {
    m,
    autoMax,
    recovery: recoveryScore(s, f, m.recovery),
    detection: detectionScore(s, f, m.detection),
    automatic: automaticComms(s, t, f, autoMax, fresh),
    ...judgedParts(s, f, m),
  };
}

/** The judged parts: the communication rubric and the review (postmortem and its rubric). */
function judgedParts(s: ScoreState, f: FaultTrack, m: ReturnType<typeof categoryMax>): Pick<Parts, 'judged' | 'review'> {
  const autoMax = Math.round(m.communication * s.scenario.scoring.communication.automaticShare);
  const j = criteria(f, 'communication', s.scenario.scoring.communication.rubric);
  const judgedMax = m.communication - autoMax;
  const judged = { ...part(pts(judgedMax, j.share), judgedMax, j.evidence), share: j.share, criteria: j.criteria };
  const r = criteria(f, 'review', s.scenario.scoring.review.rubric);
  const submitted = f.postmortem !== null;
  const review = {
    ...part(submitted ? pts(m.review, r.share) : 0, m.review, submitted ? [f.postmortem!, ...r.evidence] : []),
    share: submitted ? r.share : 0,
    submitted,
    criteria: r.criteria,
  };
  return { judged, review };
}

function faultScore(s: ScoreState, t: TeamState, f: FaultTrack): FaultScore {
  return assembleFault(s, f, computeParts(s, t, f, true));
}

/** The fault's score from its parts (evidence merged and sorted here, only when read). */
function assembleFault(s: ScoreState, f: FaultTrack, p: Parts): FaultScore {
  const counted = !excluded(f);
  const weight = f.fault.weight;
  const { m, recovery, detection, judged, review } = p;
  const automatic = p.automatic.read();
  const communication = { ...part(automatic.points + judged.points, m.communication, [...automatic.evidence, ...judged.evidence]), automatic, judged };
  const parts = [recovery, detection, communication, review];
  return {
    fault: f.fault.id,
    index: f.fault.index,
    title: f.fault.title,
    weight,
    state: f.run.state,
    counted,
    injectedAt: f.run.injectedAt,
    deadlineAt: f.run.deadlineAt,
    recoveredAt: f.run.greenSince,
    points: parts.reduce((a, p) => a + p.points, 0),
    max: parts.reduce((a, p) => a + p.max, 0),
    evidence: uniq([...parts.flatMap((p) => p.evidence), ...f.run.stateSeqs]),
    recovery,
    detection,
    communication,
    review,
    statusUpdates: f.updates.map((u) => u.seq),
    postmortem: f.postmortem,
  };
}

/** The breakdown computed afresh from the folded facts (no cache, no running sum): the reference for the cached one. */
function breakdown(s: ScoreState, t: TeamState): TeamBreakdown {
  const faults = [...t.faults.values()].map((f) => {
    const fs = faultScore(s, t, f);
    // Voided and skipped faults count for nothing either way.
    return excluded(f) ? zeroed(fs) : fs;
  });

  let good = 0;
  let total = 0;
  const sliEv: number[] = [];
  for (const m of t.sli.values()) {
    good += Math.min(m.good, m.total);
    total += m.total;
    sliEv.push(m.seq);
  }
  // Users' share: what spectators met through /t/ (a request failed or slow is bad for them).
  let requests = 0;
  let bad = 0;
  for (const m of t.traffic.values()) {
    requests += m.requests;
    bad += Math.min(m.bad, m.requests);
    sliEv.push(m.seq);
  }
  const availMax = s.scenario.scoring.availability.points * 1000;
  const availability = { ...part(availabilityPoints(s, good, total, requests, bad), availMax, sliEv), good, total, users: { requests, bad } };
  return assemble(t, faults, availability);
}

/** The breakdown from the cached fault scores and the running sums (what `apply` keeps). */
function cachedBreakdown(s: ScoreState, t: TeamState): TeamBreakdown {
  if (t.cachedBreakdown) return t.cachedBreakdown;
  const faults = [...t.faults.values()].map((f) => cachedFault(s, t, f));
  const availMax = s.scenario.scoring.availability.points * 1000;
  const evidence = t.traffic.size ? uniq([...t.sliSeqs, ...[...t.traffic.values()].map((m) => m.seq)]) : t.sliSeqs.slice();
  const availability = {
    points: availabilityPoints(s, t.sliGood, t.sliTotal, t.userRequests, t.userBad),
    max: availMax,
    evidence,
    good: t.sliGood,
    total: t.sliTotal,
    users: { requests: t.userRequests, bad: t.userBad },
  };
  return (t.cachedBreakdown = assemble(t, faults, availability));
}

function assemble(t: TeamState, faults: FaultScore[], availability: TeamBreakdown['availability']): TeamBreakdown {

  const hintItems = [...t.hints.values()];
  const hints = { ...part(0 - hintItems.reduce((a, h) => a + h.cost * 1000, 0), 0, hintItems.map((h) => h.seq)), items: hintItems };
  const adjustments = {
    ...part(t.adjustments.reduce((a, x) => a + x.points * 1000, 0), 0, t.adjustments.map((x) => x.seq)),
    // Never changed once folded: the breakdown shares the items (a copy of the list, not of each).
    items: t.adjustments.slice(),
  };

  const categories = categoriesOf(faults, availability.points, hints.points, adjustments.points);
  const grand = Object.values(categories).reduce((a, b) => a + b, 0);
  return { team: t.id, total: grand, categories, faults, availability, hints, adjustments };
}

function categoriesOf(faults: readonly FaultScore[], availability: number, hints: number, adjustments: number): TeamBreakdown['categories'] {
  let recovery = 0;
  let detection = 0;
  let communication = 0;
  let review = 0;
  for (const f of faults) {
    recovery += f.recovery.points;
    detection += f.detection.points;
    communication += f.communication.points;
    review += f.review.points;
  }
  return { recovery, detection, communication, review, availability, hints, adjustments };
}

function zeroed(fs: FaultScore): FaultScore {
  const z = <P extends Part>(p: P): P => ({ ...p, points: 0, max: 0 });
  return {
    ...fs,
    points: 0,
    max: 0,
    recovery: { ...z(fs.recovery), share: 0 },
    detection: { ...z(fs.detection), share: 0 },
    communication: { ...z(fs.communication), automatic: { ...z(fs.communication.automatic), share: 0 }, judged: { ...z(fs.communication.judged), share: 0 } },
    review: { ...z(fs.review), share: 0 },
  };
}

// ---------------------------------------------------------------------------------------------
// ranking and views

function currentFault(t: TeamState): CurrentFault | null {
  let best: FaultTrack | undefined;
  for (const f of t.faults.values()) {
    if (f.run.state === 'pending' || isTerminal(f.run.state)) continue;
    if (!best || f.fault.index > best.fault.index) best = f;
  }
  if (!best) return null;
  const r = best.run;
  return { id: best.fault.id, index: best.fault.index, title: best.fault.title, state: r.state, detection: r.detection, injectedAt: r.injectedAt };
}

/** Total desc; ties go to the team that reached its total at the lower seq; then by id. */
export function compareTeams(a: { total: number; reachedSeq: number; team: string }, b: { total: number; reachedSeq: number; team: string }): number {
  return b.total - a.total || a.reachedSeq - b.reachedSeq || (a.team < b.team ? -1 : a.team > b.team ? 1 : 0);
}

export function standing(t: TeamState, rank = 0): Standing {
  return { team: t.id, name: t.name, rank, total: t.total, reachedSeq: t.reachedSeq, currentFault: currentFault(t), breakdown: cachedBreakdown(t.score, t) };
}

/** What a board row reads of a team: its standing with the categories and fault scores only. */
export interface BoardStanding extends Omit<Standing, 'breakdown'> {
  breakdown: Pick<TeamBreakdown, 'categories' | 'faults'>;
}

/** A team's board standing from the cached fault scores and running sums: no items or evidence assembled (per change on the live board). */
export function boardStanding(t: TeamState, rank = 0): BoardStanding {
  if (t.cachedBreakdown) return standing(t, rank);
  const s = t.score;
  const faults = [...t.faults.values()].map((f) => cachedFault(s, t, f));
  const availability = availabilityPoints(s, t.sliGood, t.sliTotal, t.userRequests, t.userBad);
  const categories = categoriesOf(faults, availability, 0 - t.hintMilli, t.adjustMilli);
  return { team: t.id, name: t.name, rank, total: t.total, reachedSeq: t.reachedSeq, currentFault: currentFault(t), breakdown: { categories, faults } };
}

/** The ranked board from the current state (read-only). */
export function leaderboard(s: ScoreState): Leaderboard {
  const rows = [...s.teams.values()].map((t) => standing(t));
  rows.sort(compareTeams);
  rows.forEach((r, i) => (r.rank = i + 1));
  return { seq: s.lastSeq, teams: rows };
}

/** A team's version counter: changes whenever its breakdown was recomputed. */
export function teamVersion(s: ScoreState, id: string): number {
  return s.teams.get(id)?.version ?? -1;
}

/**
 * Every team's breakdown computed afresh from the folded facts, ignoring the cached one `apply`
 * keeps: tests compare the two, so an event that should have changed a score but did not is seen.
 */
export function freshBreakdowns(s: ScoreState): Map<string, TeamBreakdown> {
  return new Map([...s.teams.values()].map((t) => [t.id, breakdown(s, t)]));
}
