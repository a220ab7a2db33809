import type { EventStore } from '../events/store.js';

export interface Warning {
  seq: number;
  at: number;
  gameTime: number;
  team: string | null;
  code: string;
  message: string;
  fault: string | null;
}

/** What organizers should look at: `warning.raised` and rejected webhooks, after a seq. */
export async function warningsAfter(store: EventStore, after: number): Promise<Warning[]> {
  const events = await store.read({ after, types: ['warning.raised', 'webhook.rejected'] });
  return events.map((e) =>
    e.type === 'warning.raised'
      ? { seq: e.seq, at: e.at, gameTime: e.gameTime, team: e.team, code: e.data.code, message: e.data.message, fault: e.data.fault ?? null }
      : { seq: e.seq, at: e.at, gameTime: e.gameTime, team: e.team, code: 'webhook_rejected', message: e.type === 'webhook.rejected' ? e.data.reason : '', fault: null },
  );
}
