import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultActions } from '../../src/scenario/types.js';
import { FAULT_LABEL, KubernetesTarget } from '../../src/targets/kubernetes.js';
import { FakeKubernetes, type KObject } from '../fakes/kubernetes.js';

const NS = 'team-a';

function seed(k: FakeKubernetes) {
  k.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: { name: 'chat', namespace: NS },
    spec: {
      ingressClassName: 'nginx',
      rules: [
        {
          host: 'team-a.example.test',
          http: {
            paths: [
              { path: '/api', pathType: 'Prefix', backend: { service: { name: 'backend', port: { number: 8000 } } } },
              { path: '/', pathType: 'Prefix', backend: { service: { name: 'frontend', port: { number: 8080 } } } },
            ],
          },
        },
      ],
    },
  });
  k.put({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'backend', namespace: NS },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'backend' } },
      template: {
        metadata: { labels: { app: 'backend' } },
        spec: {
          containers: [
            { name: 'backend', image: 'ghcr.io/firedrill/chat-backend:1.4.2', ports: [{ containerPort: 8000 }] },
            { name: 'log-shipper', image: 'fluent/fluent-bit:3.1' },
          ],
        },
      },
    },
  });
  k.put({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: NS }, type: 'Opaque', data: { password: Buffer.from('s3cret-db').toString('base64') } });
  k.put({
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'backend-to-db', namespace: NS, labels: { app: 'chat' } },
    spec: { podSelector: { matchLabels: { app: 'database' } }, policyTypes: ['Ingress'], ingress: [{ from: [{ podSelector: { matchLabels: { app: 'backend' } } }] }] },
  });
}

const ingressPort = (k: FakeKubernetes, i = 1) => (k.get('Ingress', NS, 'chat')!.spec as { rules: Array<{ http: { paths: Array<{ backend: { service: { port: unknown } } }> } }> }).rules[0]!.http.paths[i]!.backend.service.port;
const images = (k: FakeKubernetes) => ((k.get('Deployment', NS, 'backend')!.spec as { template: { spec: { containers: Array<{ name: string; image: string }> } } }).template.spec.containers).map((c) => `${c.name}=${c.image}`);

describe('the kubernetes target, against a fake API server', () => {
  let k: FakeKubernetes;
  let target: KubernetesTarget;

  beforeEach(async () => {
    k = await new FakeKubernetes().start();
    seed(k);
    const kc = new KubeConfig();
    kc.loadFromString(k.kubeconfig());
    target = new KubernetesTarget({ kubeConfig: kc, teams: { a: { namespaces: [NS], publicUrl: 'https://team-a.example.test' }, b: { namespaces: ['team-b'] } }, requestTimeoutMs: 2000 });
  });
  afterEach(() => k.stop());

  const req = (kubernetes: NonNullable<FaultActions['kubernetes']>, team = 'a', fault = 'site-unreachable') => ({ team, fault, actions: { kubernetes } });
  const patches = () => k.requests.filter((r) => r.method === 'PATCH');

  it('patches an Ingress port with a merge patch carrying resourceVersion, once, and reverts it', async () => {
    const r = req([{ action: 'ingress', name: 'chat', path: 1, set: { servicePort: 8081 } }]);
    const plan = await target.plan(r);
    expect(plan.summary).toBe('ingresses.networking.k8s.io team-a/chat: spec.rules[0].http.paths[1].backend.service.port: {"number":8080} → {"number":8081}');
    expect(patches()).toHaveLength(0); // plan only reads
    const rv = k.get('Ingress', NS, 'chat')!.metadata.resourceVersion;

    await target.inject(r, plan.handle);
    expect(ingressPort(k)).toEqual({ number: 8081 });
    expect(ingressPort(k, 0)).toEqual({ number: 8000 }); // the other path untouched
    expect(patches()).toHaveLength(1);
    expect(patches()[0]).toMatchObject({ contentType: 'application/merge-patch+json', path: `/apis/networking.k8s.io/v1/namespaces/${NS}/ingresses/chat`, body: { metadata: { resourceVersion: rv } } });

    await target.inject(r, plan.handle); // inject twice = once
    expect(patches()).toHaveLength(1);
    expect(await target.inPlace('a', plan.handle)).toBe(true);

    const back = await target.revert('a', plan.handle);
    expect(back.changed).toBe(true);
    expect(ingressPort(k)).toEqual({ number: 8080 });
    expect(await target.inPlace('a', plan.handle)).toBe(false);
    expect((await target.revert('a', plan.handle)).changed).toBe(false); // revert twice = once
    expect(target.publicUrl('a')).toBe('https://team-a.example.test');
  });

  it("never undoes a team's own fix: revert keeps a field that no longer holds the fault's value", async () => {
    const r = req([{ action: 'ingress', name: 'chat', path: 1, set: { servicePort: 8081 } }]);
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    // The team fixes it their own way: point the route at a named port.
    k.edit('Ingress', NS, 'chat', (o) => {
      ((o.spec as { rules: Array<{ http: { paths: Array<{ backend: { service: { port: unknown } } }> } }> }).rules[0]!.http.paths[1]!.backend.service.port = { name: 'http' });
    });
    const before = patches().length;
    const back = await target.revert('a', plan.handle);
    expect(back.changed).toBe(false);
    expect(back.detail).toContain("kept the team's own change");
    expect(ingressPort(k)).toEqual({ name: 'http' });
    expect(patches()).toHaveLength(before);
  });

  it("sets one container's image with a strategic merge patch (other containers kept) and rolls it back", async () => {
    const r = req([{ action: 'image', deployment: 'backend', container: 'backend', image: 'ghcr.io/firedrill/chat-backend:1.5.0' }], 'a', 'garbled');
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    expect(patches().at(-1)).toMatchObject({ contentType: 'application/strategic-merge-patch+json', body: { spec: { template: { spec: { containers: [{ name: 'backend', image: 'ghcr.io/firedrill/chat-backend:1.5.0' }] } } } } });
    expect(images(k)).toEqual(['backend=ghcr.io/firedrill/chat-backend:1.5.0', 'log-shipper=fluent/fluent-bit:3.1']);
    await target.revert('a', plan.handle);
    expect(images(k)).toEqual(['backend=ghcr.io/firedrill/chat-backend:1.4.2', 'log-shipper=fluent/fluent-bit:3.1']);
  });

  it('refuses an image change on a Deployment with several containers when none is named', async () => {
    await expect(target.plan(req([{ action: 'image', deployment: 'backend', image: 'x:1' }]))).rejects.toThrow(/has 2 containers; name one with 'container'/);
  });

  it('creates a deny NetworkPolicy labelled with the fault and deletes only that one on revert', async () => {
    const spec = { podSelector: { matchLabels: { app: 'database' } }, policyTypes: ['Ingress'] };
    const r = req([{ action: 'networkPolicy', name: 'deny-db', spec }], 'a', 'database-unreachable');
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    await target.inject(r, plan.handle); // idempotent
    expect(k.requests.filter((x) => x.method === 'POST')).toHaveLength(1);
    const np = k.get('NetworkPolicy', NS, 'deny-db')!;
    expect(np).toMatchObject({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { labels: { [FAULT_LABEL]: 'database-unreachable' } }, spec });
    expect(await target.inPlace('a', plan.handle)).toBe(true);

    const back = await target.revert('a', plan.handle);
    expect(back).toMatchObject({ changed: true, detail: expect.stringContaining('deleted networkpolicy team-a/deny-db') });
    expect(k.get('NetworkPolicy', NS, 'deny-db')).toBeUndefined();
    expect(k.requests.find((x) => x.method === 'DELETE')!.body).toMatchObject({ preconditions: { resourceVersion: np.metadata.resourceVersion } });
  });

  it('keeps a NetworkPolicy the team edited, and treats one the team deleted as already fixed', async () => {
    const spec = { podSelector: {}, policyTypes: ['Ingress'] };
    const r = req([{ action: 'networkPolicy', name: 'deny-db', spec }], 'a', 'database-unreachable');
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    k.edit('NetworkPolicy', NS, 'deny-db', (o) => {
      (o.spec as Record<string, unknown>).ingress = [{ from: [{ podSelector: { matchLabels: { app: 'backend' } } }] }];
    });
    expect(await target.revert('a', plan.handle)).toMatchObject({ changed: false, detail: expect.stringContaining('changed by the team') });
    expect(k.get('NetworkPolicy', NS, 'deny-db')).toBeDefined();
    k.remove('NetworkPolicy', NS, 'deny-db');
    expect(await target.revert('a', plan.handle)).toMatchObject({ changed: false, detail: 'nothing to restore' });
  });

  it('deletes a NetworkPolicy and recreates it (same spec and labels) on revert', async () => {
    const original = k.get('NetworkPolicy', NS, 'backend-to-db')!;
    const r = req([{ action: 'deleteNetworkPolicy', name: 'backend-to-db' }]);
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    expect(k.get('NetworkPolicy', NS, 'backend-to-db')).toBeUndefined();
    expect(await target.inPlace('a', plan.handle)).toBe(true);
    await target.revert('a', plan.handle);
    const again = k.get('NetworkPolicy', NS, 'backend-to-db')!;
    expect(again.spec).toEqual(original.spec);
    expect(again.metadata.labels).toEqual({ app: 'chat' });
  });

  it('changes a Secret key and scales a Deployment, restoring both; the summary never shows the secret', async () => {
    const r = req([
      { action: 'secret', name: 'db', set: { password: 'rotated-wrong' } },
      { action: 'scale', deployment: 'backend', replicas: 0 },
    ]);
    const plan = await target.plan(r);
    expect(plan.summary).not.toContain('rotated-wrong');
    expect(plan.summary).toContain('data.password changed');
    await target.inject(r, plan.handle);
    const data = (s: KObject | undefined) => Buffer.from((s!.data as { password: string }).password, 'base64').toString();
    expect(data(k.get('Secret', NS, 'db'))).toBe('rotated-wrong');
    expect((k.get('Deployment', NS, 'backend')!.spec as { replicas: number }).replicas).toBe(0);
    const back = await target.revert('a', plan.handle);
    expect(back.detail).not.toContain('s3cret-db');
    expect(data(k.get('Secret', NS, 'db'))).toBe('s3cret-db');
    expect((k.get('Deployment', NS, 'backend')!.spec as { replicas: number }).replicas).toBe(2);
  });

  it('reports a 409 conflict (the object changed between read and write) and does not retry', async () => {
    const r = req([{ action: 'scale', deployment: 'backend', replicas: 0 }]);
    const plan = await target.plan(r);
    k.beforeNextWrite = () => k.edit('Deployment', NS, 'backend', (o) => ((o.spec as { replicas: number }).replicas = 3));
    await expect(target.inject(r, plan.handle)).rejects.toThrow(
      /patch deployments\.apps team-a\/backend: Conflict \(409\): Operation cannot be fulfilled on deployments\.apps "backend": the object has been modified.*not retried/,
    );
    expect(patches()).toHaveLength(1);
    expect((k.get('Deployment', NS, 'backend')!.spec as { replicas: number }).replicas).toBe(3);
  });

  it('reports a missing object at plan, and at revert after the team deleted it', async () => {
    await expect(target.plan(req([{ action: 'scale', deployment: 'api', replicas: 0 }]))).rejects.toThrow(
      'get deployments.apps team-a/api: NotFound (404): deployments.apps "api" not found — the object does not exist',
    );
    const r = req([{ action: 'scale', deployment: 'backend', replicas: 0 }]);
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    k.remove('Deployment', NS, 'backend');
    await expect(target.revert('a', plan.handle)).rejects.toThrow(/NotFound \(404\)/);
  });

  it('reports 403 Forbidden with the verb the service account lacks', async () => {
    k.forbid('patch', 'ingresses', NS);
    const r = req([{ action: 'ingress', name: 'chat', path: 1, set: { servicePort: 8081 } }]);
    const plan = await target.plan(r);
    await expect(target.inject(r, plan.handle)).rejects.toThrow(
      /patch ingresses\.networking\.k8s\.io team-a\/chat: Forbidden \(403\): .*cannot patch resource "ingresses".*grant firedrill's service account 'patch'/,
    );
  });

  it('refuses at plan, without a request, a namespace outside the team allow-list', async () => {
    await expect(target.plan(req([{ action: 'scale', deployment: 'backend', namespace: 'team-b', replicas: 0 }]))).rejects.toThrow(
      "namespace 'team-b' is not allowed for team a (allowed: team-a)",
    );
    await expect(target.plan(req([{ action: 'scale', deployment: 'coredns', namespace: 'kube-system', replicas: 0 }], 'b'))).rejects.toThrow(/not allowed for team b/);
    await expect(target.plan(req([{ action: 'scale', deployment: 'backend', replicas: 0 }], 'nobody'))).rejects.toThrow('team nobody has no Kubernetes namespaces');
    expect(k.requests).toHaveLength(0);
  });

  it('fills {{team}} in the namespace, then applies the allow-list', async () => {
    const plan = await target.plan(req([{ action: 'scale', deployment: 'backend', namespace: 'team-{{team}}', replicas: 1 }]));
    expect(plan.summary).toContain('team-a/backend');
  });

  it('gives up on a hung API server after the per-request timeout instead of hanging', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(k.kubeconfig());
    const quick = new KubernetesTarget({ kubeConfig: kc, teams: { a: { namespaces: [NS] } }, requestTimeoutMs: 300 });
    k.hang = true;
    await expect(quick.plan(req([{ action: 'scale', deployment: 'backend', replicas: 0 }]))).rejects.toThrow('get deployments.apps team-a/backend: the API server did not answer in time');
  });
});
