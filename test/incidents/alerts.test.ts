import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { T0 } from '../helpers.js';
import { AlertFold, alertDedupKey, backoffMs } from '../../src/incidents/alerts.js';
import { PdjsClient } from '../../src/incidents/client.js';
import type { NewEvent, StoredEvent } from '../../src/events/types.js';
import { FakePagerDuty, makeTestCa, type TestCa } from '../fakes/pagerduty.js';
import { incidentsApp, scenarioWith } from './setup.js';

const ROUTING_RED = 'R'.repeat(32);
const evidence = { status: 502, error: 'Bad Gateway' };

let ca: TestCa;
beforeAll(() => {
  ca = makeTestCa();
});
afterAll(() => ca.cleanup());

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const faults = [
  { id: 'ingress-port', alerting: 'pagerduty' as const, alertAfterMs: 60_000, recoveredWhen: ['page', 'api'] },
  { id: 'garbled-release', alerting: 'silent' as const, recoveredWhen: ['api'] },
];
/** The default: the team resolves its alert incidents. */
const scenario = scenarioWith(faults);
/** `game.autoResolveAlerts: true`: alerts resolve themselves on recovery. */
const autoResolving = scenarioWith(faults, { autoResolveAlerts: true });

async function setup(opts: { pagerduty?: boolean; speed?: number; autoResolve?: boolean } = {}) {
  let fake: FakePagerDuty | undefined;
  let client: PdjsClient | undefined;
  if (opts.pagerduty !== false) {
    fake = await new FakePagerDuty(ca).start();
    fake.routing.set(ROUTING_RED, 'PRED');
    cleanups.push(() => fake!.close());
    client = new PdjsClient({ apiToken: fake.apiToken, apiUrl: fake.url, eventsUrl: fake.url, agent: ca.agent, pdjsRetryMs: 0, timeoutMs: 5_000 });
  }
  const a = await incidentsApp(
    {
      ...(fake ? { pagerduty: { apiToken: fake.apiToken, from: 'o@example.com', webhookSecrets: ['s'], pollSeconds: 3600 } } : {}),
      teams: [{ id: 'red', name: 'Red', pagerduty: { serviceId: 'PRED', routingKey: ROUTING_RED } }],
    },
    client ? { pagerduty: client } : {},
  );
  cleanups.push(() => a.close());
  a.setScenario(opts.autoResolve ? autoResolving : scenario);
  await a.addTeam('red');
  await a.startGame();
  const append = (e: Omit<NewEvent, 'team' | 'source'>) => a.services.store.append({ ...e, team: 'red', source: 'test' } as NewEvent);
  /** Tick and wait for the outbox and poll to settle. */
  const tick = async () => {
    await a.incidents.tick();
    await a.incidents.idle();
  };
  return { fake, a, append, tick };
}

describe('alerts for alerting faults', () => {
  it('triggers in PagerDuty once probes fail for alertAfter (game time), then resolves on recovery (autoResolveAlerts)', async () => {
    const { fake, a, append, tick } = await setup({ autoResolve: true });
    await append({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'page', evidence } });
    a.clock.advance(59_000);
    await tick();
    expect(fake!.enqueued).toHaveLength(0);
    a.clock.advance(1_000);
    await tick();
    await tick(); // a second tick must not alert twice
    expect(fake!.enqueued).toHaveLength(1);
    const sent = fake!.enqueued[0]!.body as { routing_key: string; event_action: string; dedup_key: string; payload: Record<string, unknown> };
    expect(sent).toMatchObject({ routing_key: ROUTING_RED, event_action: 'trigger', dedup_key: alertDedupKey('red', 0) });
    expect(sent.payload).toMatchObject({ summary: 'Team red: page failing', source: 'firedrill/red', severity: 'critical' });
    expect(JSON.stringify(sent)).not.toContain('ingress-port'); // no spoilers
    expect(fake!.incidents).toMatchObject([{ status: 'triggered', service: { id: 'PRED' }, incident_key: alertDedupKey('red', 0) }]);
    const okSends = await a.events('alert.sent');
    expect(okSends.map((e) => e.data)).toMatchObject([{ action: 'trigger', ok: true, attempt: 1, status: 202 }]);
    // The routing key is a credential: never in the log.
    expect(JSON.stringify(await a.events())).not.toContain(ROUTING_RED);

    await append({ type: 'probe.recovered', data: { probe: 'page', evidence: { status: 200 } } });
    await append({ type: 'fault.recovered', data: { fault: 'ingress-port', greenSince: 120_000 } });
    await tick();
    expect(fake!.enqueued.map((e) => (e.body as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
    expect(fake!.incidents[0]!.status).toBe('resolved');
    await tick();
    expect(fake!.enqueued).toHaveLength(2);
  });

  it('retries 429s with backoff off the tick, and never retries a 400', async () => {
    const { fake, a, append, tick } = await setup({ autoResolve: true });
    // pdjs itself retries a 429 three times; the fourth 429 ends our first attempt.
    fake!.scriptedEventStatuses.push(429, 429, 429, 429, 503);
    await append({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'api', evidence, since: 0 } });
    a.clock.advance(60_000);
    await tick();
    let sends = (await a.events('alert.sent')).map((e) => e.data);
    expect(sends).toMatchObject([{ ok: false, status: 429, attempt: 1, retryAtWall: a.clock.now() + backoffMs(1) }]);
    expect(fake!.enqueued).toHaveLength(4);
    await tick(); // not due yet
    expect(fake!.enqueued).toHaveLength(4);
    a.clock.advance(backoffMs(1));
    await tick(); // 503: retried later
    a.clock.advance(backoffMs(2));
    await tick(); // 202
    sends = (await a.events('alert.sent')).map((e) => e.data);
    expect(sends.map((s) => [s.attempt, s.ok, s.status])).toEqual([
      [1, false, 429],
      [2, false, 503],
      [3, true, 202],
    ]);
    expect(fake!.incidents).toHaveLength(1);

    // A 400 is recorded once and warned about, never retried.
    fake!.scriptedEventStatuses.push(400);
    await append({ type: 'probe.recovered', data: { probe: 'api', evidence: { status: 200 } } });
    await append({ type: 'fault.recovered', data: { fault: 'ingress-port', greenSince: 60_000 } });
    await tick();
    a.clock.advance(3_600_000);
    await tick();
    await tick();
    const last = (await a.events('alert.sent')).at(-1)!.data;
    expect(last).toMatchObject({ action: 'resolve', ok: false, status: 400, attempt: 1 });
    expect(last.retryAtWall).toBeUndefined();
    expect(last.detail).toMatch(/invalid event/);
    expect(fake!.enqueued.filter((e) => (e.body as { event_action: string }).event_action === 'resolve')).toHaveLength(1);
    // (The real game runs alongside in these tests: only this part's warnings are counted.)
    expect((await a.events('warning.raised')).filter((w) => w.source === 'alerts').map((w) => w.data.code)).toEqual(['alert_failed']);
  });

  it('retries when PagerDuty cannot be reached, and a restarted server sends what the log says is owed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-alerts-'));
    cleanups.push(async () => rmSync(dir, { recursive: true, force: true }));
    const clock = new ManualClock(T0);
    const config = (fake: FakePagerDuty) => ({
      pagerduty: { apiToken: fake.apiToken, from: 'o@example.com', webhookSecrets: ['s'], pollSeconds: 3600 },
      teams: [{ id: 'red', name: 'Red', pagerduty: { serviceId: 'PRED', routingKey: ROUTING_RED } }],
    });
    const client = (fake: FakePagerDuty) => new PdjsClient({ apiToken: fake.apiToken, apiUrl: fake.url, eventsUrl: fake.url, agent: ca.agent, pdjsRetryMs: 0 });

    const down = await new FakePagerDuty(ca).start();
    const a = await incidentsApp(config(down), { dataDir: dir, clock, pagerduty: client(down) });
    await down.close();
    a.setScenario(scenario);
    await a.addTeam('red');
    await a.startGame();
    await a.services.store.append({ type: 'fault.injected', team: 'red', source: 'test', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await a.services.store.append({ type: 'probe.failed', team: 'red', source: 'test', data: { probe: 'api', evidence, since: 0 } });
    clock.advance(60_000);
    await a.incidents.tick();
    await a.incidents.idle();
    const [first] = (await a.events('alert.sent')).map((e) => e.data);
    expect(first).toMatchObject({ ok: false, status: 0, attempt: 1 });
    expect(first!.retryAtWall).toBeGreaterThan(clock.now());
    await a.close();

    // Restart: the outbox is a fold of the log, so the owed trigger goes out once it is due.
    const up = await new FakePagerDuty(ca).start();
    up.routing.set(ROUTING_RED, 'PRED');
    cleanups.push(() => up.close());
    const b = await incidentsApp(config(up), { dataDir: dir, clock, pagerduty: client(up) });
    cleanups.push(() => b.close());
    b.setScenario(scenario);
    expect(b.incidents.alerts.pending()).toMatchObject([{ team: 'red', attempts: 1, data: { action: 'trigger' } }]);
    await b.incidents.tick();
    await b.incidents.idle();
    expect(up.enqueued).toHaveLength(0); // not due yet
    clock.advance(backoffMs(1));
    await b.incidents.tick();
    await b.incidents.idle();
    expect(up.enqueued).toHaveLength(1);
    expect((await b.events('alert.sent')).map((e) => [e.data.attempt, e.data.ok])).toEqual([
      [1, false],
      [2, true],
    ]);
    // Still one decision: the restart did not alert again.
    expect(await b.events('alert.queued')).toHaveLength(1);
  });

  it('warns the organizers when a team has no routing key, instead of sending', async () => {
    const { fake, a, tick } = await setup();
    await a.addTeam('blue');
    const blue = (e: Omit<NewEvent, 'team' | 'source'>) => a.services.store.append({ ...e, team: 'blue', source: 'test' } as NewEvent);
    await blue({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await blue({ type: 'probe.failed', data: { probe: 'page', evidence } });
    a.clock.advance(60_000);
    await tick();
    await tick();
    expect(fake!.enqueued).toHaveLength(0);
    expect((await a.events('alert.sent')).map((e) => [e.team, e.data.ok, e.data.detail])).toEqual([['blue', false, 'no PagerDuty routing key configured for this team']]);
    expect((await a.events('warning.raised')).filter((w) => w.source === 'alerts').map((w) => w.team)).toEqual(['blue']);
  });

  it('sends nothing for silent faults, nor before alertAfter, nor for failures of other probes', async () => {
    const { fake, a, append, tick } = await setup();
    await append({ type: 'fault.injected', data: { fault: 'garbled-release', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'api', evidence } });
    await append({ type: 'probe.failed', data: { probe: 'canary', evidence } });
    a.clock.advance(3_600_000);
    await tick();
    expect(fake!.enqueued).toHaveLength(0);
    expect(await a.events('alert.queued')).toHaveLength(0);
  });

  it('counts alertAfter in game time: paused games do not alert, fast games alert sooner', async () => {
    const { fake, a, append, tick } = await setup();
    await a.services.store.append({ type: 'game.speed_set', source: 'organizer', data: { speed: 30, by: { kind: 'organizer', name: 'o' } } });
    await append({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'page', evidence } });
    a.clock.advance(1_000); // 30 s of game time
    await tick();
    expect(fake!.enqueued).toHaveLength(0);
    await a.services.store.append({ type: 'game.paused', source: 'organizer', data: { by: { kind: 'organizer', name: 'o' } } });
    a.clock.advance(3_600_000);
    await tick();
    expect(fake!.enqueued).toHaveLength(0);
    await a.services.store.append({ type: 'game.resumed', source: 'organizer', data: { by: { kind: 'organizer', name: 'o' } } });
    a.clock.advance(1_000); // 60 s of game time in all
    await tick();
    expect(fake!.enqueued).toHaveLength(1);
  });

  it('without PagerDuty, opens a board incident (channel alert) and resolves it on recovery (autoResolveAlerts)', async () => {
    const { a, append, tick } = await setup({ pagerduty: false, autoResolve: true });
    await append({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'page', evidence } });
    a.clock.advance(60_000);
    await tick();
    await tick();
    expect(a.incidents.list('red')).toMatchObject([{ via: 'board', channel: 'alert', status: 'triggered', title: 'Team red: page failing' }]);
    expect(await a.events('alert.sent')).toHaveLength(0);
    // The team acknowledges it on the board like any incident.
    const id = a.incidents.list('red')[0]!.id;
    await a.incidents.acknowledge('red', id, 'Ada');
    await append({ type: 'fault.recovered', data: { fault: 'ingress-port', greenSince: 70_000 } });
    await tick();
    expect(a.incidents.list('red')[0]).toMatchObject({ status: 'resolved', resolvedBy: 'alert (auto-resolve)' });
    // A relapse alerts again, as a new incident.
    await append({ type: 'fault.relapsed', data: { fault: 'ingress-port', probe: 'page' } });
    a.clock.advance(60_000);
    await tick();
    expect(a.incidents.list('red').map((i) => i.status)).toEqual(['resolved', 'triggered']);
  });
});

describe('alerts without auto-resolve (the default): the team resolves its incident', () => {
  it('PagerDuty: nothing is resolved on recovery nor on the fault resolving; a timeout resolves it', async () => {
    const { fake, a, append, tick } = await setup();
    await append({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'page', evidence } });
    a.clock.advance(60_000);
    await tick();
    await append({ type: 'probe.recovered', data: { probe: 'page', evidence: { status: 200 } } });
    await append({ type: 'fault.recovered', data: { fault: 'ingress-port', greenSince: 70_000 } });
    await tick();
    await append({ type: 'fault.resolved', data: { fault: 'ingress-port', by: 'sign_off' } });
    await tick();
    expect(fake!.enqueued.map((e) => (e.body as { event_action: string }).event_action)).toEqual(['trigger']);
    expect(fake!.incidents[0]!.status).toBe('triggered');
  });

  it('the game ending the fault (timed out) resolves the alert', async () => {
    const { fake, append, tick, a } = await setup();
    await append({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'page', evidence } });
    a.clock.advance(60_000);
    await tick();
    await append({ type: 'fault.timed_out', data: { fault: 'ingress-port' } });
    await tick();
    expect(fake!.enqueued.map((e) => (e.body as { event_action: string }).event_action)).toEqual(['trigger', 'resolve']);
  });

  it('board: the incident stays open on recovery, the team resolves it; a relapse while it is open opens no second one, after a resolve it does', async () => {
    const { a, append, tick } = await setup({ pagerduty: false });
    await append({ type: 'fault.injected', data: { fault: 'ingress-port', attempt: 1, deadlineAt: 3_600_000 } });
    await append({ type: 'probe.failed', data: { probe: 'page', evidence } });
    a.clock.advance(60_000);
    await tick();
    const id = a.incidents.list('red')[0]!.id;
    await append({ type: 'fault.recovered', data: { fault: 'ingress-port', greenSince: 70_000 } });
    await tick();
    expect(a.incidents.list('red').map((i) => i.status)).toEqual(['triggered']);
    expect((await a.events('incident.resolved')).length).toBe(0);
    // Relapse with the incident still open: it covers the relapse.
    await append({ type: 'fault.relapsed', data: { fault: 'ingress-port', probe: 'page' } });
    a.clock.advance(60_000);
    await tick();
    expect(a.incidents.list('red').map((i) => i.status)).toEqual(['triggered']);
    // Recovered again; the team resolves; a second relapse opens a new incident.
    await append({ type: 'fault.recovered', data: { fault: 'ingress-port', greenSince: 200_000 } });
    await tick();
    await a.incidents.resolve('red', id, 'Ada');
    expect(a.incidents.list('red')[0]).toMatchObject({ status: 'resolved', resolvedBy: 'Ada' });
    await append({ type: 'fault.relapsed', data: { fault: 'ingress-port', probe: 'page' } });
    a.clock.advance(60_000);
    await tick();
    expect(a.incidents.list('red').map((i) => i.status)).toEqual(['resolved', 'triggered']);
  });
});

describe('AlertFold (pure)', () => {
  let seq = 0;
  const ev = (type: string, data: object, gameTime: number, team = 'red'): StoredEvent => ({ seq: ++seq, at: 0, gameTime, team, type, source: 't', key: null, data }) as StoredEvent;
  const info = () => ({ name: 'Red', via: 'pagerduty' as const });

  it('counts failure from injection when the probe was already red, and resolves when the fault ends otherwise', () => {
    const f = new AlertFold();
    f.apply(ev('probe.failed', { probe: 'page', evidence: {} }, 0));
    f.apply(ev('fault.injected', { fault: 'ingress-port', attempt: 1, deadlineAt: 1 }, 100_000));
    expect(f.decide(scenario, 159_999, info)).toEqual([]);
    const [trigger] = f.decide(scenario, 160_000, info);
    expect(trigger).toMatchObject({ type: 'alert.queued', data: { action: 'trigger', n: 1 } });
    f.apply(ev('alert.queued', trigger!.data, 160_000));
    expect(f.decide(scenario, 999_999, info)).toEqual([]);
    f.apply(ev('fault.timed_out', { fault: 'ingress-port' }, 200_000));
    expect(f.decide(scenario, 200_000, info)).toMatchObject([{ data: { action: 'resolve', n: 1 } }]);
  });

  it('orders sends per dedup key: a resolve waits for its trigger', () => {
    const f = new AlertFold();
    const base = { fault: 'ingress-port', dedupKey: 'k', via: 'pagerduty', n: 1, summary: 's', severity: 'info' };
    f.apply(ev('alert.queued', { ...base, action: 'trigger' }, 0));
    f.apply(ev('alert.queued', { ...base, action: 'resolve' }, 0));
    expect(f.due(0).map((q) => q.data.action)).toEqual(['trigger']);
    f.apply(ev('alert.sent', { fault: 'ingress-port', dedupKey: 'k', action: 'trigger', ok: false, detail: '', queued: seq - 1, attempt: 1, retryAtWall: 5_000 }, 0));
    expect(f.due(4_999)).toEqual([]);
    expect(f.due(5_000).map((q) => q.data.action)).toEqual(['trigger']);
    f.apply(ev('alert.sent', { fault: 'ingress-port', dedupKey: 'k', action: 'trigger', ok: true, detail: '', queued: seq - 2, attempt: 2 }, 0));
    expect(f.due(5_000).map((q) => q.data.action)).toEqual(['resolve']);
  });
});
