import type { StoredEvent } from '../events/types.js';
import { addTeam, createGameState, isTerminal, reduce, type FaultRun, type GameState } from '../lifecycle/index.js';
import type { Fault, Range, Scenario } from '../scenario/types.js';
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

interface Fact {
  at: number;
  seq: number;
}

interface Update {
  seq: number;
  gameTime: number;
  resolved: boolean;
  fields: { impact: boolean; currentAction: boolean; nextUpdateAt: boolean };
  nextUpdateAt: number | null;
}

interface Question {
  seq: number;
  gameTime: number;
  channel: string;
  answer: Fact | null;
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
  updates: Update[];
  questions: Question[];
  /** key: category \0 criterion \0 judge; a later judgement by the same judge revises the earlier one. */
  judgements: Map<string, Judgement>;
  postmortem: number | null;
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
  automatic: FaultScore['communication']['automatic'];
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
  hints: Map<string, { fault: string; hint: string; cost: number; seq: number }>;
  adjustments: Array<{ points: number; reason: string; seq: number }>;
  // Running sums, so an event costs O(1) whatever the team's history (sli minutes, hints, adjustments).
  sliGood: number;
  sliTotal: number;
  /** Seqs of the sli minutes counted, ascending (the availability evidence). */
  sliSeqs: number[];
  hintMilli: number;
  adjustMilli: number;
  total: number;
  reachedSeq: number;
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

function newTrack(fault: Fault, run: FaultRun): FaultTrack {
  return { fault, run, updates: [], questions: [], judgements: new Map(), postmortem: null, cached: null, parts: null, dirty: ALL };
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
      hints: new Map(),
      adjustments: [],
      sliGood: 0,
      sliTotal: 0,
      sliSeqs: [],
      hintMilli: 0,
      adjustMilli: 0,
      total: 0,
      reachedSeq: seq,
      cachedBreakdown: null,
      score: s,
      version: 0,
    };
    s.scenario.faults.forEach((f, i) => t!.faults.set(f.id, newTrack(f, life.faults[i]!)));
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
    return s;
  }
  if (!e.team) {
    reduce(s.scenario, s.life, e);
    return s;
  }
  if (e.type === 'team.updated') {
    if (e.data.name !== undefined) team(s, e.team, e.seq, e.gameTime).name = e.data.name;
    return s;
  }
  const t = team(s, e.team, e.seq, e.gameTime);
  reduce(s.scenario, s.life, e);
  if (!applyTeamEvent(s, t, e)) return s;
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
  'fault.timed_out',
  'fault.reverted',
  'fault.skipped',
  'fault.voided',
  'judgement.recorded',
  'postmortem.submitted',
]);
/** Events that change only a running sum (availability, hints, adjustments), no fault's score. */
const TEAM_SCOPED = new Set(['sli.minute', 'hint.taken', 'score.adjusted']);
/** Events whose case in applyTeamEvent marks the faults it changed itself (`touch(f, COMMS)`). */
const SELF_MARKED = new Set(['status.published', 'message.posted']);

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

function touch(f: FaultTrack, what: number): void {
  f.cached = null;
  f.dirty |= what;
}

/** The fault's parts, recomputing only the dirty ones. */
function cachedParts(s: ScoreState, f: FaultTrack): Parts {
  if (!f.parts) f.parts = computeParts(s, f);
  else if (f.dirty & RUN) {
    // The lifecycle moved: recovery, detection and the automatic measures read it; the judged
    // parts only through the maxima (which change when the fault is skipped or voided).
    const p = f.parts;
    const m = categoryMax(s, excluded(f) ? 0 : f.fault.weight);
    if (m.recovery !== p.m.recovery || m.detection !== p.m.detection || m.communication !== p.m.communication || m.review !== p.m.review) f.parts = computeParts(s, f);
    else {
      p.recovery = recoveryScore(s, f, m.recovery);
      p.detection = detectionScore(s, f, m.detection);
      p.automatic = automaticComms(s, f, p.autoMax);
      if (f.dirty & JUDGED) Object.assign(p, judgedParts(s, f, p.m));
    }
  } else {
    const p = f.parts;
    if (f.dirty & COMMS) p.automatic = automaticComms(s, f, p.autoMax);
    if (f.dirty & JUDGED) Object.assign(p, judgedParts(s, f, p.m));
  }
  f.dirty = 0;
  return f.parts;
}

/** The fault's points from its cached parts (no evidence assembled): what `apply` needs for the total. */
function faultPoints(s: ScoreState, f: FaultTrack): number {
  if (excluded(f)) return 0;
  if (f.cached) return f.cached.points;
  const p = cachedParts(s, f);
  return p.recovery.points + p.detection.points + p.automatic.points + p.judged.points + p.review.points;
}

function cachedFault(s: ScoreState, f: FaultTrack): FaultScore {
  if (!f.cached) {
    const fs = assembleFault(s, f, cachedParts(s, f));
    f.cached = excluded(f) ? zeroed(fs) : fs;
  }
  return f.cached;
}

const availabilityPoints = (s: ScoreState, good: number, total: number): number =>
  total ? Math.round((s.scenario.scoring.availability.points * 1000 * good) / total) : 0;

/** The team's total from the cached fault scores and the running sums. */
function totalOf(s: ScoreState, t: TeamState): number {
  let sum = availabilityPoints(s, t.sliGood, t.sliTotal) - t.hintMilli + t.adjustMilli;
  for (const f of t.faults.values()) sum += faultPoints(s, f);
  return sum;
}

/** Returns true when the event can change the team's score or board entry. */
function applyTeamEvent(s: ScoreState, t: TeamState, e: StoredEvent): boolean {
  const track = (id: string): FaultTrack | undefined => t.faults.get(id);
  switch (e.type) {
    case 'fault.injected':
      // Status updates and messages are attributed to the fault most recently injected.
      if (track(e.data.fault)) t.current = e.data.fault;
      return true;
    case 'fault.armed':
    case 'fault.injecting':
    case 'fault.injection_failed':
    case 'fault.deadline_extended':
    case 'fault.detected':
    case 'fault.acknowledged':
    case 'fault.premature_resolve':
    case 'fault.recovered':
    case 'fault.relapsed':
    case 'fault.resolved':
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
      f.updates.push({
        seq: e.seq,
        gameTime: e.gameTime,
        resolved: d.resolved,
        fields: { impact: !!d.impact?.trim(), currentAction: !!d.currentAction?.trim(), nextUpdateAt: d.nextUpdateAt !== undefined },
        nextUpdateAt: d.nextUpdateAt ?? null,
      });
      touch(f, COMMS);
      return true;
    }
    case 'message.posted': {
      const d = e.data;
      if (d.author.kind === 'persona' && d.expectsAnswer) {
        const f = track(d.fault ?? t.current ?? '');
        if (!f) return false;
        f.questions.push({ seq: e.seq, gameTime: e.gameTime, channel: d.channel, answer: null });
        touch(f, COMMS);
        return true;
      }
      if (d.author.kind !== 'team') return false;
      // The first team message in the same channel after a question answers it.
      let changed = false;
      for (const f of t.faults.values()) {
        for (const q of f.questions) {
          if (q.answer || q.channel !== d.channel || q.seq >= e.seq) continue;
          q.answer = { at: Math.max(e.gameTime, q.gameTime), seq: e.seq };
          touch(f, COMMS);
          changed = true;
        }
      }
      return changed;
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
    default:
      return false;
  }
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

function automaticComms(s: ScoreState, f: FaultTrack, max: number): FaultScore['communication']['automatic'] {
  const rules = s.scenario.scoring.communication;
  const ups = f.updates;
  const inj = f.run.injectedAt ?? 0;

  const first = ups[0];
  const firstUpdate: SubScore = first
    ? { share: rangeShare(Math.max(0, first.gameTime - inj), rules.firstUpdate), evidence: [first.seq], note: `first update after ${fmt(Math.max(0, first.gameTime - inj))}` }
    : { share: 0, evidence: [], note: 'no status update yet' };

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
  const cadence: SubScore = { share: promised ? kept / promised : 0, evidence: cadenceEv, note: `${kept} of ${promised} promised updates kept` };

  const qs = f.questions;
  const ctoAnswer: SubScore = qs.length
    ? {
        share: qs.reduce((a, q) => a + (q.answer ? rangeShare(q.answer.at - q.gameTime, rules.ctoAnswer) : 0), 0) / qs.length,
        evidence: qs.flatMap((q) => (q.answer ? [q.seq, q.answer.seq] : [q.seq])),
        note: `${qs.filter((q) => q.answer).length} of ${qs.length} questions answered`,
      }
    : { share: null, evidence: [], note: 'no question asked' };

  const req = rules.requiredFields;
  const regular = ups.filter((u) => !u.resolved);
  const requiredFields: SubScore = !req.length
    ? { share: null, evidence: [], note: 'no fields required' }
    : {
        share: regular.length ? regular.reduce((a, u) => a + req.filter((k) => u.fields[k]).length / req.length, 0) / regular.length : 0,
        evidence: regular.map((u) => u.seq),
        note: `${regular.length} updates checked for ${req.join(', ')}`,
      };

  const green = f.run.greenSince;
  const notice = green !== null ? ups.find((u) => u.resolved && u.gameTime >= green) : undefined;
  const resolutionNotice: SubScore = notice
    ? { share: 1, evidence: [notice.seq, f.run.recoveredSeq!], note: 'resolution notice after recovery' }
    : { share: 0, evidence: [], note: green !== null ? 'no resolution notice since recovery' : 'not recovered yet' };

  const subs = [firstUpdate, cadence, ctoAnswer, requiredFields, resolutionNotice].filter((x) => x.share !== null);
  const share = f.run.injectedAt === null || !subs.length ? 0 : subs.reduce((a, x) => a + x.share!, 0) / subs.length;
  const ev = subs.flatMap((x) => x.evidence);
  return { ...part(pts(max, share), max, ev), share, firstUpdate, cadence, ctoAnswer, requiredFields, resolutionNotice };
}

/** Skipped and voided faults count for nothing either way. */
const excluded = (f: FaultTrack): boolean => f.run.state === 'skipped' || f.run.state === 'voided';

/** Every part of a fault's score from the folded facts. */
function computeParts(s: ScoreState, f: FaultTrack): Parts {
  const counted = !excluded(f);
  const m = categoryMax(s, counted ? f.fault.weight : 0);
  const autoMax = Math.round(m.communication * s.scenario.scoring.communication.automaticShare);
  return {
    m,
    autoMax,
    recovery: recoveryScore(s, f, m.recovery),
    detection: detectionScore(s, f, m.detection),
    automatic: automaticComms(s, f, autoMax),
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

function faultScore(s: ScoreState, f: FaultTrack): FaultScore {
  return assembleFault(s, f, computeParts(s, f));
}

/** The fault's score from its parts (evidence merged and sorted here, only when read). */
function assembleFault(s: ScoreState, f: FaultTrack, p: Parts): FaultScore {
  const counted = !excluded(f);
  const weight = f.fault.weight;
  const { m, recovery, detection, automatic, judged, review } = p;
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
    const fs = faultScore(s, f);
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
  const availMax = s.scenario.scoring.availability.points * 1000;
  const availability = { ...part(availabilityPoints(s, good, total), availMax, sliEv), good, total };
  return assemble(t, faults, availability);
}

/** The breakdown from the cached fault scores and the running sums (what `apply` keeps). */
function cachedBreakdown(s: ScoreState, t: TeamState): TeamBreakdown {
  if (t.cachedBreakdown) return t.cachedBreakdown;
  const faults = [...t.faults.values()].map((f) => cachedFault(s, f));
  const availMax = s.scenario.scoring.availability.points * 1000;
  const availability = { points: availabilityPoints(s, t.sliGood, t.sliTotal), max: availMax, evidence: t.sliSeqs.slice(), good: t.sliGood, total: t.sliTotal };
  return (t.cachedBreakdown = assemble(t, faults, availability));
}

function assemble(t: TeamState, faults: FaultScore[], availability: TeamBreakdown['availability']): TeamBreakdown {

  const hintItems = [...t.hints.values()];
  const hints = { ...part(0 - hintItems.reduce((a, h) => a + h.cost * 1000, 0), 0, hintItems.map((h) => h.seq)), items: hintItems };
  const adjustments = {
    ...part(t.adjustments.reduce((a, x) => a + x.points * 1000, 0), 0, t.adjustments.map((x) => x.seq)),
    items: t.adjustments.map((x) => ({ ...x })),
  };

  const sum = (k: 'recovery' | 'detection' | 'communication' | 'review') => faults.reduce((a, f) => a + f[k].points, 0);
  const categories = {
    recovery: sum('recovery'),
    detection: sum('detection'),
    communication: sum('communication'),
    review: sum('review'),
    availability: availability.points,
    hints: hints.points,
    adjustments: adjustments.points,
  };
  const grand = Object.values(categories).reduce((a, b) => a + b, 0);
  return { team: t.id, total: grand, categories, faults, availability, hints, adjustments };
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
