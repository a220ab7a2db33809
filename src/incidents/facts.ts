import type { IncidentFold } from './fold.js';
import { eventsForFact, type PdFact } from './pagerduty.js';
import type { IncidentsStore, PagerDutySettings } from './ports.js';
import { rolesFromNote } from './roles.js';
import type { NewEventOf } from '../events/types.js';

/** Records PagerDuty facts (from webhooks or the poll) as incident events, once each. */
export class FactRecorder {
  constructor(
    private readonly o: {
      incidents: IncidentFold;
      store: IncidentsStore;
      settings: PagerDutySettings | undefined;
      closed: () => boolean;
      /** The team's members: a note naming roles ("roles: IC=Aki, …") names them from these. */
      members?: (team: string) => ReadonlyArray<{ name: string }>;
    },
  ) {}

  teamOfService(serviceId: string): string | undefined {
    return this.o.settings?.teams.find((t) => t.serviceId === serviceId)?.id;
  }

  async record(team: string, fact: PdFact): Promise<void> {
    const events = eventsForFact(this.o.incidents, team, fact);
    if (events.length === 0 || this.o.closed()) return;
    // Issue 15: a note that names roles is also an incident.roles_set, in the same batch.
    const notes = events.filter((e): e is NewEventOf<'incident.annotated'> => e.type === 'incident.annotated');
    for (const n of notes) {
      const roles = rolesFromNote(this.o.incidents.get(team, n.data.incident), this.o.members?.(team) ?? [], n);
      if (roles) events.push(roles);
    }
    try {
      await this.o.store.appendMany(events);
    } catch (err) {
      // Someone stored the same fact first with other details: the first one stands.
      if ((err as { code?: string }).code !== 'idempotency_conflict') throw err;
    }
  }
}
