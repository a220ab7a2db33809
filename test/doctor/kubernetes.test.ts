import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, stringify } from 'yaml';
import { fromRoot } from '../../src/paths.js';
import { FakeKubernetes, type KObject } from '../fakes/kubernetes.js';
import { FakeNewRelic } from '../fakes/newrelic.js';
import { makeTestCa, type TestCa } from '../fakes/pagerduty.js';

/**
 * `firedrill doctor` (the built CLI, a real child process) for a team on the kubernetes target:
 * the fake API server seeded with challenges/chat-service-k8s/manifests, the team's service a local
 * chat server (its baseline probes), New Relic the HTTPS fake with a CA made here. Doctor reads,
 * dry-runs (`dryRun=All`) and asks (SelfSubjectAccessReview); it never changes an object.
 */

const CLI = fromRoot('dist/src/cli.js');
const DIR = fromRoot('challenges/chat-service-k8s');
const NS = 'team-a';
const manifests = readdirSync(join(DIR, 'manifests'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(DIR, 'manifests', f), 'utf8')).map((d) => d.toJS() as KObject));

let dir: string;
let ca: TestCa;
let nr: FakeNewRelic;
let svc: Server;
let svcUrl: string;
const fakes: FakeKubernetes[] = [];

/** The chat service a team runs (what the baseline probes read): page, health, messages. */
function chatService(): Server {
  const messages: Array<Record<string, unknown>> = [];
  return createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (req.method === 'GET' && url.pathname === '/') return res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Chat</title>');
    if (req.method === 'GET' && url.pathname === '/api/health') return res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (url.pathname === '/api/messages' && req.method === 'POST') {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const m = { id: messages.length + 1, ...(JSON.parse(body) as Record<string, unknown>) };
        messages.push(m);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ message: m }));
      });
      return;
    }
    if (url.pathname === '/api/messages') return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ messages: messages.filter((m) => m.room === url.searchParams.get('room')) }));
    res.writeHead(404).end();
  });
}

/** A fresh fake API server with the challenge's objects in the team's namespace (the API server keeps Secrets as base64 data). */
async function cluster(): Promise<{ k: FakeKubernetes; kubeconfig: string }> {
  const k = await new FakeKubernetes().start();
  fakes.push(k);
  for (const m of manifests) {
    if (!['Ingress', 'Deployment', 'Service', 'NetworkPolicy', 'Secret'].includes(m.kind)) continue;
    const o = structuredClone(m);
    o.metadata.namespace = NS;
    if (o.kind === 'Secret') {
      o.data = Object.fromEntries(Object.entries(o.stringData as Record<string, string>).map(([key, v]) => [key, Buffer.from(v).toString('base64')]));
      delete o.stringData;
    }
    k.put(o);
  }
  const kubeconfig = join(dir, `kubeconfig-${fakes.length}.yaml`);
  writeFileSync(kubeconfig, k.kubeconfig());
  return { k, kubeconfig };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-doctor-k8s-'));
  ca = makeTestCa();
  writeFileSync(join(dir, 'ca.pem'), ca.ca);
  nr = await new FakeNewRelic(ca).start();
  svc = chatService();
  await new Promise<void>((r) => svc.listen(0, '127.0.0.1', r));
  svcUrl = `http://127.0.0.1:${(svc.address() as AddressInfo).port}`;
}, 60_000);

afterAll(async () => {
  for (const k of fakes) await k.stop();
  await nr?.close();
  await new Promise<void>((r) => svc?.close(() => r()));
  ca?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
function config(kubeconfig: string, o: { scenario?: string } = {}): string {
  const file = join(dir, `firedrill-${++n}.yaml`);
  writeFileSync(
    file,
    stringify({
      scenario: o.scenario ?? join(DIR, 'scenario.yaml'),
      dataDir: join(dir, `data-${n}`),
      publicUrl: 'https://firedrill.example.com',
      teams: [{ id: 'k8s', name: 'On Kubernetes', target: { kind: 'kubernetes', publicUrl: svcUrl, namespaces: [NS] } }],
      kubernetes: { kubeconfig },
      newrelic: { host: nr.host },
    }),
  );
  return file;
}

function doctor(file: string, args: string[], nrKey = nr.apiKey): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, 'doctor', '--config', file, ...args], { env: { PATH: process.env.PATH, NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'), NEW_RELIC_API_KEY: nrKey } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Every object's resourceVersion: equal before and after = nothing written. */
const versions = (k: FakeKubernetes) =>
  Object.fromEntries(
    manifests
      .filter((m) => ['Ingress', 'Deployment', 'Service', 'NetworkPolicy', 'Secret'].includes(m.kind))
      .map((m) => [`${m.kind}/${m.metadata.name}`, k.get(m.kind, NS, m.metadata.name)?.metadata.resourceVersion]),
  );

describe('firedrill doctor on a kubernetes team', () => {
  it('healthy: reads, dry-runs and access reviews are all OK, New Relic takes the key; exit 0 in every format; nothing changed', async () => {
    const { k, kubeconfig } = await cluster();
    const file = config(kubeconfig);
    const before = versions(k);
    const text = await doctor(file, ['--format', 'text']);
    expect(text.stderr).toBe('');
    for (const id of [
      'team.k8s.baseline.page',
      'team.k8s.baseline.api',
      'team.k8s.baseline.canary',
      'team.k8s.plan.site-unreachable',
      'team.k8s.plan.database-unreachable',
      'team.k8s.plan.garbled-messages',
      'kubernetes.k8s.site-unreachable.ingresses.chat',
      'kubernetes.k8s.database-unreachable.networkpolicies.restrict-backend-egress',
      'kubernetes.k8s.garbled-messages.deployments.backend',
      'newrelic.key',
    ]) {
      expect(text.stdout).toContain(`[OK] ${id}:`);
    }
    expect(text.stdout).toContain('can get and patch (dry run) ingresses team-a/chat');
    expect(text.stdout).toContain('can get, create (dry run) and delete (access review) networkpolicies team-a/restrict-backend-egress');
    expect(text.stdout.split('\n')[0]).toMatch(/^firedrill doctor: 0 critical, 0 warning, \d+ ok$/);
    expect(text.code).toBe(0);
    // The writes went as dry runs (the real API's query), the revert's delete as an access review.
    const writes = k.requests.filter((r) => r.method !== 'GET' && !r.path.includes('selfsubjectaccessreviews'));
    expect(writes.map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`).sort()).toEqual(['PATCH deployments/backend', 'PATCH ingresses/chat', 'POST team-a/networkpolicies']);
    for (const w of writes) expect(new URLSearchParams(w.query).get('dryRun')).toBe('All');
    const reviews = k.requests.filter((r) => r.path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews');
    expect(reviews.map((r) => (r.body as { spec: { resourceAttributes: unknown } }).spec.resourceAttributes)).toEqual([
      { namespace: NS, verb: 'delete', group: 'networking.k8s.io', resource: 'networkpolicies', name: 'restrict-backend-egress' },
    ]);
    expect(versions(k)).toEqual(before);
    expect(k.get('NetworkPolicy', NS, 'restrict-backend-egress')).toBeUndefined();
    // The probe metric reached New Relic with the key.
    expect(nr.metricBatches().some((b) => b.metrics.some((m) => m.name === 'firedrill.probe.latency'))).toBe(true);

    const md = await doctor(file, ['--format', 'markdown']);
    expect(md.code).toBe(0);
    expect(md.stdout).toContain('| OK | `kubernetes.k8s.garbled-messages.deployments.backend` |');
    const gh = await doctor(file, ['--format', 'github']);
    expect(gh.code).toBe(0);
    expect(gh.stdout).toContain('- [x] `kubernetes.k8s.site-unreachable.ingresses.chat`');
    expect(gh.stdout).not.toContain('- [ ]');
    expect(versions(k)).toEqual(before);
  }, 90_000);

  it('broken: a missing Ingress, a 403 on patch, a revert RBAC gap, a namespace outside the allow-list: Critical with the fix, exit 2, in each format', async () => {
    const { k, kubeconfig } = await cluster();
    k.remove('Ingress', NS, 'chat');
    k.forbid('patch', 'deployments', NS);
    k.forbid('delete', 'networkpolicies', NS);
    // The third fault aimed at a namespace the team may not touch.
    const scenario = join(dir, 'outside.yaml');
    const yaml = readFileSync(join(DIR, 'scenario.yaml'), 'utf8').replace('$schema: ../scenario.schema.json\n', '');
    const aimed = yaml.replace('        - action: image\n          deployment: backend\n', '        - action: image\n          namespace: production\n          deployment: backend\n');
    expect(aimed).not.toBe(yaml);
    writeFileSync(scenario, aimed);

    const broken = config(kubeconfig);
    const text = await doctor(broken, ['--format', 'text']);
    expect(text.stderr).toBe('');
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(/\[CRITICAL\] team\.k8s\.plan\.site-unreachable: team k8s, fault site-unreachable cannot be planned: .*NotFound \(404\).*"chat" not found.*\n {4}fix: create the object in the team's namespace/);
    expect(text.stdout).toMatch(
      /\[CRITICAL\] kubernetes\.k8s\.garbled-messages\.deployments\.backend\.patch: team k8s, fault garbled-messages: cannot patch deployments team-a\/backend: Forbidden \(403\)\n {4}fix: grant firedrill's service account 'patch' on deployments in namespace team-a/,
    );
    expect(text.stdout).toMatch(/\[CRITICAL\] kubernetes\.k8s\.database-unreachable\.networkpolicies\.restrict-backend-egress\.revert\.delete: .*not allowed\)\n {4}fix: grant firedrill's service account 'delete' on networkpolicies/);
    expect(text.stdout).not.toContain('[OK] kubernetes.k8s.garbled-messages.deployments.backend:');

    const outside = config(kubeconfig, { scenario });
    const md = await doctor(outside, ['--format', 'markdown']);
    expect(md.code).toBe(2);
    expect(md.stdout).toMatch(/\| Critical \| `team\.k8s\.plan\.garbled-messages` \| .*namespace 'production' is not allowed for team k8s \(allowed: team-a\) \| add the namespace to the team's target\.namespaces, or fix the fault \|/);
    // Refused before any request for it: nothing was asked of the production namespace.
    expect(k.requests.some((r) => r.path.includes('/namespaces/production/'))).toBe(false);
    const gh = await doctor(broken, ['--format', 'github']);
    expect(gh.code).toBe(2);
    expect(gh.stdout).toMatch(/- \[ \] `kubernetes\.k8s\.garbled-messages\.deployments\.backend\.patch` .* — \*\*fix:\*\* grant firedrill's service account 'patch'/);
    // The 403'd patch was never applied, and nothing was created or deleted.
    expect(k.get('Deployment', NS, 'backend')!.spec).toEqual(manifests.find((m) => m.kind === 'Deployment' && m.metadata.name === 'backend')!.spec);
    expect(k.get('NetworkPolicy', NS, 'restrict-backend-egress')).toBeUndefined();
  }, 90_000);

  it('a refused New Relic key is a Warning with the fix (exit 1), never a crash', async () => {
    const { kubeconfig } = await cluster();
    const r = await doctor(config(kubeconfig), ['--format', 'text'], 'NRAK-WRONG');
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/\[WARNING\] newrelic\.key: .*403.*\n {4}fix: set NEW_RELIC_API_KEY to a license or insert key/);
    expect(r.stdout.split('\n')[0]).toMatch(/^firedrill doctor: 0 critical, 1 warning, \d+ ok$/);
    expect(r.code).toBe(1);
    expect(r.stdout).not.toContain('NRAK-WRONG');
  }, 90_000);
});

describe('firedrill doctor --team on a kubernetes team: the faults\' lesson checks against its namespace', () => {
  it('OK on the shipped manifests; Critical once the Ingress points at a port the Service lacks and the bad release runs; a refused list is a finding', async () => {
    const { k, kubeconfig } = await cluster();
    const file = config(kubeconfig);
    const ok = await doctor(file, ['--team', 'k8s']);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('[OK] team.k8s.check.site-unreachable.ingress-routes-have-endpoints: fault site-unreachable — every ingress route points at a service port that exists: all 2 ingress routes point at a service port that exists');
    expect(ok.stdout).toContain('[OK] team.k8s.check.garbled-messages.release-not-bad:');
    expect(ok.code).toBe(0);

    // A team "fixed" the outage by moving the route elsewhere, and left the bad release running.
    k.edit('Ingress', NS, 'chat', (o) => {
      ((o.spec as { rules: Array<{ http: { paths: Array<{ backend: { service: { port: { number: number } } } }> } }> }).rules[0]!.http.paths[1]!.backend.service.port.number = 8081);
    });
    k.edit('Deployment', NS, 'backend', (o) => {
      (o.spec as { template: { spec: { containers: Array<{ image: string }> } } }).template.spec.containers[0]!.image = 'ghcr.io/firedrill/chat-backend:1.5.0';
    });
    const bad = await doctor(file, ['--team', 'k8s', '--format', 'github']);
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain('- [ ] `team.k8s.check.site-unreachable.ingress-routes-have-endpoints` fault site-unreachable — every ingress route points at a service port that exists: 1 of 2 ingress routes lead nowhere: ingress/chat rules\\[0\\].paths\\[1\\] (/) → frontend:8081, but frontend serves 80, http');
    expect(bad.stdout).toMatch(/- \[ \] `team\.k8s\.check\.garbled-messages\.release-not-bad` .*backend runs ghcr\.io\/firedrill\/chat-backend:1\.5\.0, marked bad/);
    // The lists went to the team's namespace, GET only.
    expect(k.requests.filter((r) => r.method !== 'GET')).toEqual([]);
    expect(new Set(k.requests.map((r) => r.path))).toEqual(new Set(['/apis/networking.k8s.io/v1/namespaces/team-a/ingresses', '/api/v1/namespaces/team-a/services', '/apis/apps/v1/namespaces/team-a/deployments', '/api/v1/namespaces/team-a/secrets']));

    k.forbid('list', 'secrets', NS);
    const refused = await doctor(file, ['--team', 'k8s']);
    expect(refused.stderr).toBe('');
    expect(refused.code).toBe(2);
    expect(refused.stdout).toMatch(/\[CRITICAL\] team\.k8s\.kubernetes: team k8s: cannot list the ingresses, services, deployments and secrets of namespace team-a: Forbidden \(403\)\n {4}fix: grant firedrill's service account 'list'/);
  }, 90_000);
});
