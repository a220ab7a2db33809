import { ApiException, AppsV1Api, CoreV1Api, KubeConfig, NetworkingV1Api, Observable, PatchStrategy, type ConfigurationOptions } from '@kubernetes/client-node';
import type { KubernetesChange } from '../scenario/types.js';
import { render, teamValues, type TeamTarget } from './team-vars.js';
import type { FaultRequest, Plan, RevertResult, TargetAdapter } from './types.js';

/**
 * Faults on a team's own Kubernetes namespace: patch an Ingress, create or delete a NetworkPolicy,
 * change a Secret, set a Deployment's image, scale a Deployment. The handle records every field
 * changed (before → after); inject and revert send the object's `resourceVersion` with each write,
 * so a write based on a stale read is refused by the API server (409), and revert puts a field back
 * only while it still holds the fault's value, so a team's own fix is kept. Nothing is retried:
 * a 409, 404 or 403 becomes an error naming the object, which the game turns into a warning.
 */

export interface KubernetesTargetOptions {
  kubeConfig: KubeConfig;
  /** Per team: the namespaces it may touch (the allow-list; the first is the default) and its public URL. */
  teams: Record<string, TeamTarget & { namespaces: string[] }>;
  /** Wall ms per API request before it is abandoned (default 10 s). */
  requestTimeoutMs?: number;
}

/** A kubeconfig file (or, with no file, the in-cluster service account). */
export function loadKubeConfig(file?: string): KubeConfig {
  const kc = new KubeConfig();
  if (file) kc.loadFromFile(file);
  else kc.loadFromCluster();
  return kc;
}

/** The label on objects this adapter creates, so revert deletes only its own. */
export const FAULT_LABEL = 'firedrill.dev/fault';

type Resource = 'ingress' | 'secret' | 'deployment' | 'networkpolicy';
type Path = Array<string | number>;
interface Field {
  path: Path;
  /** null = absent. */
  before: unknown;
  after: unknown;
}
type Change =
  | { op: 'patch'; resource: 'ingress' | 'secret' | 'deployment'; namespace: string; name: string; fields: Field[] }
  | { op: 'image'; namespace: string; name: string; container: string; before: string; after: string }
  | { op: 'createNetworkPolicy'; namespace: string; name: string; spec: Record<string, unknown> }
  | { op: 'deleteNetworkPolicy'; namespace: string; name: string; previous: { labels: Record<string, string>; annotations: Record<string, string>; spec: unknown } };
export interface KubernetesHandle {
  kind: 'kubernetes';
  fault: string;
  changes: Change[];
}

const KIND: Record<Resource, string> = { ingress: 'ingresses.networking.k8s.io', secret: 'secrets', deployment: 'deployments.apps', networkpolicy: 'networkpolicies.networking.k8s.io' };
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
/** Plain JSON (the client's models hold Dates and undefineds). */
const plain = <T>(v: T): T => JSON.parse(JSON.stringify(v ?? null)) as T;
const norm = (v: unknown) => (v === undefined ? null : plain(v));
const same = (a: unknown, b: unknown) => JSON.stringify(sortKeys(norm(a))) === JSON.stringify(sortKeys(norm(b)));
function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}
function getAt(o: unknown, path: Path): unknown {
  let cur = o;
  for (const seg of path) {
    if (cur === null || typeof cur !== 'object') return null;
    cur = (cur as Record<string | number, unknown>)[seg];
  }
  return cur ?? null;
}
function setAt(o: Record<string, unknown>, path: Path, value: unknown): void {
  let cur: Record<string | number, unknown> = o;
  path.slice(0, -1).forEach((seg, i) => {
    if (!isObj(cur[seg]) && !Array.isArray(cur[seg])) cur[seg] = typeof path[i + 1] === 'number' ? [] : {};
    cur = cur[seg] as Record<string | number, unknown>;
  });
  const last = path[path.length - 1]!;
  if (value === null) delete cur[last];
  else cur[last] = value;
}
/**
 * A JSON merge patch that sets these fields of `obj`: a list cannot be merged, so from the first list
 * on the path the whole (edited) list goes in the patch. `resourceVersion` makes it a compare-and-swap.
 */
function mergePatchFor(obj: unknown, fields: Field[], to: 'before' | 'after'): Record<string, unknown> {
  const next = plain(obj) as Record<string, unknown>;
  for (const f of fields) setAt(next, f.path, plain(f[to]));
  const patch: Record<string, unknown> = { metadata: { resourceVersion: getAt(obj, ['metadata', 'resourceVersion']) } };
  for (const f of fields) {
    const cut = f.path.findIndex((seg) => typeof seg === 'number');
    const upto = cut < 0 ? f.path : f.path.slice(0, cut);
    setAt(patch, upto, cut < 0 ? (f[to] === null ? null : plain(f[to])) : getAt(next, upto));
    if (cut < 0 && f[to] === null) {
      // setAt deletes on null; a merge patch removes a field by sending null.
      let cur = patch;
      for (const seg of upto.slice(0, -1)) cur = cur[seg] as Record<string, unknown>;
      cur[upto[upto.length - 1] as string] = null;
    }
  }
  return patch;
}

/** The Kubernetes `Status` of a failed call, as one sentence for organizers. */
export function describeError(err: unknown, verb: string, resource: Resource, namespace: string, name: string): Error {
  const what = `${verb} ${KIND[resource]} ${namespace}/${name}`;
  if (err instanceof ApiException) {
    let st: { reason?: string; message?: string } = {};
    try {
      st = typeof err.body === 'string' ? (JSON.parse(err.body) as typeof st) : isObj(err.body) ? (err.body as typeof st) : {};
    } catch {
      /* not a Status */
    }
    const why = st.message ?? `HTTP ${err.code}`;
    const hint =
      err.code === 409
        ? ' — it changed while firedrill was writing it; not retried: look at the object and retry the fault or revert by hand'
        : err.code === 404
          ? ' — the object does not exist (check the scenario and the team namespace)'
          : err.code === 403
            ? ` — grant firedrill's service account '${verb}' on ${KIND[resource]} in ${namespace} (see challenges/chat-service-k8s/README.md)`
            : '';
    return new Error(`${what}: ${st.reason ?? 'Error'} (${err.code}): ${why}${hint}`);
  }
  const e = err as Error & { cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') return new Error(`${what}: the API server did not answer in time`);
  return new Error(`${what}: ${e?.message ?? String(err)}${e?.cause?.code ? ` (${e.cause.code})` : ''}`);
}

const show = (v: unknown) => (v === null ? '(absent)' : JSON.stringify(v));

export class KubernetesTarget implements TargetAdapter {
  readonly kind = 'kubernetes';
  private readonly net: NetworkingV1Api;
  private readonly core: CoreV1Api;
  private readonly apps: AppsV1Api;
  private readonly timeoutMs: number;

  constructor(private readonly o: KubernetesTargetOptions) {
    this.net = o.kubeConfig.makeApiClient(NetworkingV1Api);
    this.core = o.kubeConfig.makeApiClient(CoreV1Api);
    this.apps = o.kubeConfig.makeApiClient(AppsV1Api);
    this.timeoutMs = o.requestTimeoutMs ?? 10_000;
  }

  /** Per-call options: a deadline (AbortSignal) and, for a patch, its content type (2.x sends json-patch by default). */
  private opts(contentType?: string): ConfigurationOptions {
    const ms = this.timeoutMs;
    return {
      middleware: [
        {
          pre: (ctx) => {
            ctx.setSignal(AbortSignal.timeout(ms));
            if (contentType) ctx.setHeaderParam('Content-Type', contentType);
            return new Observable(Promise.resolve(ctx));
          },
          post: (res) => new Observable(Promise.resolve(res)),
        },
      ],
      middlewareMergeStrategy: 'append',
    };
  }

  private async call<T>(verb: string, resource: Resource, namespace: string, name: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw describeError(err, verb, resource, namespace, name);
    }
  }

  private async readRaw(resource: Resource, namespace: string, name: string): Promise<Record<string, unknown>> {
    const o = this.opts();
    const r =
      resource === 'ingress'
        ? await this.net.readNamespacedIngress({ name, namespace }, o)
        : resource === 'secret'
          ? await this.core.readNamespacedSecret({ name, namespace }, o)
          : resource === 'deployment'
            ? await this.apps.readNamespacedDeployment({ name, namespace }, o)
            : await this.net.readNamespacedNetworkPolicy({ name, namespace }, o);
    return plain(r) as unknown as Record<string, unknown>;
  }

  private read(resource: Resource, namespace: string, name: string): Promise<Record<string, unknown>> {
    return this.call('get', resource, namespace, name, () => this.readRaw(resource, namespace, name));
  }

  /** Read, or undefined when the object does not exist (a 404); other errors throw. */
  private async readIfAny(resource: Resource, namespace: string, name: string): Promise<Record<string, unknown> | undefined> {
    try {
      return await this.readRaw(resource, namespace, name);
    } catch (err) {
      if (err instanceof ApiException && err.code === 404) return undefined;
      throw describeError(err, 'get', resource, namespace, name);
    }
  }

  private patch(resource: 'ingress' | 'secret' | 'deployment', namespace: string, name: string, body: unknown, type: string): Promise<unknown> {
    const o = this.opts(type);
    return this.call('patch', resource, namespace, name, async (): Promise<unknown> => {
      if (resource === 'ingress') return this.net.patchNamespacedIngress({ name, namespace, body }, o);
      if (resource === 'secret') return this.core.patchNamespacedSecret({ name, namespace, body }, o);
      return this.apps.patchNamespacedDeployment({ name, namespace, body }, o);
    });
  }

  private team(team: string) {
    const t = this.o.teams[team];
    if (!t || t.namespaces.length === 0) throw new Error(`team ${team} has no Kubernetes namespaces in the configuration`);
    return t;
  }

  private actions(req: FaultRequest): KubernetesChange[] {
    const a = req.actions.kubernetes;
    if (!a?.length) throw new Error(`fault ${req.fault} has no 'kubernetes' action`);
    return a;
  }

  /** The namespace of a change, refused unless it is on the team's allow-list. */
  private namespaceOf(req: FaultRequest, c: KubernetesChange): string {
    const t = this.team(req.team);
    const ns = c.namespace === undefined ? t.namespaces[0]! : render(c.namespace, teamValues(req.team, req.fault, t), 'mask');
    if (!t.namespaces.includes(ns)) throw new Error(`namespace '${ns}' is not allowed for team ${req.team} (allowed: ${t.namespaces.join(', ')})`);
    return ns;
  }

  async plan(req: FaultRequest): Promise<Plan> {
    const changes: Change[] = [];
    for (const c of this.actions(req)) {
      const ns = this.namespaceOf(req, c);
      switch (c.action) {
        case 'ingress': {
          const ing = await this.read('ingress', ns, c.name);
          const r = c.rule ?? 0;
          const p = c.path ?? 0;
          const entry: Path = ['spec', 'rules', r, 'http', 'paths', p];
          if (getAt(ing, entry) === null) throw new Error(`ingress ${ns}/${c.name} has no spec.rules[${r}].http.paths[${p}]`);
          const fields: Field[] = [];
          const field = (path: Path, after: unknown) => fields.push({ path, before: norm(getAt(ing, path)), after });
          if (c.set.path !== undefined) field([...entry, 'path'], c.set.path);
          if (c.set.serviceName !== undefined) field([...entry, 'backend', 'service', 'name'], c.set.serviceName);
          if (c.set.servicePort !== undefined) field([...entry, 'backend', 'service', 'port'], typeof c.set.servicePort === 'number' ? { number: c.set.servicePort } : { name: c.set.servicePort });
          if (c.set.host !== undefined) field(['spec', 'rules', r, 'host'], c.set.host);
          if (c.set.className !== undefined) field(['spec', 'ingressClassName'], c.set.className);
          changes.push({ op: 'patch', resource: 'ingress', namespace: ns, name: c.name, fields });
          break;
        }
        case 'secret': {
          const s = await this.read('secret', ns, c.name);
          // Stored as the API stores it (base64): the handle must restore the exact bytes.
          const fields = Object.entries(c.set).map(([k, v]) => ({ path: ['data', k], before: norm(getAt(s, ['data', k])), after: Buffer.from(v, 'utf8').toString('base64') }));
          changes.push({ op: 'patch', resource: 'secret', namespace: ns, name: c.name, fields });
          break;
        }
        case 'scale': {
          const d = await this.read('deployment', ns, c.deployment);
          changes.push({ op: 'patch', resource: 'deployment', namespace: ns, name: c.deployment, fields: [{ path: ['spec', 'replicas'], before: norm(getAt(d, ['spec', 'replicas'])), after: c.replicas }] });
          break;
        }
        case 'image': {
          const d = await this.read('deployment', ns, c.deployment);
          const containers = (getAt(d, ['spec', 'template', 'spec', 'containers']) ?? []) as Array<{ name: string; image?: string }>;
          const target = c.container === undefined ? (containers.length === 1 ? containers[0] : undefined) : containers.find((x) => x.name === c.container);
          if (!target) {
            throw new Error(
              `deployment ${ns}/${c.deployment}: ${c.container === undefined ? `has ${containers.length} containers; name one with 'container'` : `has no container '${c.container}'`} (containers: ${containers.map((x) => x.name).join(', ')})`,
            );
          }
          changes.push({ op: 'image', namespace: ns, name: c.deployment, container: target.name, before: target.image ?? '', after: c.image });
          break;
        }
        case 'networkPolicy': {
          const cur = await this.readIfAny('networkpolicy', ns, c.name);
          if (cur && getAt(cur, ['metadata', 'labels', FAULT_LABEL]) !== req.fault) {
            throw new Error(`networkpolicies.networking.k8s.io ${ns}/${c.name} already exists and was not made by this fault: choose another name`);
          }
          changes.push({ op: 'createNetworkPolicy', namespace: ns, name: c.name, spec: c.spec });
          break;
        }
        case 'deleteNetworkPolicy': {
          const cur = await this.read('networkpolicy', ns, c.name);
          changes.push({
            op: 'deleteNetworkPolicy',
            namespace: ns,
            name: c.name,
            previous: {
              labels: (getAt(cur, ['metadata', 'labels']) ?? {}) as Record<string, string>,
              annotations: Object.fromEntries(
                Object.entries((getAt(cur, ['metadata', 'annotations']) ?? {}) as Record<string, string>).filter(([k]) => k !== 'kubectl.kubernetes.io/last-applied-configuration'),
              ),
              spec: norm(getAt(cur, ['spec'])),
            },
          });
          break;
        }
      }
    }
    const handle: KubernetesHandle = { kind: 'kubernetes', fault: req.fault, changes };
    return { summary: changes.map(summarize).join('; '), handle };
  }

  async inject(req: FaultRequest, handle: unknown): Promise<void> {
    await this.injectWithDetail(req, handle);
  }

  /** inject, saying what it wrote (the interface's inject returns nothing; the game may record this). */
  async injectWithDetail(_req: FaultRequest, handle: unknown): Promise<{ detail: string }> {
    const h = parseHandle(handle);
    const done: string[] = [];
    for (const c of h.changes) {
      switch (c.op) {
        case 'patch': {
          const cur = await this.read(c.resource, c.namespace, c.name);
          // Inject twice = once: nothing to write when every field already holds the fault's value.
          if (c.fields.every((f) => same(getAt(cur, f.path), f.after))) continue;
          await this.patch(c.resource, c.namespace, c.name, mergePatchFor(cur, c.fields, 'after'), PatchStrategy.MergePatch);
          break;
        }
        case 'image': {
          const cur = await this.read('deployment', c.namespace, c.name);
          if (imageOf(cur, c.container) === c.after) continue;
          await this.patch('deployment', c.namespace, c.name, imagePatch(cur, c.container, c.after), PatchStrategy.StrategicMergePatch);
          break;
        }
        case 'createNetworkPolicy': {
          const cur = await this.readIfAny('networkpolicy', c.namespace, c.name);
          if (cur) {
            if (getAt(cur, ['metadata', 'labels', FAULT_LABEL]) === h.fault) continue;
            throw new Error(`networkpolicies.networking.k8s.io ${c.namespace}/${c.name} already exists and was not made by this fault`);
          }
          const body = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: c.name, namespace: c.namespace, labels: { [FAULT_LABEL]: h.fault } }, spec: c.spec };
          await this.call('create', 'networkpolicy', c.namespace, c.name, () => this.net.createNamespacedNetworkPolicy({ namespace: c.namespace, body: body as never }, this.opts()));
          break;
        }
        case 'deleteNetworkPolicy': {
          const cur = await this.readIfAny('networkpolicy', c.namespace, c.name);
          if (!cur) continue;
          const rv = getAt(cur, ['metadata', 'resourceVersion']) as string;
          await this.call('delete', 'networkpolicy', c.namespace, c.name, () =>
            this.net.deleteNamespacedNetworkPolicy({ name: c.name, namespace: c.namespace, body: { preconditions: { resourceVersion: rv } } }, this.opts()),
          );
          break;
        }
      }
      done.push(summarize(c));
    }
    return { detail: done.length ? done.join('; ') : 'already in place' };
  }

  async revert(_team: string, handle: unknown): Promise<RevertResult> {
    const h = parseHandle(handle);
    const restored: string[] = [];
    const kept: string[] = [];
    const failed: string[] = [];
    // Every change is tried, so one missing object does not leave the others broken.
    for (const c of [...h.changes].reverse()) {
      try {
        switch (c.op) {
          case 'patch': {
            const cur = await this.read(c.resource, c.namespace, c.name);
            const back = c.fields.filter((f) => same(getAt(cur, f.path), f.after));
            for (const f of c.fields) if (!back.includes(f)) kept.push(`${KIND[c.resource]} ${c.namespace}/${c.name} ${dot(f.path)} (now ${show(norm(getAt(cur, f.path)))})`);
            if (!back.length) break;
            await this.patch(c.resource, c.namespace, c.name, mergePatchFor(cur, back, 'before'), PatchStrategy.MergePatch);
            restored.push(...back.map((f) => `${KIND[c.resource]} ${c.namespace}/${c.name} ${dot(f.path)} → ${c.resource === 'secret' ? '(previous value)' : show(f.before)}`));
            break;
          }
          case 'image': {
            const cur = await this.read('deployment', c.namespace, c.name);
            const now = imageOf(cur, c.container);
            if (now !== c.after) {
              kept.push(`deployment ${c.namespace}/${c.name} container ${c.container} image (now ${now ?? '(absent)'})`);
              break;
            }
            await this.patch('deployment', c.namespace, c.name, imagePatch(cur, c.container, c.before), PatchStrategy.StrategicMergePatch);
            restored.push(`deployment ${c.namespace}/${c.name} container ${c.container} image → ${c.before}`);
            break;
          }
          case 'createNetworkPolicy': {
            const cur = await this.readIfAny('networkpolicy', c.namespace, c.name);
            if (!cur) break; // the team deleted it: nothing to undo
            if (getAt(cur, ['metadata', 'labels', FAULT_LABEL]) !== h.fault || !same(getAt(cur, ['spec']), c.spec)) {
              kept.push(`networkpolicy ${c.namespace}/${c.name} (changed by the team)`);
              break;
            }
            const rv = getAt(cur, ['metadata', 'resourceVersion']) as string;
            await this.call('delete', 'networkpolicy', c.namespace, c.name, () =>
              this.net.deleteNamespacedNetworkPolicy({ name: c.name, namespace: c.namespace, body: { preconditions: { resourceVersion: rv } } }, this.opts()),
            );
            restored.push(`deleted networkpolicy ${c.namespace}/${c.name}`);
            break;
          }
          case 'deleteNetworkPolicy': {
            const cur = await this.readIfAny('networkpolicy', c.namespace, c.name);
            if (cur) {
              kept.push(`networkpolicy ${c.namespace}/${c.name} (recreated by the team)`);
              break;
            }
            const body = { apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: c.name, namespace: c.namespace, labels: c.previous.labels, annotations: c.previous.annotations }, spec: c.previous.spec };
            await this.call('create', 'networkpolicy', c.namespace, c.name, () => this.net.createNamespacedNetworkPolicy({ namespace: c.namespace, body: body as never }, this.opts()));
            restored.push(`recreated networkpolicy ${c.namespace}/${c.name}`);
            break;
          }
        }
      } catch (err) {
        failed.push((err as Error).message);
      }
    }
    const detail = [
      restored.length ? `restored ${restored.join(', ')}` : 'nothing to restore',
      kept.length ? `kept the team's own change to ${kept.join(', ')}` : '',
    ]
      .filter(Boolean)
      .join('; ');
    if (failed.length) throw new Error(`${failed.join('; ')} (${detail})`);
    return { changed: restored.length > 0, detail };
  }

  /** True while every change the handle describes still holds the fault's value. */
  async inPlace(_team: string, handle: unknown): Promise<boolean> {
    const h = parseHandle(handle);
    for (const c of h.changes) {
      switch (c.op) {
        case 'patch': {
          const cur = await this.readIfAny(c.resource, c.namespace, c.name);
          if (!cur || !c.fields.every((f) => same(getAt(cur, f.path), f.after))) return false;
          break;
        }
        case 'image': {
          const cur = await this.readIfAny('deployment', c.namespace, c.name);
          if (!cur || imageOf(cur, c.container) !== c.after) return false;
          break;
        }
        case 'createNetworkPolicy': {
          const cur = await this.readIfAny('networkpolicy', c.namespace, c.name);
          if (!cur || !same(getAt(cur, ['spec']), c.spec)) return false;
          break;
        }
        case 'deleteNetworkPolicy':
          if (await this.readIfAny('networkpolicy', c.namespace, c.name)) return false;
          break;
      }
    }
    return true;
  }

  publicUrl(team: string): string | undefined {
    return this.o.teams[team]?.publicUrl;
  }
}

function imageOf(d: unknown, container: string): string | undefined {
  const cs = (getAt(d, ['spec', 'template', 'spec', 'containers']) ?? []) as Array<{ name: string; image?: string }>;
  return cs.find((x) => x.name === container)?.image;
}

/** A strategic merge patch: containers merge by name, so only this container's image changes. */
function imagePatch(d: unknown, container: string, image: string) {
  return { metadata: { resourceVersion: getAt(d, ['metadata', 'resourceVersion']) }, spec: { template: { spec: { containers: [{ name: container, image }] } } } };
}

const dot = (p: Path) => p.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('').slice(1);

function summarize(c: Change): string {
  switch (c.op) {
    case 'patch':
      return `${KIND[c.resource]} ${c.namespace}/${c.name}: ${c.fields.map((f) => (c.resource === 'secret' ? `${dot(f.path)} changed` : `${dot(f.path)}: ${show(f.before)} → ${show(f.after)}`)).join(', ')}`;
    case 'image':
      return `deployments.apps ${c.namespace}/${c.name}: container ${c.container} image ${c.before} → ${c.after}`;
    case 'createNetworkPolicy':
      return `create networkpolicies.networking.k8s.io ${c.namespace}/${c.name}`;
    case 'deleteNetworkPolicy':
      return `delete networkpolicies.networking.k8s.io ${c.namespace}/${c.name}`;
  }
}

function parseHandle(handle: unknown): KubernetesHandle {
  if (!isObj(handle) || handle.kind !== 'kubernetes' || typeof handle.fault !== 'string' || !Array.isArray(handle.changes)) throw new Error('not a handle of the kubernetes target');
  return handle as unknown as KubernetesHandle;
}
