/**
 * The incident state machine (PagerDuty's words), shared by every fold that tracks incidents:
 * the incident board's full fold (incidents/fold.ts) and the lifecycle's game-time view (reduce.ts).
 */
export type IncidentState = 'triggered' | 'acknowledged' | 'resolved';
export type IncidentVia = 'pagerduty' | 'board';
/** A state fact an incident event reports; `kind` is the incident event's suffix. */
export type IncidentFact = 'triggered' | 'acknowledged' | 'unacknowledged' | 'resolved' | 'reopened';

/**
 * The state after a fact, or null when the fact changes nothing (an acknowledgement of a resolved
 * incident, a reopen of an open one). Facts older than the newest change applied never move an
 * incident backwards: pass their wall times.
 */
export function nextIncidentState(cur: IncidentState, fact: IncidentFact, atWall = 0, lastChangeAtWall = 0): IncidentState | null {
  if (atWall < lastChangeAtWall) return null;
  switch (fact) {
    case 'triggered':
      return null;
    case 'acknowledged':
      return cur === 'triggered' ? 'acknowledged' : null;
    case 'unacknowledged':
      return cur === 'acknowledged' ? 'triggered' : null;
    case 'resolved':
      return cur !== 'resolved' ? 'resolved' : null;
    case 'reopened':
      return cur === 'resolved' ? 'triggered' : null;
  }
}

export const incidentFactOf = (type: string): IncidentFact | null => {
  const m = /^incident\.(triggered|acknowledged|unacknowledged|resolved|reopened)$/.exec(type);
  return m ? (m[1] as IncidentFact) : null;
};
