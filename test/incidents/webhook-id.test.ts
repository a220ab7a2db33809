import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PdjsClient } from '../../src/incidents/client.js';
import { FakePagerDuty, makeTestCa, signedDelivery, type TestCa, type WebhookEnvelope } from '../fakes/pagerduty.js';
import { incidentsApp } from './setup.js';

// PagerDuty repeats X-Webhook-Id on every retry of one delivery; the intake must store a delivery
// once by that header alone, not only by the event id in the body (the existing test retries the
// very same body, so the header-based de-duplication could be removed without any test noticing).

const SECRET = 'whsec-current-0123456789';
const ROUTING_RED = 'R'.repeat(32);

let ca: TestCa;
beforeAll(() => {
  ca = makeTestCa();
});
afterAll(() => ca.cleanup());

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function start(fake: FakePagerDuty, dataDir: string) {
  const client = new PdjsClient({ apiToken: fake.apiToken, apiUrl: fake.url, eventsUrl: fake.url, agent: ca.agent, pdjsRetryMs: 0, timeoutMs: 5_000 });
  const a = await incidentsApp(
    {
      pagerduty: { apiToken: fake.apiToken, from: 'organizer@example.com', webhookSecrets: [SECRET], pollSeconds: 3600 },
      teams: [{ id: 'red', name: 'Red', pagerduty: { serviceId: 'PRED', routingKey: ROUTING_RED } }],
    },
    { pagerduty: client, dataDir },
  );
  return a;
}

type App = Awaited<ReturnType<typeof start>>;
async function deliver(a: App, env: WebhookEnvelope, webhookId: string) {
  const d = signedDelivery(env, SECRET, webhookId);
  const r = await a.app.inject({ method: 'POST', url: '/hooks/pagerduty', headers: d.headers, payload: d.body });
  await a.incidents.idle();
  return r;
}

describe('POST /hooks/pagerduty de-duplicates on X-Webhook-Id', () => {
  it('a retry with the same X-Webhook-Id is stored once even when its event id differs, also after a restart', async () => {
    const fake = await new FakePagerDuty(ca).start();
    fake.routing.set(ROUTING_RED, 'PRED');
    cleanups.push(() => fake.close());
    const dir = mkdtempSync(join(tmpdir(), 'fd-webhook-id-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));

    const a = await start(fake, dir);
    let open: App | undefined = a;
    cleanups.push(async () => open?.close());
    await a.addTeam('red');
    await a.startGame();

    const first = fake.createIncident({ service: 'PRED', title: 'Chat returns 502', by: 'Ada' });
    const second = fake.createIncident({ service: 'PRED', title: 'Login is slow', by: 'Ada' });
    expect(second.webhook.event.id).not.toBe(first.webhook.event.id);

    const r1 = await deliver(a, first.webhook, 'delivery-1');
    expect(r1.statusCode).toBe(202);
    expect(r1.json()).toEqual({ ok: true, duplicate: false });
    const retry = await deliver(a, second.webhook, 'delivery-1');
    expect(retry.statusCode).toBe(202);
    expect(retry.json()).toEqual({ ok: true, duplicate: true });

    const received = await a.events('webhook.received');
    expect(received.map((e) => [e.data.deliveryId, e.data.eventId])).toEqual([['delivery-1', first.webhook.event.id]]);
    expect((await a.events('incident.triggered')).map((e) => e.data.incident)).toEqual([first.incident.id]);

    // A restart rebuilds what was seen from the log: the retry is still a duplicate.
    await a.close();
    open = undefined;
    const b = await start(fake, dir);
    open = b;
    const late = await deliver(b, second.webhook, 'delivery-1');
    expect(late.json()).toEqual({ ok: true, duplicate: true });
    expect(await b.events('webhook.received')).toHaveLength(1);

    // A different delivery id with a new event is a new delivery (so the check above is not "refuse everything").
    const other = await deliver(b, second.webhook, 'delivery-2');
    expect(other.json()).toEqual({ ok: true, duplicate: false });
    expect((await b.events('incident.triggered')).map((e) => e.data.incident)).toEqual([first.incident.id, second.incident.id]);
  });
});
