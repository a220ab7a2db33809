import type { Fault, Probe, Scenario } from '../../src/scenario/types.js';
import type { StoredEvent, NewEvent } from '../../src/events/types.js';

const text = (en: string) => ({ en, ja: en });
const timing = { intervalMs: 1000, timeoutMs: 500, jitterMs: 100, successThreshold: 2, failureThreshold: 2, holdForMs: 0 };

export const probes: Probe[] = [
  { id: 'page', kind: 'http', path: '/', method: 'GET', headers: {}, expect: { status: [200] }, ...timing },
  { id: 'api', kind: 'http', path: '/api/health', method: 'GET', headers: {}, expect: { status: [[200, 299]] }, ...timing },
];

function fault(index: number, id: string, recoveredWhen: string[]): Fault {
  return {
    id,
    index,
    title: text(id),
    symptom: text(`symptom ${id}`),
    briefing: { team: text(`briefing ${id}`), organizer: text(`organizer ${id}`) },
    weight: 1,
    alerting: index === 1 ? 'silent' : 'pagerduty',
    alertAfterMs: 60_000,
    timing: { delayMinMs: 60_000, delayMaxMs: 120_000, deadlineMs: 30 * 60_000, targetRecoveryMs: 20 * 60_000, graceMs: 3 * 60_000, verifyWithinMs: 60_000 },
    inject: { local: { change: { author: 'dev', message: `break ${id}`, set: { [`x.${id}`]: 1 } } } },
    recoveredWhen,
    hints: [{ id: 'h1', text: text(`hint for ${id}`), cost: 50 }],
    personas: [],
  };
}

/** A small normalized scenario: two faults, two probes. */
export function testScenario(): Scenario {
  return {
    name: 'test',
    title: text('Test drill'),
    description: text('d'),
    service: { description: text('s') },
    // The sign-off has its own tests (test/game/signoff.test.ts); these resolve by incident as before.
    game: { durationMs: 90 * 60_000, maxInjectAttempts: 2, signOff: false, signOffPersona: null, autoResolveAlerts: false },
    probes,
    personas: [],
    faults: [fault(0, 'route', ['page']), fault(1, 'db', ['api'])],
    scoring: {} as Scenario['scoring'],
    hash: 'h',
    file: '/dev/null',
  };
}

/** Builds stored events by hand for the pure reducer: wall time `at` = game time (speed 1, started at 0). */
export class Log {
  seq = 0;
  readonly events: StoredEvent[] = [];
  add(e: NewEvent, gameTime: number, at = gameTime): StoredEvent {
    const s = { seq: ++this.seq, at, gameTime, team: e.team ?? null, type: e.type, source: e.source, key: e.key ?? null, data: e.data } as StoredEvent;
    this.events.push(s);
    return s;
  }
}
