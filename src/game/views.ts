import type { Scenario } from '../scenario/types.js';
import type { Team } from './teams.js';
import { currentFault, phaseOf, type FaultRun, type GameState } from './sequencer.js';

/** What people see of the game state: pure functions of the folds. */

export type GamePhase = 'lobby' | 'running' | 'paused' | 'finished';

export function gamePhase(g: { started: boolean; running: boolean; finished: boolean }): GamePhase {
  if (g.finished) return 'finished';
  if (!g.started) return 'lobby';
  return g.running ? 'running' : 'paused';
}

function faultForOrganizers(f: FaultRun, scenario: Scenario) {
  const spec = scenario.faults[f.index];
  return {
    id: f.id,
    title: spec?.title,
    status: f.status,
    phase: phaseOf(f),
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
  const shown = (f: FaultRun) => f.injectedAt !== null || f.status === 'injected' || f.status === 'recovered';
  const played = t ? t.faults.filter((f) => f.injectedAt !== null) : [];
  const current =
    cur && shown(cur)
      ? {
          id: cur.id,
          title: scenario.faults[cur.index]?.title,
          phase: phaseOf(cur),
          injectedAt: cur.injectedAt,
          deadlineAt: cur.deadlineAt,
          briefing: scenario.faults[cur.index]?.briefing.team ?? null,
        }
      : null;
  return {
    team: { id: team.id, name: team.name, members: team.members },
    fault: current,
    faults: played.map((f) => ({ id: f.id, title: scenario.faults[f.index]?.title, status: f.status, phase: phaseOf(f), injectedAt: f.injectedAt, endedAt: f.endedAt })),
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
