import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { backendCredentialsMatch, deploymentFromKubernetes, deploymentFromManifest, ingressRoutesHaveEndpoints, releaseNotBad, runCheck } from '../../src/doctor/checks.js';
import { exitCode, render, suppress, worst, type Finding } from '../../src/doctor/findings.js';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { initialManifest, setPath } from '../../src/platform/manifest.js';
import { baseManifest } from '../platform/harness.js';

const manifest = () => initialManifest(baseManifest(), { id: 'team-a', seed: 7 });

describe('lesson checks on the embedded manifest', () => {
  it('ingress-routes-have-endpoints: the base manifest is fine; the first fault (route → 8081) is caught; a team fix that moves the frontend to 8081 too is fine', () => {
    expect(ingressRoutesHaveEndpoints(deploymentFromManifest(manifest())).severity).toBe('ok');
    const broken = manifest();
    setPath(broken, 'ingress.routes.1.port', 8081);
    const r = ingressRoutesHaveEndpoints(deploymentFromManifest(broken));
    expect(r.severity).toBe('critical');
    expect(r.message).toContain('ingress.routes.1 (/) → frontend:8081, but frontend serves 80');
    setPath(broken, 'services.frontend.port', 8081);
    expect(ingressRoutesHaveEndpoints(deploymentFromManifest(broken)).severity).toBe('ok');
    const gone = manifest();
    setPath(gone, 'ingress.routes.0.service', 'api');
    expect(ingressRoutesHaveEndpoints(deploymentFromManifest(gone)).message).toContain("service 'api', which does not exist");
  });

  it('backend-credentials-match: a rotated database password (or a backend on another secret) is caught, and no password is ever shown', () => {
    expect(backendCredentialsMatch(deploymentFromManifest(manifest())).severity).toBe('ok');
    const m = manifest();
    m.secrets['db-password-new'] = 'hunter2-rotated';
    setPath(m, 'services.database.passwordSecret', 'db-password-new');
    const r = backendCredentialsMatch(deploymentFromManifest(m));
    expect(r.severity).toBe('critical');
    expect(r.message).toContain('password');
    expect(JSON.stringify(r)).not.toContain('hunter2');
    expect(JSON.stringify(r)).not.toContain(manifest().secrets['db-password']!);
    const u = manifest();
    setPath(u, 'services.backend.database.user', 'admin');
    expect(backendCredentialsMatch(deploymentFromManifest(u)).message).toContain("the backend uses 'admin'");
    const port = manifest();
    setPath(port, 'services.backend.database.port', 5433);
    expect(backendCredentialsMatch(deploymentFromManifest(port)).message).toContain('database:5433');
  });

  it('release-not-bad: from the scenario, the third fault marks what it rolls out (backend 1.5.0) as bad', () => {
    const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
    const spec = scenario.faults.find((f) => f.id === 'garbled-messages')!.check!;
    expect(spec).toEqual({ id: 'release-not-bad', bad: ['1.5.0'], component: 'backend' });
    expect(scenario.faults.find((f) => f.id === 'site-unreachable')!.check).toEqual({ id: 'ingress-routes-have-endpoints' });
    const m = manifest();
    expect(runCheck(spec, deploymentFromManifest(m)).severity).toBe('ok');
    setPath(m, 'services.backend.release', '1.5.0');
    const r = runCheck(spec, deploymentFromManifest(m));
    expect(r).toMatchObject({ severity: 'critical', message: 'backend runs 1.5.0, marked bad' });
    expect(releaseNotBad(deploymentFromManifest(m), {}).severity).toBe('warning');
  });
});

describe('lesson checks on Kubernetes objects (the chat-service-k8s manifests as the API returns them)', () => {
  const objects = () => {
    const all = ['ingress', 'frontend', 'backend', 'database', 'secret'].flatMap((f) =>
      parseAllDocuments(readFileSync(fromRoot(`challenges/chat-service-k8s/manifests/${f}.yaml`), 'utf8')).map((d) => d.toJS() as Record<string, unknown>),
    );
    const of = (kind: string) => all.filter((o) => o.kind === kind);
    // The API server turns stringData into base64 data.
    const secrets = of('Secret').map((s) => ({ ...s, data: Object.fromEntries(Object.entries(s.stringData as Record<string, string>).map(([k, v]) => [k, Buffer.from(v).toString('base64')])), stringData: undefined }));
    return { ingresses: of('Ingress'), services: of('Service'), deployments: of('Deployment'), secrets };
  };

  it('reads routes, service ports, credentials through secretKeyRefs and images', () => {
    const d = deploymentFromKubernetes('team-a', objects());
    expect(d.routes.map((r) => `${r.path}→${r.service}:${r.port}`)).toEqual(['/api→backend:8080', '/→frontend:80']);
    expect(d.backendCredentials).toMatchObject({ user: 'chat', password: 'change-me-per-team', service: 'database', port: 5432 });
    expect(d.databaseCredentials).toMatchObject({ user: 'chat', password: 'change-me-per-team' });
    expect(d.releases.backend).toBe('ghcr.io/firedrill/chat-backend:1.4.0');
    expect(ingressRoutesHaveEndpoints(d).severity).toBe('ok');
    expect(backendCredentialsMatch(d).severity).toBe('ok');
  });

  it('catches the k8s scenario faults: ingress port 8081, the bad image, a backend pointed at another secret', () => {
    const o = objects();
    const ing = o.ingresses[0] as { spec: { rules: Array<{ http: { paths: Array<{ backend: { service: { port: { number: number } } } }> } }> } };
    ing.spec.rules[0]!.http.paths[1]!.backend.service.port.number = 8081;
    const scenario = loadScenario(fromRoot('challenges/chat-service-k8s/scenario.yaml'));
    const release = scenario.faults.find((f) => f.check?.id === 'release-not-bad')!.check!;
    const dep = o.deployments.find((x) => (x.metadata as { name: string }).name === 'backend') as { spec: { template: { spec: { containers: Array<{ image: string; env: Array<{ name: string; valueFrom?: { secretKeyRef: { name: string } } }> }> } } } };
    dep.spec.template.spec.containers[0]!.image = release.bad![0]!;
    dep.spec.template.spec.containers[0]!.env.find((e) => e.name === 'DATABASE_PASSWORD')!.valueFrom!.secretKeyRef.name = 'old-credentials';
    o.secrets.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'old-credentials' }, data: { password: Buffer.from('old').toString('base64') }, stringData: undefined } as (typeof o.secrets)[number]);
    const d = deploymentFromKubernetes('team-a', o);
    expect(ingressRoutesHaveEndpoints(d).severity).toBe('critical');
    expect(runCheck(release, d)).toMatchObject({ severity: 'critical' });
    expect(backendCredentialsMatch(d)).toMatchObject({ severity: 'critical' });
  });
});

describe('doctor findings: severity, suppression, formats', () => {
  const findings: Finding[] = [
    { id: 'scenario', severity: 'ok', message: 'valid' },
    { id: 'pagerduty.public-url', severity: 'warning', message: 'publicUrl is not set', fix: 'set publicUrl' },
    { id: 'team.a.baseline.page', severity: 'critical', message: 'probe page is red <script>alert(1)</script> [x](http://evil)', fix: 'fix it' },
  ];

  it('exit code is the worst severity: 0 ok, 1 warning, 2 critical; suppressed ids (exact or prefix*) do not count', () => {
    expect(exitCode(findings)).toBe(2);
    expect(exitCode(findings.slice(0, 2))).toBe(1);
    expect(exitCode(findings.slice(0, 1))).toBe(0);
    const { shown, suppressed } = suppress(findings, ['team.a.*', 'pagerduty.public-url']);
    expect(suppressed.map((f) => f.id)).toEqual(['pagerduty.public-url', 'team.a.baseline.page']);
    expect(worst(shown)).toBe('ok');
  });

  it('text, markdown and GitHub task list; user text cannot become Markdown or HTML', () => {
    const text = render(findings, 'text', { suppressed: 1 });
    expect(text.split('\n')[0]).toBe('firedrill doctor: 1 critical, 1 warning, 1 ok, 1 suppressed');
    expect(text).toContain('[CRITICAL] team.a.baseline.page: probe page is red');
    expect(text).toContain('    fix: set publicUrl');
    const md = render(findings, 'markdown');
    expect(md).toContain('| severity | id | finding | fix |');
    expect(md).toContain('| Critical | `team.a.baseline.page` |');
    expect(md).not.toContain('<script>');
    expect(md).toContain('\\<script\\>');
    expect(md).toContain('\\[x\\]');
    const gh = render(findings, 'github');
    expect(gh).toContain('### Critical (1)');
    expect(gh).toContain('- [ ] `team.a.baseline.page`');
    expect(gh).toContain('- [x] `scenario` valid');
    // Critical first.
    expect(gh.indexOf('Critical')).toBeLessThan(gh.indexOf('Warning'));
  });
});
