import type { EventStore } from '../events/store.js';
import type { NewEventOf, StoredEvent } from '../events/types.js';
import type { PersonaLine, Scenario } from '../scenario/types.js';
import { personaKeyPrefix } from './fold.js';
import { dueReactions, dueReports, dueSignOffs, type ReactionReads } from './reactions.js';

/**
 * Scripted persona lines. A line is due at its fault moment (`fault.injected`, `fault.detected`,
 * `fault.acknowledged`, `fault.recovered`, `fault.resolved`) plus `after`; a `no_update` line is
 * due `after` the injection when the team has published no status update since. Posted lines
 * carry the idempotency key `persona:TEAM:FAULT:INDEX`, so a restart (or two ticks racing) never
 * posts one twice.
 */

export interface DueLine {
  key: string;
  team: string;
  fault: string;
  /** Index of the line in the fault's `personas` list. */
  index: number;
  /** Game ms at which it fell due. */
  dueAt: number;
  line: PersonaLine;
}

export const personaKey = (team: string, fault: string, index: number): string => `${personaKeyPrefix}${team}:${fault}:${index}`;

const MOMENT: Record<string, PersonaLine['on']> = {
  'fault.injected': 'injected',
  'fault.detected': 'detected',
  'fault.acknowledged': 'acknowledged',
  'fault.recovered': 'recovered',
  'fault.resolved': 'resolved',
};
const ENDS = new Set(['fault.resolved', 'fault.timed_out', 'fault.skipped', 'fault.reverted', 'fault.voided']);

interface FaultMoments {
  /** Game ms of each moment's latest event (a retried injection counts from the attempt that took). */
  at: Partial<Record<PersonaLine['on'], number>>;
  /** When the fault stopped being open, if it has. */
  endedAt?: number;
}

/**
 * Lines to post now for one team. `teamEvents` are that team's events in log order (any types;
 * only fault.*, status.published and posted persona lines matter); `gameNow` is game ms. Pure.
 */
export function dueLines(scenario: Scenario, teamEvents: readonly StoredEvent[], gameNow: number): DueLine[] {
  const team = teamEvents.find((e) => e.team)?.team;
  if (!team) return [];
  const moments = new Map<string, FaultMoments>();
  const posted = new Set<string>();
  const statusTimes: number[] = [];
  for (const e of teamEvents) {
    if (e.type === 'status.published') statusTimes.push(e.gameTime);
    else if (e.type === 'message.posted' && e.key?.startsWith(personaKeyPrefix)) posted.add(e.key);
    else if (e.type.startsWith('fault.') && 'fault' in e.data) {
      const fault = e.data.fault as string;
      let m = moments.get(fault);
      if (!m) moments.set(fault, (m = { at: {} }));
      const on = MOMENT[e.type];
      if (on) m.at[on] = e.gameTime;
      if (ENDS.has(e.type) && m.endedAt === undefined) m.endedAt = e.gameTime;
    }
  }

  const out: DueLine[] = [];
  for (const fault of scenario.faults) {
    const m = moments.get(fault.id);
    if (!m) continue;
    fault.personas.forEach((line, index) => {
      const key = personaKey(team, fault.id, index);
      if (posted.has(key)) return;
      const base = line.on === 'no_update' ? m.at.injected : m.at[line.on];
      if (base === undefined) return;
      const dueAt = base + line.afterMs;
      if (dueAt > gameNow) return;
      // Lines about an open fault are pointless once it is over ("any ETA?" after the fix).
      const aboutOpenFault = line.on !== 'recovered' && line.on !== 'resolved';
      if (aboutOpenFault && m.endedAt !== undefined && m.endedAt <= dueAt) return;
      if (line.on === 'no_update' && statusTimes.some((t) => t >= base && t <= dueAt)) return;
      out.push({ key, team, fault: fault.id, index, dueAt, line });
    });
  }
  return out.sort((a, b) => a.dueAt - b.dueAt || a.key.localeCompare(b.key));
}

/** The message.posted event for a due line. */
export function lineEvent(scenario: Scenario, due: DueLine): NewEventOf<'message.posted'> {
  const persona = scenario.personas.find((p) => p.id === due.line.persona);
  return {
    type: 'message.posted',
    team: due.team,
    source: 'persona',
    key: due.key,
    data: {
      channel: due.line.channel,
      author: { kind: 'persona', name: persona?.name.en ?? due.line.persona },
      persona: due.line.persona,
      text: due.line.text.en,
      textJa: due.line.text.ja,
      fault: due.fault,
      expectsAnswer: due.line.expectsAnswer,
      // The scoring fold and the follow-ups read a question's expectations from the log.
      ...(due.line.expectsAnswer ? { expects: [...due.line.expects], answerWithinMs: due.line.answerWithinMs } : {}),
    },
  };
}

export interface DirectorDeps {
  store: EventStore;
  scenario: Scenario;
  /** Game ms now. */
  gameNow: () => number;
  /** The team's persona inputs in log order (see CommsFold.personaInputs). */
  teamEvents: (team: string) => readonly StoredEvent[];
  teams: () => string[];
  /** False while the game is not running (not started, paused, finished): nothing falls due. */
  running: () => boolean;
  /** Threads and texts of the team's channels, for follow-ups and escalations (absent: no reactions). */
  reads?: (team: string) => ReactionReads;
}

/** Posts due persona lines; the game loop calls tick(). */
export class PersonaDirector {
  private ticking: Promise<number> | undefined;

  constructor(private readonly deps: DirectorDeps) {}

  /** Append every line due now; resolves to how many were posted. Overlapping calls share one run. */
  tick(): Promise<number> {
    return (this.ticking ??= this.run().finally(() => (this.ticking = undefined)));
  }

  private async run(): Promise<number> {
    if (!this.deps.running()) return 0;
    const now = this.deps.gameNow();
    const sc = this.deps.scenario;
    const events = this.deps.teams().flatMap((team) => dueLines(sc, this.deps.teamEvents(team), now).map((d) => lineEvent(sc, d)));
    const fresh = (rs: Array<{ duplicate: boolean }>) => rs.filter((r) => !r.duplicate).length;
    const lines = events.length ? fresh(await this.deps.store.appendMany(events)) : 0;
    // Reactions read the threads as they are after the lines above (a line posted now has no answer yet).
    const reactions = this.deps.teams().flatMap((team) => [
      ...(this.deps.reads ? dueReactions(sc, team, this.deps.teamEvents(team), this.deps.reads(team), now) : []),
      ...dueReports(sc, team, this.deps.teamEvents(team), now),
      ...dueSignOffs(sc, team, this.deps.teamEvents(team)),
    ]);
    return lines + (reactions.length ? fresh(await this.deps.store.appendMany(reactions)) : 0);
  }
}
