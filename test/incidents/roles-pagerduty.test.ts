import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PdjsClient } from '../../src/incidents/client.js';
import { FakePagerDuty, makeTestCa, signedDelivery, type TestCa, type WebhookEnvelope } from '../fakes/pagerduty.js';
import { incidentsApp } from './setup.js';

const SECRET = 'whsec-current-0123456789';
const ROUTING_RED = 'R'.repeat(32);
let ca: TestCa;
beforeAll(() => {
  ca = makeTestCa();
});
afterAll(() => ca.cleanup());
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Team red is PagerDuty service PRED; its members are Ada and Linus (test/incidents/setup.ts). */
async function setup() {
  const fake = await new FakePagerDuty(ca).start();
  fake.routing.set(ROUTING_RED, 'PRED');
  cleanups.push(() => fake.close());
  const client = new PdjsClient({ apiToken: fake.apiToken, apiUrl: fake.url, eventsUrl: fake.url, agent: ca.agent, pdjsRetryMs: 0, timeoutMs: 5_000 });
  const a = await incidentsApp(
    {
      pagerduty: { apiToken: fake.apiToken, from: 'organizer@example.com', webhookSecrets: [SECRET], pollSeconds: 30 },
      teams: [{ id: 'red', name: 'Red', pagerduty: { serviceId: 'PRED', routingKey: ROUTING_RED } }],
    },
    { pagerduty: client },
  );
  cleanups.push(() => a.close());
  await a.addTeam('red');
  await a.startGame();
  const deliver = async (env: WebhookEnvelope | object) => {
    const d = signedDelivery(env, SECRET);
    const r = await a.app.inject({ method: 'POST', url: '/hooks/pagerduty', headers: d.headers, payload: d.body });
    await a.incidents.idle();
    return r;
  };
  return { fake, a, deliver };
}

describe('roles named by a PagerDuty note (issue 15)', () => {
  it('"roles: IC=…, comms=…, ops=…" is kept as a note and appended as incident.roles_set, once', async () => {
    const { fake, a, deliver } = await setup();
    const { incident, webhook } = fake.createIncident({ service: 'PRED', title: 'x', by: 'Ada' });
    await deliver(webhook);
    const note = fake.annotate(incident.id, 'Linus', 'roles: IC=ada, comms=Linus, ops=Ada');
    expect((await deliver(note)).statusCode).toBe(202);
    // The same delivery again (PagerDuty retries): nothing new.
    await deliver(note);
    const set = await a.events('incident.roles_set');
    expect(set).toHaveLength(1);
    expect(set[0]).toMatchObject({ team: 'red', data: { incident: incident.id, via: 'pagerduty', commander: 'Ada', communications: 'Linus', ops: 'Ada', by: { kind: 'team', name: 'Linus' } } });
    expect(a.incidents.list('red')[0]).toMatchObject({ notes: [{ text: 'roles: IC=ada, comms=Linus, ops=Ada' }], roles: { commander: 'Ada', communications: 'Linus', ops: 'Ada' } });

    // In Japanese, changing one role keeps the others.
    await deliver(fake.annotate(incident.id, 'Ada', '役割: 広報=Ada'));
    expect(a.incidents.list('red')[0]!.roles).toMatchObject({ commander: 'Ada', communications: 'Ada', ops: 'Ada' });
  });

  it('a note naming a stranger, or not about roles, stays only a note', async () => {
    const { fake, a, deliver } = await setup();
    const { incident, webhook } = fake.createIncident({ service: 'PRED', title: 'x', by: 'Ada' });
    await deliver(webhook);
    await deliver(fake.annotate(incident.id, 'Ada', 'roles: IC=Mallory'));
    await deliver(fake.annotate(incident.id, 'Ada', 'rolled back; roles: IC=Ada'));
    expect(await a.events('incident.roles_set')).toEqual([]);
    expect(a.incidents.list('red')[0]!.notes).toHaveLength(2);
  });
});
