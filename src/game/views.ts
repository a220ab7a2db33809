import type { Scenario } from '../scenario/types.js';
import type { Team } from './teams.js';
import { currentFault, endsAt, wasInjected, type FaultRun, type GamePhase, type GameState } from '../lifecycle/index.js';

/** What people see of the game state: pure functions of the folds. */

export type { GamePhase } from '../lifecycle/index.js';

/** The game phase, as the lifecycle's phase fold has it (GameClock and Game both carry it). */
export function gamePhase(g: { phase: GamePhase }): GamePhase {
  return g.phase;
}

/** The game block every audience gets: phase, clock, and when the game ends by itself (game time). */
export interface GameBlockCore {
  phase: GamePhase;
  /** Game ms when this block was built; with `phase` and `speed`, clients extrapolate. */
  gameTime: number;
  speed: number;
  durationMs: number;
  /** Game time at which the game finishes by itself; null before the start. */
  endsAt: number | null;
}

export function gameBlock(clock: { phase: GamePhase; startedAt: number | null; speed: number; now(): number }, scenario: Pick<Scenario, 'game'> | undefined): GameBlockCore {
  const durationMs = scenario?.game.durationMs ?? 0;
  return { phase: clock.phase, gameTime: clock.now(), speed: clock.speed, durationMs, endsAt: scenario ? endsAt(clock, durationMs) : null };
}

function faultForOrganizers(f: FaultRun, scenario: Scenario) {
  const spec = scenario.faults[f.index];
  return {
    id: f.id,
    title: spec?.title,
    state: f.state,
    detection: f.detection,
    attempt: f.attempt,
    dueAt: f.dueAt,
    injectedAt: f.injectedAt,
    deadlineAt: f.deadlineAt,
    taken: f.taken,
    detected: f.detected,
    acknowledged: f.acknowledged,
    prematureResolves: f.premature.length,
    recoveredAt: f.recoveredAt,
    greenSince: f.greenSince,
    relapses: f.relapses,
    resolvedBy: f.resolvedBy,
    endedAt: f.endedAt,
    pendingRevert: f.pendingRevert,
    lastRevert: f.lastRevert,
    recoveredWhen: spec?.recoveredWhen ?? [],
  };
}

export function organizerState(
  state: GameState,
  scenario: Scenario,
  teams: Team[],
  live: Record<string, Record<string, { up: boolean; okStreak: number; failStreak: number }>>,
) {
  return teams.map((team) => {
    const t = state.teams[team.id];
    const cur = t ? currentFault(t) : undefined;
    return {
      id: team.id,
      name: team.name,
      members: team.members,
      current: cur ? cur.id : null,
      faults: t ? t.faults.map((f) => faultForOrganizers(f, scenario)) : [],
      probes: Object.fromEntries(
        scenario.probes.map((p) => {
          const logged = t?.probes[p.id];
          const l = live[team.id]?.[p.id];
          return [p.id, { up: logged ? logged.up : true, since: logged?.since ?? null, okStreak: l?.okStreak ?? null, failStreak: l?.failStreak ?? null }];
        }),
      ),
      incidents: t ? Object.values(t.incidents) : [],
    };
  });
}

/** The team's own view: never the organizer briefing, the team briefing only once injected. */
export function teamState(state: GameState, scenario: Scenario, team: Team) {
  const t = state.teams[team.id];
  const cur = t ? currentFault(t) : undefined;
  // The one spoiler rule: a fault exists for the team once its change landed (injectedAt set).
  const played = t ? t.faults.filter(wasInjected) : [];
  // Teams read a fault's symptom, never its title, until the faults are revealed (another team may still face it).
  const seen = (spec: Scenario['faults'][number] | undefined) => spec && (state.revealed ? spec.title : spec.symptom);
  const current =
    cur && wasInjected(cur)
      ? {
          id: cur.id,
          title: seen(scenario.faults[cur.index]),
          state: cur.state,
          detection: cur.detection,
          injectedAt: cur.injectedAt,
          deadlineAt: cur.deadlineAt,
          briefing: scenario.faults[cur.index]?.briefing.team ?? null,
        }
      : null;
  return {
    team: { id: team.id, name: team.name, members: team.members },
    fault: current,
    faults: played.map((f) => ({ id: f.id, title: seen(scenario.faults[f.index]), state: f.state, detection: f.detection, injectedAt: f.injectedAt, endedAt: f.endedAt })),
    hints: played.flatMap((f) =>
      (scenario.faults[f.index]?.hints ?? []).map((h) => {
        const taken = !!t?.hintsTaken.includes(`${f.id}/${h.id}`);
        return { fault: f.id, id: h.id, cost: h.cost, taken, ...(taken ? { text: h.text } : {}) };
      }),
    ),
    // The team's own monitoring: what its probes see now.
    probes: scenario.probes.map((p) => ({ id: p.id, kind: p.kind, up: t?.probes[p.id]?.up ?? true, since: t?.probes[p.id]?.since ?? null })),
  };
}
