import { KubeConfig } from '@kubernetes/client-node';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { fromRoot } from '../../src/paths.js';
import { loadScenario } from '../../src/scenario/load.js';
import { KubernetesTarget } from '../../src/targets/kubernetes.js';
import { FakeKubernetes, type KObject } from '../fakes/kubernetes.js';

const DIR = fromRoot('challenges/chat-service-k8s');
const manifests = readdirSync(join(DIR, 'manifests'))
  .filter((f) => f.endsWith('.yaml'))
  .flatMap((f) => parseAllDocuments(readFileSync(join(DIR, 'manifests', f), 'utf8')).map((d) => d.toJS() as KObject));
const find = (kind: string, name: string) => manifests.find((m) => m.kind === kind && m.metadata.name === name)!;

describe('challenges/chat-service-k8s', () => {
  const s = loadScenario(join(DIR, 'scenario.yaml'));

  it('validates with the loader; its three faults are written for the kubernetes target only', () => {
    expect(s.name).toBe('chat-service-k8s');
    expect(s.faults.map((f) => f.id)).toEqual(['site-unreachable', 'database-unreachable', 'garbled-messages']);
    for (const f of s.faults) expect(Object.keys(f.inject)).toEqual(['kubernetes']);
    expect(s.service.platform).toBeUndefined();
  });

  it('ships every manifest the faults name, and each fault really breaks them', () => {
    const ing = find('Ingress', 'chat') as KObject & { spec: { rules: Array<{ http: { paths: Array<{ path: string; backend: { service: { name: string; port: { number: number } } } }> } }> } };
    const root = ing.spec.rules[0]!.http.paths[1]!;
    expect(root.path).toBe('/');
    const svc = find('Service', root.backend.service.name) as KObject & { spec: { ports: Array<{ port: number }> } };
    expect(svc.spec.ports.map((p) => p.port)).toContain(root.backend.service.port.number);
    expect(svc.spec.ports.map((p) => p.port)).not.toContain(8081); // the fault's port has no endpoint
    const [f1, f2, f3] = s.faults;
    expect(f1!.inject.kubernetes).toEqual([{ action: 'ingress', name: 'chat', rule: 0, path: 1, set: { servicePort: 8081 } }]);
    // The egress policy selects exactly the backend pods and does not allow the database port.
    const backend = find('Deployment', 'backend') as KObject & { spec: { template: { metadata: { labels: Record<string, string> } } } };
    const np = f2!.inject.kubernetes![0]!;
    if (np.action !== 'networkPolicy') throw new Error('fault 2 must create a NetworkPolicy');
    expect((np.spec as { podSelector: { matchLabels: Record<string, string> } }).podSelector.matchLabels).toEqual(backend.spec.template.metadata.labels);
    expect(JSON.stringify(np.spec)).not.toContain('5432');
    expect(f3!.inject.kubernetes).toEqual([{ action: 'image', deployment: 'backend', container: 'backend', image: 'ghcr.io/firedrill/chat-backend:1.5.0' }]);
    for (const kind of ['Namespace', 'Secret', 'NetworkPolicy']) expect(manifests.some((m) => m.kind === kind)).toBe(true);
    expect(manifests.filter((m) => m.kind === 'Deployment').map((m) => m.metadata.name).sort()).toEqual(['backend', 'database', 'frontend']);
  });

  describe('played against a fake API server seeded with the manifests', () => {
    let k: FakeKubernetes;
    let target: KubernetesTarget;
    beforeAll(async () => {
      k = await new FakeKubernetes().start();
      for (const m of manifests) {
        if (!['Ingress', 'Deployment', 'NetworkPolicy', 'Secret'].includes(m.kind)) continue;
        const obj = structuredClone(m);
        obj.metadata.namespace = 'team-a';
        if (obj.kind === 'Secret') {
          obj.data = Object.fromEntries(Object.entries(obj.stringData as Record<string, string>).map(([key, v]) => [key, Buffer.from(v).toString('base64')]));
          delete obj.stringData;
        }
        k.put(obj);
      }
      const kc = new KubeConfig();
      kc.loadFromString(k.kubeconfig());
      target = new KubernetesTarget({ kubeConfig: kc, teams: { a: { namespaces: ['team-a'] } } });
    });
    afterAll(() => k.stop());

    it('injects and reverts each fault, leaving the namespace as it was', async () => {
      const before = ['Ingress/chat', 'Deployment/backend', 'NetworkPolicy/allow-backend-to-database'].map((x) => {
        const [kind, name] = x.split('/');
        return k.get(kind!, 'team-a', name!)!.spec;
      });
      for (const f of s.faults) {
        const req = { team: 'a', fault: f.id, actions: f.inject };
        const plan = await target.plan(req);
        await target.inject(req, plan.handle);
        expect(await target.inPlace('a', plan.handle)).toBe(true);
        expect((await target.revert('a', plan.handle)).changed).toBe(true);
      }
      const after = ['Ingress/chat', 'Deployment/backend', 'NetworkPolicy/allow-backend-to-database'].map((x) => {
        const [kind, name] = x.split('/');
        return k.get(kind!, 'team-a', name!)!.spec;
      });
      expect(after).toEqual(before);
      expect(k.get('NetworkPolicy', 'team-a', 'restrict-backend-egress')).toBeUndefined();
    });
  });
});
