import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { startServer, type Server as Firedrill } from '../../src/server.js';
import type { StoredEvent } from '../../src/events/types.js';
import { ADMIN_TOKEN } from '../helpers.js';
import { http, until } from '../platform/harness.js';

/**
 * Issue 19, acceptance: a mixed event. Team `emb` runs on the embedded platform; team `ext` is a
 * real chat-like HTTP server started here, outside firedrill, broken by the exec adapter (a real
 * `touch` of a file the server reads) and fixed by "its team" (removing the file). Both are probed,
 * broken, recovered and scored by the same game.
 */

const scenarioYaml = `
name: mixed
title: { en: Mixed, ja: 混在 }
description: { en: One embedded team and one external team, ja: 混在 }
service:
  description: { en: A chat service, ja: チャット }
game:
  duration: 600m
  grace: 1m
  verifyWithin: 10m
personas: []
probeDefaults: { interval: 5s, timeout: 2s, jitter: 0s, successThreshold: 1, failureThreshold: 1, holdFor: 0s }
probes:
  - id: page
    kind: http
    path: /
    expect: { status: [200], bodyMatches: "<title>[^<]*[Cc]hat" }
faults:
  - id: site-unreachable
    title: { en: Site unreachable, ja: 到達不能 }
    briefing: { organizer: { en: The page route breaks, ja: ページのルートが壊れる } }
    alerting: silent
    timing: { delay: { min: 1m, max: 1m }, deadline: 300m, targetRecovery: 200m }
    inject:
      local:
        change: { author: dev, message: "Move frontend to 8081", set: { ingress.routes.1.port: 8081 } }
      exec:
        inject: { command: [touch, "{{vars.flag}}"] }
        revert: { command: [rm, -f, "{{vars.flag}}"] }
        check: { command: [test, -e, "{{vars.flag}}"] }
    recoveredWhen: [page]
`;

let dir: string;
let flag: string;
let external: Server;
let extUrl: string;
const extHits: string[] = [];
let fd: Firedrill;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-mixed-'));
  flag = join(dir, 'broken');
  // The external team's service: a chat page, broken while the flag file exists.
  external = createServer((req, res) => {
    extHits.push(req.url ?? '');
    if (existsSync(flag)) return void res.writeHead(503, { 'content-type': 'text/plain' }).end('upstream down');
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>External Chat</title><p>hello</p>');
  });
  await new Promise<void>((r) => external.listen(0, '127.0.0.1', r));
  extUrl = `http://127.0.0.1:${(external.address() as AddressInfo).port}`;
  const scenario = join(dir, 'scenario.yaml');
  writeFileSync(scenario, scenarioYaml);
  const config = loadConfig({
    env: {},
    flags: { adminToken: ADMIN_TOKEN, logLevel: 'silent', teamPortBase: 0, port: 0, dataDir: join(dir, 'data'), scenario, speed: 60, autoStart: true },
  });
  config.teams = [
    { id: 'emb', name: 'Embedded' },
    { id: 'ext', name: 'External', target: { kind: 'exec', publicUrl: extUrl, vars: { flag }, proxy: false } },
  ];
  config.secrets = { unused: 'secret-value-never-logged' };
  fd = await startServer(config, { logger: false });
}, 60_000);

afterAll(async () => {
  await fd?.close();
  await new Promise<void>((r) => external?.close(() => r()));
  rmSync(dir, { recursive: true, force: true });
});

let log: StoredEvent[] = [];
const events = () => log;
const has = async (team: string, type: string) => (log = await fd.services.store.read()).some((e) => e.team === team && e.type === type);

describe('a mixed event: one embedded team, one external team broken by the exec adapter', () => {
  it('records the external target in team.created (no secrets), starts no process for it, and keeps /t/ext/ closed', async () => {
    log = await fd.services.store.read();
    const created = events().filter((e) => e.type === 'team.created');
    const ext = created.find((e) => e.team === 'ext')!;
    expect(ext.type === 'team.created' && ext.data.target).toEqual({ kind: 'exec', publicUrl: extUrl, namespaces: [], vars: { flag }, proxy: false });
    expect(ext.type === 'team.created' && ext.data.portBase).toBeNull();
    expect(JSON.stringify(events())).not.toContain('secret-value-never-logged');
    expect(fd.services.platform.manifest('ext')).toBeUndefined();
    expect(fd.services.platform.manifest('emb')).toBeDefined();
    expect(fd.services.target.publicUrl('ext')).toBe(extUrl);
    const proxied = await http(`${fd.url}/t/ext/`);
    expect(proxied.status).toBe(403);
    expect(extHits).not.toContain('/t/ext/');
  });

  it('breaks both teams (the exec command really runs), sees both recover, and scores both', async () => {
    await until('both faults injected', async () => (await has('emb', 'fault.injected')) && (await has('ext', 'fault.injected')), 40_000);
    // The exec adapter ran `touch`: the external service is down, and the probes saw it.
    expect(existsSync(flag)).toBe(true);
    await until('both probes red', async () => (await has('emb', 'probe.failed')) && (await has('ext', 'probe.failed')), 20_000);
    const injecting = events().find((e) => e.team === 'ext' && e.type === 'fault.injecting')!;
    expect(injecting.type === 'fault.injecting' && (injecting.data.handle as { kind: string }).kind).toBe('exec');

    // Each team fixes its own service: the external one outside firedrill, the embedded one through its ops console.
    rmSync(flag);
    const token = fd.newTeams.find((t) => t.id === 'emb')!.token;
    const auth = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const cur = await http(`${fd.url}/api/team/ops/manifest`, { headers: auth });
    const manifest = (cur.json as { manifest: { ingress: { routes: Array<{ port: number }> } } }).manifest;
    manifest.ingress.routes[1]!.port = 80;
    const put = await http(`${fd.url}/api/team/ops/manifest`, { method: 'PUT', headers: auth, body: JSON.stringify({ manifest, message: 'route / back to the frontend port' }) });
    expect(put.status).toBeLessThan(300);

    await until('both faults resolved', async () => (await has('emb', 'fault.resolved')) && (await has('ext', 'fault.resolved')), 40_000);
    const board = (await http(`${fd.url}/api/admin/leaderboard`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } })).json as { teams: Array<{ id: string; score: number; breakdown: { faults: Array<{ id: string; state: string; points: number }> } }> };
    for (const id of ['emb', 'ext']) {
      const row = board.teams.find((t) => t.id === id)!;
      expect(row.breakdown.faults[0]).toMatchObject({ id: 'site-unreachable', state: 'resolved' });
      expect(row.breakdown.faults[0]!.points).toBeGreaterThan(0);
      expect(row.score).toBeGreaterThan(0);
    }
  }, 120_000);
});
