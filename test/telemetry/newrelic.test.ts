import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { makeTestCa, type TestCa } from '../fakes/pagerduty.js';
import { FakeNewRelic } from '../fakes/newrelic.js';

/**
 * The real SDK, over real TLS, against a fake New Relic. The SDK makes a fresh https.Agent per
 * request and takes no CA, so the client runs in a child process that trusts the test CA the way an
 * organizer behind a private CA would: NODE_EXTRA_CA_CERTS. The child runs the built runtime
 * (dist/) with `newrelic` in a firedrill.yaml, appends game events, records probe samples and
 * closes (the last flush); it prints the sink's status and any warning raised.
 */

const run = promisify(execFile);
let ca: TestCa;
let nr: FakeNewRelic;
let dir: string;

beforeAll(async () => {
  ca = makeTestCa();
  nr = await new FakeNewRelic(ca).start();
  dir = mkdtempSync(join(tmpdir(), 'fd-nr-'));
  writeFileSync(join(dir, 'ca.crt'), ca.ca);
});
afterAll(async () => {
  await nr.close();
  ca.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

const CHILD = `
const { createRuntime } = await import(process.env.ROOT + '/dist/src/server.js');
const { loadConfig } = await import(process.env.ROOT + '/dist/src/config.js');
const config = loadConfig({ file: process.env.CONFIG });
const rt = await createRuntime(config, { dataDir: null });
const { store, telemetry } = rt.services;
const by = { kind: 'organizer', name: 'Org' };
await store.append({ type: 'game.started', source: 'organizer', data: { by } });
await store.append({ type: 'fault.armed', team: 'alpha', source: 'game', data: { fault: 'secret-fault', dueAt: 1 } });
await store.append({ type: 'fault.injected', team: 'alpha', source: 'game', data: { fault: 'site-down', attempt: 1, deadlineAt: 600000 } });
await store.append({ type: 'incident.triggered', team: 'alpha', source: 'board', data: { incident: 'I1', via: 'board', title: 'site down', occurredAtWall: Date.now() } });
await store.append({ type: 'message.posted', team: 'alpha', source: 'persona', data: { channel: 'incident', author: { kind: 'persona', name: 'CTO' }, persona: 'cto', text: 'When is it back?', fault: 'site-down', expectsAnswer: true } });
await store.append({ type: 'fault.recovered', team: 'alpha', source: 'game', data: { fault: 'site-down', greenSince: 5000 } });
telemetry.probe({ team: 'alpha', probe: 'page', kind: 'http', ok: true, latencyMs: 12, atWall: Date.now() });
telemetry.probe({ team: 'alpha', probe: 'page', kind: 'http', ok: false, latencyMs: 40, atWall: Date.now() });
telemetry.probe({ team: 'bravo', probe: 'page', kind: 'http', ok: true, latencyMs: 7, atWall: Date.now() });
if (process.env.FLUSH === '1') await telemetry.flush();
const warnings = store.readSync({ types: ['warning.raised'] }).map((e) => e.data);
const before = telemetry.status();
await rt.close(); // the last flush
const after = telemetry.status();
console.log(JSON.stringify({ before, after, warnings }));
`;

async function child(apiKey: string, opts: { trustCa?: boolean; flush?: boolean } = {}) {
  const config = join(dir, `firedrill-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(config, `adminToken: organizer-token-for-tests-0123456789\nlogLevel: silent\nteamPortBase: 0\nnewrelic:\n  apiKey: ${apiKey}\n  host: "${nr.host}"\n  flushSeconds: 300\n`);
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, ROOT: fromRoot('.'), CONFIG: config, FLUSH: opts.flush ? '1' : '0' };
  if (opts.trustCa !== false) env.NODE_EXTRA_CA_CERTS = join(dir, 'ca.crt');
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', CHILD], { env, timeout: 60_000 });
  return JSON.parse(stdout.trim().split('\n').at(-1)!) as {
    before: { state: string; sent: { metrics: number; events: number } };
    after: { state: string; sent: { metrics: number; events: number }; pending: { metrics: number; events: number }; lastError?: string };
    warnings: Array<{ code: string; message: string }>;
  };
}

describe('New Relic telemetry', () => {
  it('sends probe metrics and game events, gzip with the key, on close', async () => {
    nr.requests.length = 0;
    const out = await child(nr.apiKey);
    expect(out.after.state).toBe('ok');
    expect(out.warnings).toEqual([]);
    expect(nr.requests.every((r) => r.apiKey === nr.apiKey)).toBe(true);

    const [batch, ...more] = nr.metricBatches();
    expect(more).toEqual([]);
    expect(batch!.common?.attributes).toMatchObject({ service: 'firedrill', game: 'chat-service' });
    expect(batch!.common?.['interval.ms']).toBeGreaterThanOrEqual(0);
    const series = batch!.metrics.map((m) => `${m.name} ${m.type} ${String(m.attributes?.team)}/${String(m.attributes?.probe)} ${String(m.value)}`).sort();
    expect(series).toEqual([
      'firedrill.probe.failure count alpha/page 1',
      'firedrill.probe.failure count bravo/page 0',
      'firedrill.probe.latency gauge alpha/page 40',
      'firedrill.probe.latency gauge bravo/page 7',
      'firedrill.probe.success count alpha/page 1',
      'firedrill.probe.success count bravo/page 1',
    ]);

    const events = nr.events();
    expect(events.map((e) => `${e.eventType}:${String(e.action ?? e.state ?? e.persona)}`)).toEqual([
      'FiredrillGame:started',
      'FiredrillFault:injected',
      'FiredrillIncident:triggered',
      'FiredrillPersonaQuestion:cto',
      'FiredrillFault:recovered',
    ]);
    // An armed fault is not exported: its id would spoil what comes next.
    expect(JSON.stringify(events)).not.toContain('secret-fault');
    expect(events[3]).toMatchObject({ team: 'alpha', text: 'When is it back?', fault: 'site-down', service: 'firedrill' });
    expect(typeof events[0]!.timestamp).toBe('number');
    expect(out.after.sent).toEqual({ metrics: 6, events: 5 });
  });

  it('a wrong key (403) raises one warning for organizers and stops sending, never crashes', async () => {
    nr.requests.length = 0;
    const out = await child('NRAK-WRONG', { flush: true });
    expect(out.before.state).toBe('rejected');
    expect(out.after.state).toBe('rejected');
    expect(nr.requests.map((r) => r.status)).toEqual([403]); // one refused request, nothing after it
    expect(out.warnings).toHaveLength(1);
    expect(out.warnings[0]).toMatchObject({ code: 'newrelic_rejected' });
    expect(out.warnings[0]!.message).toContain('NEW_RELIC_API_KEY');
    expect(out.warnings[0]!.message).not.toContain('NRAK-WRONG');
  });

  it('an untrusted certificate is a failing send kept for retry, not a crash', async () => {
    nr.requests.length = 0;
    const out = await child(nr.apiKey, { trustCa: false });
    expect(out.after.state).toBe('failing');
    expect(out.after.lastError).toMatch(/certificate/i);
    expect(out.after.pending.metrics).toBe(6);
    expect(nr.requests).toEqual([]);
  });
});
