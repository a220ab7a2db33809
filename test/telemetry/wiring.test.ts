import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { TargetAdapter } from '../../src/targets/types.js';
import { testApp } from '../helpers.js';

let close: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const c of close.reverse()) await c();
  close = [];
});

describe('telemetry configuration and wiring', () => {
  it('takes the New Relic key and region from the environment; none configured means no sink', () => {
    const c = loadConfig({ env: { NEW_RELIC_API_KEY: 'NRAK-FROM-ENV', NEW_RELIC_REGION: 'eu' } });
    expect(c.newrelic).toEqual({ apiKey: 'NRAK-FROM-ENV', region: 'eu', flushSeconds: 10 });
    expect(loadConfig({ env: {} }).newrelic).toBeUndefined();
    expect(loadConfig({ env: {} }).metrics).toEqual({ public: false });
    expect(() => loadConfig({ env: { NEW_RELIC_API_KEY: 'k', NEW_RELIC_REGION: 'mars' } })).toThrow(/newrelic\.region/);
  });

  it('every probe check reaches the telemetry sink as a sample, folded per team × probe', async () => {
    const target = http.createServer((req, res) => res.end(req.url === '/api/health' ? '{"status":"ok"}' : '<title>Chat</title>'));
    await new Promise<void>((r) => target.listen(0, '127.0.0.1', r));
    close.push(() => new Promise((r) => target.close(() => r())));
    // Nothing listens at port 1: the sink keeps what it could not send (and is closed before any flush here).
    const t = await testApp({ newrelic: { apiKey: 'NRAK-TEST', region: 'us', host: '127.0.0.1:1', flushSeconds: 300 } });
    close.push(() => t.close());
    const url = `http://127.0.0.1:${(target.address() as AddressInfo).port}`;
    t.services.target = { publicUrl: () => url } as unknown as TargetAdapter;
    await t.app.inject({ method: 'POST', url: '/api/admin/teams', headers: t.admin, payload: { id: 'alpha', name: 'Alpha', members: [] } });
    expect(t.services.telemetry!.status()).toMatchObject({ sink: 'newrelic', state: 'idle', pending: { metrics: 0 } });
    await t.services.probes!.checkNow('alpha', 'page');
    await t.services.probes!.checkNow('alpha', 'page');
    await t.services.probes!.checkNow('alpha', 'api');
    // Two team × probe pairs, each a success count, a failure count and a latency gauge.
    expect(t.services.telemetry!.status().pending.metrics).toBe(6);
  });
});
