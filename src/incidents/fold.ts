import type { StoredEvent } from '../events/types.js';
import { nextIncidentState, type IncidentFact, type IncidentState, type IncidentVia } from '../lifecycle/incident.js';

/** The incident state (PagerDuty's words); the transitions are the lifecycle's (src/lifecycle/incident.ts). */
export type IncidentStatus = IncidentState;
export type { IncidentVia } from '../lifecycle/incident.js';

/** A state change the incident went through; `kind` is the incident event's suffix. */
export type StateKind = IncidentFact;

export interface Incident {
  id: string;
  team: string;
  via: IncidentVia;
  title: string;
  severity?: string;
  /** How it was opened: `alert` (by an alert), `web_trigger` (by hand), or PagerDuty's channel type. */
  channel?: string;
  agent?: string;
  status: IncidentStatus;
  openedAtWall: number;
  openedGameTime: number;
  openedSeq: number;
  acknowledgedAtWall?: number;
  acknowledgedBy?: string;
  resolvedAtWall?: number;
  resolvedBy?: string;
  /** Wall time of the newest status change applied: older facts never move the incident backwards. */
  lastChangeAtWall: number;
  /** How many of each state fact the log holds for this incident (the n in its idempotency keys). */
  counts: Record<StateKind, number>;
  notes: Array<{ text: string; agent?: string; atWall: number; seq: number }>;
  statusUpdates: Array<{ message: string; atWall: number; seq: number }>;
  /** Who holds which role now (the newest incident.roles_set); null until roles are named. */
  roles: IncidentRoles | null;
}

/** The three roles of an incident (issue 15): member names, null = nobody. */
export interface IncidentRoles {
  commander: string | null;
  communications: string | null;
  ops: string | null;
  setBy: string;
  setAtWall: number;
  seq: number;
}

const zeroCounts = (): Record<StateKind, number> => ({ triggered: 0, acknowledged: 0, unacknowledged: 0, resolved: 0, reopened: 0 });

/**
 * Every team's incidents, folded from incident.* events (PagerDuty's and the board's alike).
 * Pure: no I/O, no clock; apply events in log order.
 */
export class IncidentFold {
  private readonly byTeam = new Map<string, Map<string, Incident>>();
  /** PagerDuty incident ids are global: which team owns one (notes arrive without a service). */
  private readonly teamOf = new Map<string, string>();

  apply(e: StoredEvent): void {
    if ((!e.type.startsWith('incident.') && e.type !== 'status.published') || !e.team) return;
    const team = e.team;
    if (e.type === 'incident.triggered') {
      const d = e.data;
      const teamMap = this.teamMap(team);
      const existing = teamMap.get(d.incident);
      if (existing) {
        existing.counts.triggered++;
        return;
      }
      teamMap.set(d.incident, {
        id: d.incident,
        team,
        via: d.via,
        title: d.title,
        ...(d.severity !== undefined ? { severity: d.severity } : {}),
        ...(d.channel !== undefined ? { channel: d.channel } : {}),
        ...(d.agent !== undefined ? { agent: d.agent } : {}),
        status: 'triggered',
        openedAtWall: d.occurredAtWall,
        openedGameTime: e.gameTime,
        openedSeq: e.seq,
        lastChangeAtWall: d.occurredAtWall,
        counts: { ...zeroCounts(), triggered: 1 },
        notes: [],
        statusUpdates: [],
        roles: null,
      });
      this.teamOf.set(d.incident, team);
      return;
    }
    const id = (e.data as { incident?: unknown }).incident;
    const inc = typeof id === 'string' ? this.get(team, id) : undefined;
    if (!inc) return;
    switch (e.type) {
      case 'incident.acknowledged':
        inc.counts.acknowledged++;
        // A late acknowledgement still records when it happened, but never reopens a resolved incident.
        if (inc.acknowledgedAtWall === undefined || inc.status !== 'resolved') {
          inc.acknowledgedAtWall = e.data.occurredAtWall;
          if (e.data.agent !== undefined) inc.acknowledgedBy = e.data.agent;
        }
        this.move(inc, 'acknowledged', e.data.occurredAtWall);
        break;
      case 'incident.unacknowledged':
        inc.counts.unacknowledged++;
        this.move(inc, 'unacknowledged', e.data.occurredAtWall);
        break;
      case 'incident.resolved':
        inc.counts.resolved++;
        if (this.move(inc, 'resolved', e.data.occurredAtWall)) {
          inc.resolvedAtWall = e.data.occurredAtWall;
          if (e.data.agent !== undefined) inc.resolvedBy = e.data.agent;
        }
        break;
      case 'incident.reopened':
        inc.counts.reopened++;
        if (this.move(inc, 'reopened', e.data.occurredAtWall)) {
          delete inc.resolvedAtWall;
          delete inc.resolvedBy;
        }
        break;
      case 'incident.annotated':
        inc.notes.push({ text: e.data.note, ...(e.data.agent !== undefined ? { agent: e.data.agent } : {}), atWall: e.data.occurredAtWall, seq: e.seq });
        break;
      case 'incident.severity_set':
        inc.severity = e.data.severity;
        break;
      case 'incident.status_update_published':
        inc.statusUpdates.push({ message: e.data.message, atWall: e.data.occurredAtWall, seq: e.seq });
        break;
      case 'status.published':
        // The board's status updates (linked to their incident).
        inc.statusUpdates.push({ message: e.data.text, atWall: e.at, seq: e.seq });
        break;
      case 'incident.roles_set': {
        const d = e.data;
        inc.roles = { commander: d.commander, communications: d.communications, ops: d.ops, setBy: d.by.name, setAtWall: d.occurredAtWall, seq: e.seq };
        break;
      }
      default:
    }
  }

  /** Apply a state fact through the one incident state machine; false when it changes nothing. */
  private move(inc: Incident, fact: IncidentFact, atWall: number): boolean {
    const to = nextIncidentState(inc.status, fact, atWall, inc.lastChangeAtWall);
    if (!to) return false;
    inc.status = to;
    inc.lastChangeAtWall = atWall;
    return true;
  }

  private teamMap(team: string): Map<string, Incident> {
    let m = this.byTeam.get(team);
    if (!m) this.byTeam.set(team, (m = new Map()));
    return m;
  }

  get(team: string, id: string): Incident | undefined {
    return this.byTeam.get(team)?.get(id);
  }

  /** The team that owns a (PagerDuty) incident id. */
  teamOfIncident(id: string): string | undefined {
    return this.teamOf.get(id);
  }

  list(team: string): Incident[] {
    return [...(this.byTeam.get(team)?.values() ?? [])].sort((a, b) => a.openedSeq - b.openedSeq);
  }

  all(): Incident[] {
    return [...this.byTeam.values()].flatMap((m) => [...m.values()]).sort((a, b) => a.openedSeq - b.openedSeq);
  }

  count(team: string): number {
    return this.byTeam.get(team)?.size ?? 0;
  }
}
