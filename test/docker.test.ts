import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { loadConfig } from '../src/config.js';
import { fromRoot } from '../src/paths.js';

// No Docker engine runs here: check what can be checked without one.
describe('container files', () => {
  it('docker-compose.yml declares the server, its port and a volume for the data dir', () => {
    const compose = parse(readFileSync(fromRoot('docker-compose.yml'), 'utf8')) as {
      services: Record<string, { build: string; ports: string[]; environment: Record<string, string>; volumes: string[] }>;
      volumes: Record<string, unknown>;
    };
    const svc = compose.services.firedrill;
    expect(svc).toBeDefined();
    expect(svc!.build).toBe('.');
    expect(svc!.ports).toContain('8080:8080');
    expect(svc!.environment.FIREDRILL_DATA_DIR).toBe('/data');
    expect(svc!.environment.HOST).toBe('0.0.0.0');
    const [volume, mount] = svc!.volumes[0]!.split(':');
    expect(mount).toBe('/data');
    expect(Object.keys(compose.volumes)).toContain(volume);
  });

  it('Dockerfile builds from the lock file and runs the built server on the data volume', () => {
    const text = readFileSync(fromRoot('Dockerfile'), 'utf8');
    const lines = text.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
    const froms = lines.filter((l) => l.startsWith('FROM '));
    expect(froms.every((l) => /node:20/.test(l))).toBe(true);
    expect(lines.some((l) => /npm ci/.test(l))).toBe(true);
    expect(lines).toContain('VOLUME ["/data"]');
    expect(lines).toContain('EXPOSE 8080');
    const cmd = lines.find((l) => l.startsWith('CMD '))!;
    const argv = JSON.parse(cmd.slice(4)) as string[];
    const pkg = JSON.parse(readFileSync(fromRoot('package.json'), 'utf8')) as { bin: { firedrill: string } };
    expect(argv[1]).toBe(pkg.bin.firedrill);
    // Every path the runtime needs is copied into the final image.
    for (const dir of ['dist', 'web/dist', 'drizzle', 'challenges', 'node_modules']) {
      expect(lines.some((l) => l.startsWith(`COPY --from=build /app/${dir} `))).toBe(true);
    }
  });

  it('docker-compose mounts firedrill.yaml read-only and takes every secret from the environment', () => {
    const compose = parse(readFileSync(fromRoot('docker-compose.yml'), 'utf8')) as { services: Record<string, { command: string[]; environment: Record<string, string>; volumes: string[] }> };
    const svc = compose.services.firedrill!;
    expect(svc.volumes).toContain('./firedrill.yaml:/etc/firedrill/firedrill.yaml:ro');
    expect(svc.command.slice(-2)).toEqual(['--config', '/etc/firedrill/firedrill.yaml']);
    for (const name of ['FIREDRILL_ADMIN_TOKEN', 'PAGERDUTY_API_TOKEN', 'PAGERDUTY_WEBHOOK_SECRETS', 'NEW_RELIC_API_KEY', 'SLACK_BOT_TOKEN', 'SLACK_APP_TOKEN', 'FIREDRILL_KUBECONFIG']) {
      // Taken from the environment, never written in the file.
      expect(svc.environment[name]).toBe(`\${${name}:-}`);
    }
  });

  it('firedrill.example.yaml is a valid configuration once the environment gives the secrets; the env wins', () => {
    const env = { PAGERDUTY_API_TOKEN: 'pd-token-from-env', PAGERDUTY_WEBHOOK_SECRETS: 'a, b', NEW_RELIC_API_KEY: 'NRAK-X', FIREDRILL_SECRET_GITHUB: 'ghp_x', FIREDRILL_KUBECONFIG: '/etc/firedrill/kubeconfig' };
    const c = loadConfig({ file: fromRoot('firedrill.example.yaml'), env });
    expect(c.pagerduty).toMatchObject({ apiToken: 'pd-token-from-env', webhookSecrets: ['a', 'b'] });
    expect(c.newrelic?.apiKey).toBe('NRAK-X');
    expect(c.secrets).toEqual({ github: 'ghp_x' });
    expect(c.kubernetes?.kubeconfig).toBe('/etc/firedrill/kubeconfig');
    expect(c.teams.map((t) => t.target?.kind ?? 'embedded')).toEqual(['embedded', 'kubernetes', 'exec']);
    expect(readFileSync(fromRoot('firedrill.example.yaml'), 'utf8')).not.toMatch(/apiToken:\s*\S+\s*$/m);
  });

  // Parsed YAML is untyped; these are the Kubernetes shapes the assertions read.
  /* eslint-disable @typescript-eslint/no-explicit-any */
  it('deploy/kubernetes: one replica with a PVC for the log, a Service, and RBAC limited to the teams\' namespaces and the adapter\'s verbs', () => {
    const docs = ['namespace', 'rbac', 'firedrill'].flatMap((f) => parseAllDocuments(readFileSync(fromRoot(`deploy/kubernetes/${f}.yaml`), 'utf8')).map((d) => d.toJS() as Record<string, any>));
    const of = (kind: string) => docs.filter((d) => d.kind === kind);
    const dep = of('Deployment')[0]!;
    expect(dep.apiVersion).toBe('apps/v1');
    expect(dep.spec.replicas).toBe(1);
    expect(dep.spec.strategy.type).toBe('Recreate');
    const pod = dep.spec.template.spec;
    expect(pod.serviceAccountName).toBe('firedrill');
    const pvc = of('PersistentVolumeClaim')[0]!;
    const dataVolume = pod.volumes.find((v: any) => v.persistentVolumeClaim);
    expect(dataVolume.persistentVolumeClaim.claimName).toBe(pvc.metadata.name);
    const c = pod.containers[0];
    expect(c.volumeMounts.find((m: any) => m.name === dataVolume.name).mountPath).toBe(c.env.find((e: any) => e.name === 'FIREDRILL_DATA_DIR').value);
    expect(c.volumeMounts.find((m: any) => m.mountPath === '/etc/firedrill').readOnly).toBe(true);
    expect(c.envFrom[0].secretRef.name).toBe('firedrill-secrets');
    const svc = of('Service')[0]!;
    expect(svc.spec.selector).toEqual(dep.spec.template.metadata.labels);
    expect(svc.spec.ports[0].targetPort).toBe(c.ports[0].name);
    // The ConfigMap's firedrill.yaml is a valid configuration.
    const cm = of('ConfigMap')[0]!;
    const dirOf = mkdtempSync(join(tmpdir(), 'fd-cm-'));
    writeFileSync(join(dirOf, 'firedrill.yaml'), cm.data['firedrill.yaml']);
    const cfg = loadConfig({ file: join(dirOf, 'firedrill.yaml'), env: {} });
    const namespaces = cfg.teams.map((t) => t.target?.namespace);
    // RBAC: nothing cluster-wide is bound; one RoleBinding per team namespace; only the adapter's verbs (and list, for doctor --team).
    expect(of('ClusterRoleBinding')).toEqual([]);
    const role = of('ClusterRole')[0]!;
    const bindings = of('RoleBinding');
    expect(bindings.map((b) => b.metadata.namespace).sort()).toEqual([...namespaces].sort());
    for (const b of bindings) {
      expect(b.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
      expect(b.subjects).toEqual([{ kind: 'ServiceAccount', name: pod.serviceAccountName, namespace: dep.metadata.namespace }]);
    }
    const verbs = Object.fromEntries(role.rules.flatMap((r: any) => r.resources.map((res: string) => [res, [...r.verbs].sort()])));
    expect(verbs).toEqual({ ingresses: ['get', 'list', 'patch'], networkpolicies: ['create', 'delete', 'get'], deployments: ['get', 'list', 'patch'], secrets: ['get', 'list', 'patch'], services: ['list'] });
    expect(role.rules.flatMap((r: any) => r.verbs)).not.toContain('*');
  });
});
