import { validateEvent, type StoredEvent } from '../../src/events/types.js';
import type { Fault, Range, Scenario, ScoringRules } from '../../src/scenario/types.js';

/**
 * Builds scenarios and event logs for scoring tests from readable, compact input: durations as
 * "12m30s", events with defaults filled in (and checked against the real event schemas).
 */

export function ms(v: string | number): number {
  if (typeof v === 'number') return v;
  const re = /(\d+(?:\.\d+)?)(ms|h|m|s)/gy;
  let total = 0;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
    end = re.lastIndex;
  }
  if (!v || end !== v.length) throw new Error(`not a duration: '${v}'`);
  return Math.round(total);
}

const range = (r: { fullWithin: string; zeroAt: string }): Range => ({ fullWithinMs: ms(r.fullWithin), zeroAtMs: ms(r.zeroAt) });
const text = (s: string) => ({ en: s, ja: s });

export interface FaultInput {
  id: string;
  title?: string;
  weight?: number;
  alerting?: 'pagerduty' | 'silent';
  deadline?: string;
  targetRecovery?: string;
  hints?: Array<{ id: string; cost: number }>;
}

/** Scoring in the scenario file's own shape (durations as text); omitted parts take design.md's defaults. */
export interface ScoringInput {
  pointsPerFault?: number;
  categories?: ScoringRules['categories'];
  recovery?: { floor: number };
  detection?: { alerting: { fullWithin: string; zeroAt: string }; silent: { fullWithin: string; zeroAt: string }; prematureResolvePenalty: number };
  communication?: {
    automaticShare: number;
    firstUpdate: { fullWithin: string; zeroAt: string };
    ctoAnswer: { fullWithin: string; zeroAt: string };
    cadenceTolerance: string;
    requiredFields: ScoringRules['communication']['requiredFields'];
    rubric: string[];
    weights?: Partial<ScoringRules['communication']['weights']>;
  };
  review?: { rubric: string[] };
  availability?: { points: number; userWeight?: number; slowMs?: number };
  /** Incident roles (absent: not scored, as before issue 15's roles). */
  roles?: { within?: string; rotation?: boolean; weight?: number; weights?: Partial<{ named: number; commsLead: number; rotation: number }> };
}

/**
 * `game.signOff` is off unless the fixture asks for it: the fixtures written before the business
 * sign-off (issue 15) pin the formula without that measure.
 */
export function buildScenario(input: { faults: FaultInput[]; scoring?: ScoringInput; game?: { signOff?: boolean } }): Scenario {
  const sc = input.scoring ?? {};
  const comm = sc.communication ?? {
    automaticShare: 0.55,
    firstUpdate: { fullWithin: '5m', zeroAt: '15m' },
    ctoAnswer: { fullWithin: '2m', zeroAt: '8m' },
    cadenceTolerance: '2m',
    requiredFields: ['impact', 'currentAction', 'nextUpdateAt'] as const,
    rubric: ['accuracy', 'audience', 'cto', 'roles', 'proactive'],
  };
  const det = sc.detection ?? { alerting: { fullWithin: '2m', zeroAt: '10m' }, silent: { fullWithin: '3m', zeroAt: '15m' }, prematureResolvePenalty: 0.5 };
  const scoring: ScoringRules = {
    pointsPerFault: sc.pointsPerFault ?? 1000,
    categories: sc.categories ?? { recovery: 35, detection: 15, communication: 30, review: 20 },
    recovery: sc.recovery ?? { floor: 0.3 },
    detection: { alerting: range(det.alerting), silent: range(det.silent), prematureResolvePenalty: det.prematureResolvePenalty },
    communication: {
      automaticShare: comm.automaticShare,
      firstUpdate: range(comm.firstUpdate),
      ctoAnswer: range(comm.ctoAnswer),
      cadenceToleranceMs: ms(comm.cadenceTolerance),
      requiredFields: [...comm.requiredFields],
      rubric: comm.rubric.map((id) => ({ id, title: text(id) })),
      weights: { firstUpdate: 1, cadence: 1, ctoAnswer: 1, requiredFields: 1, resolutionNotice: 1, signOff: 1, ...comm.weights },
    },
    review: { rubric: (sc.review?.rubric ?? ['timeline', 'impact', 'root_cause', 'reflection', 'action_items']).map((id) => ({ id, title: text(id) })) },
    availability: { points: sc.availability?.points ?? 500, userWeight: sc.availability?.userWeight ?? 0.5, slowMs: sc.availability?.slowMs ?? 2000 },
    ...(sc.roles
      ? { roles: { withinMs: ms(sc.roles.within ?? '5m'), rotation: sc.roles.rotation ?? false, weight: sc.roles.weight ?? 1, weights: { named: 1, commsLead: 1, rotation: 1, ...sc.roles.weights } } }
      : {}),
  };
  const faults: Fault[] = input.faults.map((f, index) => ({
    id: f.id,
    index,
    title: text(f.title ?? f.id),
    symptom: text(`symptom ${f.id}`),
    briefing: { organizer: text('briefing') },
    weight: f.weight ?? 1,
    alerting: f.alerting ?? 'pagerduty',
    alertAfterMs: 60_000,
    timing: {
      delayMinMs: 0,
      delayMaxMs: 0,
      deadlineMs: ms(f.deadline ?? '45m'),
      targetRecoveryMs: ms(f.targetRecovery ?? '20m'),
      graceMs: 300_000,
      verifyWithinMs: 60_000,
    },
    inject: {},
    recoveredWhen: ['api'],
    hints: (f.hints ?? []).map((h) => ({ id: h.id, text: text(h.id), cost: h.cost })),
    personas: [],
  }));
  return {
    name: 'golden',
    title: text('golden'),
    description: text('golden'),
    service: { description: text('svc') },
    game: { durationMs: 5_400_000, maxInjectAttempts: 3, signOff: input.game?.signOff ?? false, signOffPersona: null, autoResolveAlerts: false },
    probes: [],
    personas: [],
    faults,
    scoring,
    hash: 'test',
    file: '/dev/null',
  };
}

/** A fixture event: game time as "12m30s", data with defaults filled per type. */
export interface EventInput {
  at: string | number;
  type: string;
  team?: string;
  data?: Record<string, unknown>;
}

const MS_FIELDS = ['at', 'deadlineAt', 'greenSince', 'nextUpdateAt', 'dueAt'];
const organizer = { kind: 'organizer', name: 'game master' };

function defaults(type: string, team: string | undefined, gameTime: number, d: Record<string, unknown>): Record<string, unknown> {
  const teamActor = { kind: 'team', name: team ?? 'team' };
  switch (type) {
    case 'game.started':
    case 'game.paused':
    case 'game.resumed':
    case 'game.finished':
    case 'game.board_frozen':
    case 'game.board_unfrozen':
      return { by: organizer, ...d };
    case 'fault.injecting':
      return { attempt: 1, handle: null, ...d };
    case 'fault.injected':
      return { attempt: 1, ...d };
    case 'fault.detected':
      return { incident: 'inc-1', via: 'board', at: gameTime, ...d };
    case 'fault.acknowledged':
    case 'fault.premature_resolve':
      return { incident: 'inc-1', at: gameTime, ...d };
    case 'fault.resolved':
      return { by: 'incident', ...d };
    case 'fault.skipped':
    case 'fault.reverted':
      return { by: organizer, reason: 'organizer decision', ...d };
    case 'fault.voided':
      return { reason: 'injection did not take', ...d };
    case 'status.published':
      return { text: 'status update', resolved: false, by: teamActor, ...d };
    case 'message.posted': {
      const { persona, ...rest } = d as { persona?: string };
      const author = persona ? { kind: 'persona', name: persona } : teamActor;
      return { channel: 'stakeholders', text: persona ? 'What is going on?' : 'We are on it.', author, ...(persona ? { persona } : {}), ...rest };
    }
    case 'incident.roles_set': {
      // `by`: the member who named them, as a plain name (default: the team).
      const { by, ...rest } = d as { by?: string };
      return { incident: 'inc-1', via: 'board', commander: null, communications: null, ops: null, by: by ? { kind: 'team', name: by } : teamActor, occurredAtWall: 0, ...rest };
    }
    case 'postmortem.submitted':
      return { text: 'what happened', by: teamActor, ...d };
    case 'score.adjusted':
      return { by: organizer, ...d };
    default:
      return d;
  }
}

/** Turn fixture events into stored events (seq from 1), each checked against the event schemas. */
export function buildEvents(teams: string[], input: EventInput[], members: Record<string, string[]> = {}): StoredEvent[] {
  const out: StoredEvent[] = [];
  let seq = 0;
  const push = (type: string, team: string | null, gameTime: number, data: Record<string, unknown>) => {
    const problems = validateEvent({ type, data });
    if (problems.length) throw new Error(`fixture event #${seq + 1} (${type}) is invalid: ${problems.join('; ')}`);
    seq++;
    out.push({ seq, at: 1_800_000_000_000 + gameTime, gameTime, team, type, source: 'fixture', key: null, data } as StoredEvent);
  };
  for (const id of teams) push('team.created', null, 0, { id, name: id[0]!.toUpperCase() + id.slice(1), members: (members[id] ?? []).map((name) => ({ name })), tokenHash: 'x', portBase: null, seed: 1, by: organizer });
  for (const e of input) {
    const gameTime = ms(e.at);
    const data: Record<string, unknown> = { ...(e.data ?? {}) };
    for (const k of MS_FIELDS) if (typeof data[k] === 'string') data[k] = ms(data[k] as string);
    push(e.type, e.team ?? null, gameTime, defaults(e.type, e.team, gameTime, data));
  }
  return out;
}
