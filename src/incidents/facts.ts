import type { IncidentFold } from './fold.js';
import { eventsForFact, type PdFact } from './pagerduty.js';
import type { IncidentsStore, PagerDutySettings } from './ports.js';

/** Records PagerDuty facts (from webhooks or the poll) as incident events, once each. */
export class FactRecorder {
  constructor(
    private readonly o: {
      incidents: IncidentFold;
      store: IncidentsStore;
      settings: PagerDutySettings | undefined;
      closed: () => boolean;
    },
  ) {}

  teamOfService(serviceId: string): string | undefined {
    return this.o.settings?.teams.find((t) => t.serviceId === serviceId)?.id;
  }

  async record(team: string, fact: PdFact): Promise<void> {
    const events = eventsForFact(this.o.incidents, team, fact);
    if (events.length === 0 || this.o.closed()) return;
    try {
      await this.o.store.appendMany(events);
    } catch (err) {
      // Someone stored the same fact first with other details: the first one stands.
      if ((err as { code?: string }).code !== 'idempotency_conflict') throw err;
    }
  }
}
