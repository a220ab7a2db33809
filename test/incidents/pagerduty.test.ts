import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PdjsClient } from '../../src/incidents/client.js';
import { FakePagerDuty, makeTestCa, signedDelivery, type TestCa, type WebhookEnvelope } from '../fakes/pagerduty.js';
import { incidentsApp } from './setup.js';
import { score } from '../../src/scoring/index.js';
import { buildScenario } from '../scoring/fixture.js';

const SECRET = 'whsec-current-0123456789';
const OLD_SECRET = 'whsec-previous-0123456789';
const ROUTING_RED = 'R'.repeat(32);

let ca: TestCa;
beforeAll(() => {
  ca = makeTestCa();
});
afterAll(() => ca.cleanup());

type App = Awaited<ReturnType<typeof incidentsApp>>;
const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** A firedrill runtime wired to a fake PagerDuty over TLS; team red is service PRED, blue is PBLUE. */
async function setup(opts: { secrets?: string[]; pageLimit?: number } = {}) {
  const fake = await new FakePagerDuty(ca).start();
  fake.routing.set(ROUTING_RED, 'PRED');
  cleanups.push(() => fake.close());
  const client = new PdjsClient({ apiToken: fake.apiToken, apiUrl: fake.url, eventsUrl: fake.url, agent: ca.agent, pdjsRetryMs: 0, timeoutMs: 5_000, ...(opts.pageLimit ? { pageLimit: opts.pageLimit } : {}) });
  const a = await incidentsApp(
    {
      pagerduty: { apiToken: fake.apiToken, from: 'organizer@example.com', webhookSecrets: opts.secrets ?? [SECRET], pollSeconds: 30 },
      teams: [
        { id: 'red', name: 'Red', pagerduty: { serviceId: 'PRED', routingKey: ROUTING_RED } },
        { id: 'blue', name: 'Blue', pagerduty: { serviceId: 'PBLUE', routingKey: 'B'.repeat(32) } },
      ],
    },
    { pagerduty: client },
  );
  cleanups.push(() => a.close());
  await a.addTeam('red');
  await a.addTeam('blue');
  await a.startGame();
  return { fake, client, a };
}

async function deliver(a: App, env: WebhookEnvelope | object, opts: { secret?: string | string[]; webhookId?: string } = {}) {
  const d = signedDelivery(env, opts.secret ?? SECRET, opts.webhookId);
  const r = await a.app.inject({ method: 'POST', url: '/hooks/pagerduty', headers: d.headers, payload: d.body });
  await a.incidents.idle();
  return r;
}

const incidentEvents = async (a: App) => (await a.events()).filter((e) => e.type.startsWith('incident.'));

describe('PagerDuty webhooks v3', () => {
  it('a signed delivery moves the team’s incident to acknowledged, with agent and channel', async () => {
    const { fake, a } = await setup();
    const { incident, webhook } = fake.createIncident({ service: 'PRED', title: 'Chat returns 502', by: 'Ada Lovelace' });
    expect((await deliver(a, webhook)).statusCode).toBe(202);
    fake.now += 45_000;
    expect((await deliver(a, fake.acknowledge(incident.id, 'Linus'))).statusCode).toBe(202);

    const [red] = a.incidents.list('red');
    expect(red).toMatchObject({ id: incident.id, via: 'pagerduty', status: 'acknowledged', title: 'Chat returns 502', channel: 'web_trigger', agent: 'Ada Lovelace', acknowledgedBy: 'Linus' });
    expect(red!.acknowledgedAtWall! - red!.openedAtWall).toBe(45_000);
    expect(a.incidents.list('blue')).toEqual([]);
    const evs = await incidentEvents(a);
    expect(evs.map((e) => [e.type, e.team, e.key])).toEqual([
      ['incident.triggered', 'red', `pd:${incident.id}:triggered:0`],
      ['incident.acknowledged', 'red', `pd:${incident.id}:acknowledged:0`],
    ]);
    // Raw deliveries are kept (keyed by PagerDuty's event id), and hold no secret.
    const raw = await a.events('webhook.received');
    expect(raw).toHaveLength(2);
    expect(JSON.stringify(await a.events())).not.toContain(SECRET);
  });

  it('reads the trigger channel from the REST log when the body does not name it', async () => {
    const { fake, a } = await setup();
    const { webhook } = fake.createIncident({ service: 'PRED', title: 'alert', by: 'integration' });
    await deliver(a, webhook);
    expect(a.incidents.list('red')[0]).toMatchObject({ channel: 'api', agent: 'Events API v2' });
    expect(fake.restRequests.some((r) => r.includes('/log_entries'))).toBe(true);
  });

  it('stores the same delivery once, whether retried with the same X-Webhook-Id or sent again', async () => {
    const { fake, a } = await setup();
    const { webhook } = fake.createIncident({ service: 'PRED', title: 'x', by: 'Ada' });
    const first = await deliver(a, webhook, { webhookId: 'delivery-1' });
    const retry = await deliver(a, webhook, { webhookId: 'delivery-1' });
    const again = await deliver(a, webhook, { webhookId: 'delivery-2' });
    expect([first.statusCode, retry.statusCode, again.statusCode]).toEqual([202, 202, 202]);
    expect(retry.json()).toEqual({ ok: true, duplicate: true });
    expect(again.json()).toEqual({ ok: true, duplicate: true });
    expect(await a.events('webhook.received')).toHaveLength(1);
    expect(await a.events('incident.triggered')).toHaveLength(1);
  });

  it('rejects a wrong or missing signature with 401 and warns the organizers; accepts either secret during rotation', async () => {
    const { fake, a } = await setup({ secrets: [SECRET, OLD_SECRET] });
    const { incident, webhook } = fake.createIncident({ service: 'PRED', title: 'x', by: 'Ada' });
    const wrong = await deliver(a, webhook, { secret: 'not-the-secret' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.json().error.code).toBe('unauthorized');
    const d = signedDelivery(webhook, SECRET);
    const missing = await a.app.inject({ method: 'POST', url: '/hooks/pagerduty', headers: { 'content-type': 'application/json' }, payload: d.body });
    expect(missing.statusCode).toBe(401);
    // A body changed after signing fails too.
    const tampered = await a.app.inject({ method: 'POST', url: '/hooks/pagerduty', headers: d.headers, payload: d.body.replace('"x"', '"y"') });
    expect(tampered.statusCode).toBe(401);
    expect(await a.events('incident.triggered')).toHaveLength(0);
    const rejected = await a.events('webhook.rejected');
    expect(rejected).toHaveLength(3);
    expect(rejected[0]!.data.reason).toMatch(/matches no configured secret/);
    // (The real game runs alongside in these tests: only this part's warnings are counted.)
    const warnings = (await a.events('warning.raised')).filter((w) => w.source === 'pagerduty');
    expect(warnings.map((w) => w.data.code)).toEqual(['webhook_rejected', 'webhook_rejected', 'webhook_rejected']);
    const admin = await a.app.inject({ url: '/api/admin/events?type=warning.raised', headers: a.admin });
    expect(admin.json().events.filter((e: { data: { code: string } }) => e.data.code === 'webhook_rejected')).toHaveLength(3);

    // Signed with the previous secret only, or with both (PagerDuty sends one v1= per secret): accepted.
    expect((await deliver(a, webhook, { secret: OLD_SECRET })).statusCode).toBe(202);
    expect((await deliver(a, fake.acknowledge(incident.id, 'Ada'), { secret: [OLD_SECRET, SECRET] })).statusCode).toBe(202);
    expect(a.incidents.list('red')[0]!.status).toBe('acknowledged');
  });

  it('answers every rejected delivery but records only the first six a minute, so a flood cannot flood the log', async () => {
    const { fake, a } = await setup();
    const { webhook } = fake.createIncident({ service: 'PRED', title: 'x', by: 'Ada' });
    const answers: number[] = [];
    for (let i = 0; i < 9; i++) answers.push((await deliver(a, webhook, { secret: `wrong-${i}` })).statusCode);
    expect(answers).toEqual(Array(9).fill(401));
    expect(await a.events('webhook.rejected')).toHaveLength(6);
    const warnings = (await a.events('warning.raised')).filter((w) => w.source === 'pagerduty' && w.data.code === 'webhook_rejected');
    expect(warnings).toHaveLength(6);
    // A genuine delivery still gets through.
    expect((await deliver(a, webhook)).statusCode).toBe(202);
  });

  it('accepts unknown event types and pagey.ping with 2xx and records nothing from them', async () => {
    const { a } = await setup();
    const ping = { event: { id: 'ping-1', event_type: 'pagey.ping', resource_type: 'pagey', occurred_at: '2027-01-15T10:00:00Z', agent: null, client: null, data: { message: 'Hello from your friend Pagey!', type: 'ping' } } };
    const future = {
      event: { id: 'fut-1', event_type: 'incident.workflow.completed', resource_type: 'incident', occurred_at: '2027-01-15T10:00:00Z', agent: null, client: null, data: { id: 'Q1', type: 'incident', status: 'resolved', service: { id: 'PRED' } } },
    };
    const service = { event: { id: 'svc-1', event_type: 'service.updated', resource_type: 'service', occurred_at: '2027-01-15T10:00:00Z', agent: null, client: null, data: { id: 'PRED', type: 'service' } } };
    for (const env of [ping, future, service]) expect((await deliver(a, env)).statusCode).toBe(202);
    expect(await incidentEvents(a)).toEqual([]);
    expect(await a.events('webhook.received')).toHaveLength(3);
  });

  it('never moves an incident backwards when deliveries arrive out of order', async () => {
    const { fake, a } = await setup();
    const { incident, webhook: triggered } = fake.createIncident({ service: 'PRED', title: 'x', by: 'Ada' });
    fake.now += 10_000;
    const acked = fake.acknowledge(incident.id, 'Ada');
    fake.now += 10_000;
    const resolved = fake.resolve(incident.id, 'Linus');
    // Resolved first (it opens the incident from its data), then the older acknowledgement, then the trigger.
    await deliver(a, resolved);
    expect(a.incidents.list('red')[0]).toMatchObject({ status: 'resolved', resolvedBy: 'Linus' });
    await deliver(a, acked);
    await deliver(a, triggered);
    const inc = a.incidents.list('red')[0]!;
    expect(inc.status).toBe('resolved');
    // The late acknowledgement is still recorded at the time it happened (time to acknowledge counts).
    expect(inc.acknowledgedAtWall).toBe(Date.parse(triggered.event.occurred_at) + 10_000);
    expect((await incidentEvents(a)).map((e) => e.type)).toEqual(['incident.triggered', 'incident.resolved', 'incident.acknowledged']);
    // An old unacknowledge arriving now changes nothing either.
    const stale = { event: { ...acked.event, id: 'old-unack', event_type: 'incident.unacknowledged' } };
    await deliver(a, stale);
    expect(a.incidents.list('red')[0]!.status).toBe('resolved');

    // Reopened after a resolve: an acknowledgement from before the reopen does not acknowledge it.
    const second = fake.createIncident({ service: 'PRED', title: 'again', by: 'Ada' });
    await deliver(a, second.webhook);
    fake.now += 10_000;
    const oldAck = fake.acknowledge(second.incident.id, 'Ada');
    fake.now += 10_000;
    const res2 = fake.resolve(second.incident.id, 'Ada');
    await deliver(a, res2);
    fake.now += 10_000;
    const reopened = { event: { ...res2.event, id: 'reopen-1', event_type: 'incident.reopened', occurred_at: new Date(fake.now).toISOString(), data: { ...res2.event.data, status: 'triggered' } } };
    await deliver(a, reopened);
    await deliver(a, oldAck);
    expect(a.incidents.list('red')[1]).toMatchObject({ status: 'triggered', counts: { reopened: 1, acknowledged: 0 } });
  });

  it('records notes (annotated) for an incident it knows, by the incident’s team', async () => {
    const { fake, a } = await setup();
    const { incident, webhook } = fake.createIncident({ service: 'PRED', title: 'x', by: 'Ada' });
    await deliver(a, webhook);
    await deliver(a, fake.annotate(incident.id, 'Ada', 'rolled back to v41'));
    expect(a.incidents.list('red')[0]!.notes).toMatchObject([{ text: 'rolled back to v41', agent: 'Ada' }]);
  });

  it('a status update published in PagerDuty (signed v3 delivery through POST /hooks/pagerduty) counts as the team’s status update', async () => {
    const { fake, a } = await setup();
    await a.services.store.append({ type: 'fault.injected', team: 'red', source: 'test', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    const { incident, webhook } = fake.createIncident({ service: 'PRED', title: 'Chat returns 502', by: 'Ada' });
    await deliver(a, webhook);
    const text = 'All users cannot load the chat. We are rolling back the ingress change. Next update in 15 minutes.';
    expect((await deliver(a, fake.publishStatusUpdate(incident.id, 'Ada', text))).statusCode).toBe(202);
    const [pub] = await a.events('incident.status_update_published');
    expect(pub).toMatchObject({ team: 'red', data: { incident: incident.id, via: 'pagerduty', message: text } });
    const fs = score(buildScenario({ faults: [{ id: 'ingress-port' }] }), await a.events()).teams.find((t) => t.team === 'red')!.breakdown.faults[0]!;
    expect(fs.statusUpdates).toEqual([pub!.seq]);
    expect(fs.communication.automatic.firstUpdate).toMatchObject({ share: 1, evidence: [pub!.seq] });
    expect(fs.communication.automatic.requiredFields.share).toBe(1);
  });

  it('answers 404 when PagerDuty is not configured', async () => {
    const a = await incidentsApp();
    cleanups.push(() => a.close());
    const d = signedDelivery({ event: { id: 'x', event_type: 'pagey.ping' } }, SECRET);
    expect((await a.app.inject({ method: 'POST', url: '/hooks/pagerduty', headers: d.headers, payload: d.body })).statusCode).toBe(404);
  });
});

describe('reconciliation poll', () => {
  it('finds incidents the webhooks missed, with their history, and stores each fact once with the webhooks', async () => {
    const { fake, a } = await setup({ pageLimit: 2 });
    fake.now = a.clock.now() + 60_000;
    const missed = fake.createIncident({ service: 'PRED', title: 'missed', by: 'Ada' }).incident;
    fake.now += 20_000;
    const ackHook = fake.acknowledge(missed.id, 'Linus');
    // Enough incidents on other services to need several pages.
    for (let i = 0; i < 4; i++) fake.createIncident({ service: 'POTHER', title: `other ${i}`, by: 'X' });
    fake.createIncident({ service: 'PBLUE', title: 'blue one', by: 'Grace' });

    await a.incidents.poll();
    expect(a.incidents.list('red')).toMatchObject([{ id: missed.id, status: 'acknowledged', channel: 'web_trigger', agent: 'Ada', acknowledgedBy: 'Linus' }]);
    expect(a.incidents.list('blue')).toMatchObject([{ title: 'blue one', status: 'triggered' }]);
    const listCalls = fake.restRequests.filter((r) => r.startsWith('/incidents?'));
    expect(listCalls.length).toBeGreaterThanOrEqual(1);
    expect(listCalls[0]).toContain('service_ids%5B%5D=PRED');
    expect(listCalls[0]).toContain(`since=${encodeURIComponent(new Date(a.clock.now()).toISOString())}`);

    // The webhook for the same acknowledgement arrives late: nothing new.
    const before = (await incidentEvents(a)).length;
    await deliver(a, ackHook);
    await a.incidents.poll();
    expect((await incidentEvents(a)).length).toBe(before);

    // Resolved in PagerDuty, webhook lost: the next poll records it.
    fake.now += 60_000;
    fake.resolve(missed.id, 'Linus');
    await a.incidents.poll();
    expect(a.incidents.list('red')[0]!.status).toBe('resolved');
    expect((await incidentEvents(a)).filter((e) => e.type === 'incident.resolved')).toHaveLength(1);
  });

  it('pages with offset/limit through more than one page', async () => {
    const { fake, client } = await setup({ pageLimit: 2 });
    for (let i = 0; i < 5; i++) fake.createIncident({ service: 'PRED', title: `n${i}`, by: 'A' });
    const list = await client.listIncidents(['PRED'], new Date(0));
    expect(list.map((i) => i.title)).toEqual(['n0', 'n1', 'n2', 'n3', 'n4']);
    expect(fake.restRequests.filter((r) => r.startsWith('/incidents?')).map((r) => new URL(r, 'https://x').searchParams.get('offset'))).toEqual(['0', '2', '4']);
  });

  it('raises one organizer warning while the poll fails (bad token), and the tick keeps going', async () => {
    const { fake, a } = await setup();
    const bad = new PdjsClient({ apiToken: 'wrong', apiUrl: fake.url, eventsUrl: fake.url, agent: ca.agent });
    await expect(bad.listIncidents(['PRED'], new Date(0))).rejects.toThrow(/401/);
    fake.createIncident({ service: 'PRED', title: 'x', by: 'A' });
    await fake.close();
    await expect(a.incidents.poll()).rejects.toThrow();
    await expect(a.incidents.poll()).rejects.toThrow();
    const w = (await a.events('warning.raised')).filter((e) => e.source === 'pagerduty');
    expect(w.map((e) => e.data.code)).toEqual(['pagerduty_poll_failed']);
  });
});
