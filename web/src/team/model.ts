import type { ChannelMessage, Channels, Question } from '../../../src/contract/channels.js';
import type { Incident, TeamIncidents } from '../../../src/contract/incidents.js';
import type { Hint, TeamCurrentFault, TeamPlayedFault, TeamState } from '../../../src/contract/team.js';

/**
 * The war room reads the server's answers by the contract's types (src/contract/): a field renamed
 * on the server fails `npm run typecheck` here instead of showing an empty page.
 */
export type { Channels, Hint, Question, TeamCurrentFault, TeamIncidents, TeamPlayedFault, TeamState };

/** A channel line, and whether a later line of the list replies to it (a question without the server's thread view). */
export type Message = ChannelMessage & { answered?: boolean };

/** Mark questions answered when a later message replies to them. */
export function markAnswered(messages: readonly ChannelMessage[]): Message[] {
  const replied = new Set(messages.map((m) => m.replyTo).filter((r): r is number => r !== undefined));
  return messages.map((m) => (replied.has(m.seq) ? { ...m, answered: true } : m));
}

/** Who holds which role of an incident (member names; null = nobody). */
export type IncidentRoles = { commander: string | null; communications: string | null; ops: string | null };

/**
 * An incident as GET /api/team/incidents lists it. `roles` arrives with the incident roles route
 * (issue 15, another branch: src/contract/roles.ts IncidentRolesView, null before any are named):
 * once src/contract/incidents.ts names it, this intersection is redundant, and a different shape
 * there fails the typecheck here.
 */
export type TeamIncident = Incident & { roles?: IncidentRoles | null };

/** The faults a team can write a postmortem or read a hint about: the ones that happened to it. */
export const playedFaults = (s: TeamState): Array<TeamPlayedFault | TeamCurrentFault> => (s.faults.length ? s.faults : s.fault ? [s.fault] : []);
