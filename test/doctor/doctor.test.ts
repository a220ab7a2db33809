import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { fromRoot } from '../../src/paths.js';
import { FakePagerDuty, makeTestCa, type TestCa } from '../fakes/pagerduty.js';

/**
 * `firedrill doctor` as an organizer runs it (the built CLI, a real child process) on a healthy and
 * a broken setup: an external team's service (a local HTTP server), its exec fault's commands,
 * PagerDuty (the fake over TLS, trusted through NODE_EXTRA_CA_CERTS) — in each output format.
 */

const CLI = fromRoot('dist/src/cli.js');
const ROUTING = '0123456789abcdef0123456789abcdef';

const scenarioYaml = `
name: doctor
title: { en: Doctor, ja: 診断 }
description: { en: d, ja: d }
service:
  description: { en: s, ja: s }
personas: []
probes:
  - id: page
    kind: http
    path: /
    timeout: 1s
    expect: { status: [200], bodyMatches: "<title>" }
faults:
  - id: outage
    title: { en: Outage, ja: 停止 }
    briefing: { organizer: { en: o, ja: o } }
    alerting: pagerduty
    timing: { delay: { min: 1m, max: 2m }, deadline: 30m }
    inject:
      local:
        change: { author: dev, message: m, set: { ingress.routes.1.port: 8081 } }
      exec:
        inject: { command: ["{{vars.tool}}", "{{vars.flag}}"] }
        revert: { command: [rm, -f, "{{vars.flag}}"] }
    recoveredWhen: [page]
`;

let dir: string;
let ca: TestCa;
let pd: FakePagerDuty;
let svc: Server;
let svcUrl: string;
let flag: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-doctor-'));
  flag = join(dir, 'down');
  writeFileSync(join(dir, 'scenario.yaml'), scenarioYaml);
  ca = makeTestCa();
  writeFileSync(join(dir, 'ca.pem'), ca.ca);
  pd = await new FakePagerDuty(ca).start();
  pd.routing.set(ROUTING, 'PSVC1');
  svc = createServer((_req, res) => (existsSync(flag) ? res.writeHead(503).end('down') : res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Chat</title>')));
  await new Promise<void>((r) => svc.listen(0, '127.0.0.1', r));
  svcUrl = `http://127.0.0.1:${(svc.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  await pd?.close();
  await new Promise<void>((r) => svc?.close(() => r()));
  ca?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

function setup(o: { broken: boolean }) {
  const config = {
    scenario: join(dir, 'scenario.yaml'),
    dataDir: join(dir, o.broken ? 'data-broken' : 'data-healthy'),
    publicUrl: 'https://firedrill.example.com',
    teams: [
      { id: 'emb', name: 'Embedded', pagerduty: { serviceId: 'PSVC1', routingKey: ROUTING } },
      {
        id: 'ext',
        name: 'External',
        pagerduty: { serviceId: o.broken ? 'PNOPE' : 'PSVC1', routingKey: ROUTING },
        target: { kind: 'exec', publicUrl: svcUrl, vars: { tool: o.broken ? 'no-such-tool-fd' : 'touch', flag } },
      },
    ],
    pagerduty: { from: 'organizer@example.com', apiUrl: pd.url, webhookSecrets: o.broken ? [] : ['whsec'] },
    // The embedded team's baseline needs a running server (--server): known here, so suppressed.
    doctor: { suppress: ['team.emb.baseline'] },
  };
  const file = join(dir, o.broken ? 'broken.yaml' : 'healthy.yaml');
  writeFileSync(file, stringify(config));
  return file;
}

function doctor(file: string, format: string, token: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'doctor', '--config', file, '--format', format], {
      env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), PAGERDUTY_API_TOKEN: token },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('firedrill doctor', () => {
  it('healthy setup: every finding OK in text, markdown and github; exit 0; the token never printed', async () => {
    const file = setup({ broken: false });
    const text = await doctor(file, 'text', pd.apiToken);
    expect(text.stderr).toBe('');
    expect(text.stdout.split('\n')[0]).toBe(`firedrill doctor: 0 critical, 0 warning, ${text.stdout.match(/\[OK\]/g)!.length} ok, 1 suppressed`);
    for (const id of ['scenario', 'team.ext.baseline.page', 'team.ext.plan.outage', 'team.ext.exec.outage.inject', 'pagerduty.token', 'pagerduty.ext.service', 'pagerduty.ext.routing-key', 'pagerduty.webhook-secret']) {
      expect(text.stdout).toContain(`[OK] ${id}:`);
    }
    expect(text.code).toBe(0);
    expect(text.stdout).not.toContain(pd.apiToken);
    expect(text.stdout).not.toContain(ROUTING);
    const md = await doctor(file, 'markdown', pd.apiToken);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| OK | `team.ext.baseline.page` |');
    const gh = await doctor(file, 'github', pd.apiToken);
    expect(gh.code).toBe(0);
    expect(gh.stdout).toContain('- [x] `pagerduty.token`');
    expect(gh.stdout).not.toContain('- [ ]');
    // Nothing was injected: the exec command was looked up, not run.
    expect(existsSync(flag)).toBe(false);
  }, 60_000);

  it('broken setup: service down, command missing, wrong token / service, no webhook secret: Critical with fixes, exit 2, in each format', async () => {
    const file = setup({ broken: true });
    writeFileSync(flag, '');
    try {
      const text = await doctor(file, 'text', 'wrong-token');
      expect(text.code).toBe(2);
      expect(text.stdout).toMatch(/\[CRITICAL\] team\.ext\.baseline\.page: team ext: probe page is red before the start \(status 503 not accepted\)/);
      expect(text.stdout).toMatch(/\[CRITICAL\] team\.ext\.exec\.outage\.inject: fault outage inject: command no-such-tool-fd not found/);
      expect(text.stdout).toMatch(/\[CRITICAL\] pagerduty\.token: PagerDuty refused the API token \(HTTP 401\)\n {4}fix: /);
      expect(text.stdout).toMatch(/\[CRITICAL\] pagerduty\.webhook-secret: /);
      expect(text.stdout).not.toContain('wrong-token');
      // With the right token, the wrong service is found too.
      const md = await doctor(file, 'markdown', pd.apiToken);
      expect(md.code).toBe(2);
      expect(md.stdout).toMatch(/\| Critical \| `pagerduty\.ext\.service` \| team ext: PagerDuty service PNOPE does not exist \| fix the team's pagerduty\.serviceId \|/);
      const gh = await doctor(file, 'github', pd.apiToken);
      expect(gh.code).toBe(2);
      expect(gh.stdout).toMatch(/### Critical \(\d+\)/);
      expect(gh.stdout).toMatch(/- \[ \] `team\.ext\.exec\.outage\.inject` .* — \*\*fix:\*\* install no-such-tool-fd/);
      expect(gh.stdout).toContain('- [x] `scenario`');
    } finally {
      rmSync(flag, { force: true });
    }
  }, 60_000);

  it('a warning alone exits 1; an unknown format is refused', async () => {
    const file = setup({ broken: false });
    const yaml = (await import('node:fs')).readFileSync(file, 'utf8').replace(/suppress:\n\s+- team\.emb\.baseline/, 'suppress: []');
    writeFileSync(file, yaml);
    const r = await doctor(file, 'text', pd.apiToken);
    expect(r.stdout).toContain('[WARNING] team.emb.baseline: team emb is embedded: its baseline needs the running server');
    expect(r.code).toBe(1);
    const bad = await doctor(file, 'html', pd.apiToken);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format must be one of text, markdown, github');
  }, 60_000);
});
