import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Kubernetes API server at the network boundary (no kube-apiserver can run here). It speaks
 * the real shapes for the objects the kubernetes adapter and `firedrill doctor` touch: apiVersion/kind on every
 * object, GET of an object and of a collection (a `<Kind>List` whose items, as the real server sends
 * them, carry no apiVersion/kind), PATCH with `application/merge-patch+json` (RFC 7386) or `application/strategic-merge-patch+json`
 * (lists of named items merged by `name`), POST/DELETE of NetworkPolicies, `metadata.resourceVersion`
 * in a patch or a delete precondition as an optimistic lock (409 Conflict `Status`), 404 NotFound and
 * 403 Forbidden `Status` objects, 415 for any other patch type; `?dryRun=All` on POST/PATCH/DELETE
 * (checked, answered, nothing stored; any other dryRun value is a 400); and SelfSubjectAccessReview
 * (`POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews`), answered from the same RBAC
 * rules as the 403s. Every request is recorded.
 */

export interface KObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string; resourceVersion?: string; uid?: string; labels?: Record<string, string>; [k: string]: unknown };
  [k: string]: unknown;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  contentType: string | undefined;
  body: unknown;
  status: number;
}

interface Resource {
  group: string; // '' for the core group
  version: string;
  plural: string;
  kind: string;
}

const RESOURCES: Resource[] = [
  { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', kind: 'Ingress' },
  { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', kind: 'NetworkPolicy' },
  { group: '', version: 'v1', plural: 'secrets', kind: 'Secret' },
  { group: '', version: 'v1', plural: 'services', kind: 'Service' },
  { group: 'apps', version: 'v1', plural: 'deployments', kind: 'Deployment' },
];

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);

/** RFC 7386 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k], v);
  }
  return out;
}

/** Strategic merge patch, as far as the objects here need it: lists of objects with a `name` (containers, env, volumes, ports) merge by name. */
export function strategicMergePatch(target: unknown, patch: unknown): unknown {
  if (Array.isArray(patch) && Array.isArray(target) && patch.every((p) => isObj(p) && typeof p.name === 'string') && target.every((t) => isObj(t) && typeof t.name === 'string')) {
    const out = clone(target) as Array<Record<string, unknown>>;
    for (const p of patch as Array<Record<string, unknown>>) {
      const i = out.findIndex((t) => t.name === p.name);
      if (i < 0) out.push(clone(p));
      else out[i] = strategicMergePatch(out[i], p) as Record<string, unknown>;
    }
    return out;
  }
  if (!isObj(patch)) return clone(patch);
  const out: Record<string, unknown> = isObj(target) ? clone(target) : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = strategicMergePatch(out[k], v);
  }
  return out;
}

export class FakeKubernetes {
  readonly requests: RecordedRequest[] = [];
  private readonly objects = new Map<string, KObject>();
  private readonly forbidden: Array<{ verb: string; plural: string; namespace: string }> = [];
  private server: Server | undefined;
  private rv = 100;
  private uid = 0;
  /** When true, requests are read and never answered (a hung API server). */
  hang = false;
  /** Run once just before the next write is applied: a concurrent writer between the adapter's read and its write. */
  beforeNextWrite: (() => void) | undefined;
  readonly token = 'fake-token-for-tests';

  url = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  /** A kubeconfig (YAML) pointing at this server with a bearer token. */
  kubeconfig(): string {
    return [
      'apiVersion: v1',
      'kind: Config',
      // client-node refuses plain HTTP unless TLS verification is off; the fake is plain HTTP on 127.0.0.1.
      'clusters: [{ name: fake, cluster: { server: "' + this.url + '", insecure-skip-tls-verify: true } }]',
      'users: [{ name: firedrill, user: { token: ' + this.token + ' } }]',
      'contexts: [{ name: fake, context: { cluster: fake, user: firedrill } }]',
      'current-context: fake',
      '',
    ].join('\n');
  }

  private key(plural: string, ns: string, name: string) {
    return `${plural}/${ns}/${name}`;
  }

  /** Seed or replace an object (as an organizer's `kubectl apply` would); bumps resourceVersion. */
  put(obj: KObject): KObject {
    const res = RESOURCES.find((r) => r.kind === obj.kind);
    if (!res) throw new Error(`the fake does not serve ${obj.kind}`);
    const stored = clone(obj);
    stored.metadata.resourceVersion = String(++this.rv);
    stored.metadata.uid ??= `uid-${++this.uid}`;
    this.objects.set(this.key(res.plural, obj.metadata.namespace, obj.metadata.name), stored);
    return clone(stored);
  }

  get(kind: string, namespace: string, name: string): KObject | undefined {
    const res = RESOURCES.find((r) => r.kind === kind)!;
    const o = this.objects.get(this.key(res.plural, namespace, name));
    return o ? clone(o) : undefined;
  }

  /** A team's own change (kubectl edit): mutate and bump resourceVersion. */
  edit(kind: string, namespace: string, name: string, fn: (o: KObject) => void): void {
    const o = this.get(kind, namespace, name);
    if (!o) throw new Error(`no ${kind} ${namespace}/${name}`);
    fn(o);
    this.put(o);
  }

  remove(kind: string, namespace: string, name: string): void {
    const res = RESOURCES.find((r) => r.kind === kind)!;
    this.objects.delete(this.key(res.plural, namespace, name));
  }

  /** RBAC: this verb (get, patch, create, delete) on this resource in this namespace answers 403. */
  forbid(verb: string, plural: string, namespace: string): void {
    this.forbidden.push({ verb, plural, namespace });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const contentType = req.headers['content-type']?.split(';')[0]?.trim();
    let body: unknown;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    const [path = '/', query = ''] = (req.url ?? '/').split('?');
    const params = new URLSearchParams(query);
    const rec: RecordedRequest = { method: req.method ?? 'GET', path, query, contentType, body, status: 0 };
    this.requests.push(rec);
    if (this.hang) return; // never answered
    const send = (status: number, obj: unknown) => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(obj));
    };
    if (req.headers.authorization !== `Bearer ${this.token}`) return send(401, status(401, 'Unauthorized', 'Unauthorized'));
    if (path === '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews') {
      if (req.method !== 'POST') return send(405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
      const attrs = isObj(body) && isObj(body.spec) && isObj(body.spec.resourceAttributes) ? body.spec.resourceAttributes : undefined;
      if (!isObj(body) || body.kind !== 'SelfSubjectAccessReview' || !attrs) return send(400, status(400, 'BadRequest', 'the body of the request was not a SelfSubjectAccessReview with spec.resourceAttributes'));
      const denied = this.forbidden.some((f) => f.verb === attrs.verb && f.plural === attrs.resource && f.namespace === attrs.namespace);
      return send(201, {
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectAccessReview',
        metadata: { creationTimestamp: null },
        spec: body.spec,
        status: denied ? { allowed: false, reason: '' } : { allowed: true, reason: 'RBAC: allowed by RoleBinding "firedrill"' },
      });
    }

    const m = /^\/(?:api\/(v1)|apis\/([^/]+)\/(v1))\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    const resource = m && RESOURCES.find((r) => r.plural === m[5] && r.group === (m[2] ?? '') && r.version === (m[1] ?? m[3]));
    if (!m || !resource) return send(404, status(404, 'NotFound', 'the server could not find the requested resource'));
    const ns = m[4]!;
    const name = m[6];
    const verb = { GET: name ? 'get' : 'list', PATCH: 'patch', POST: 'create', DELETE: 'delete', PUT: 'update' }[req.method ?? 'GET'] ?? 'unknown';
    const gr = resource.group ? `${resource.plural}.${resource.group}` : resource.plural;
    const dryRun = params.getAll('dryRun');
    if (dryRun.some((v) => v !== 'All')) return send(400, status(400, 'BadRequest', `Invalid dry run value: ${dryRun.join(', ')}; valid values are All`));
    const dry = dryRun.length > 0 && req.method !== 'GET';
    const details = (n: string) => ({ name: n, ...(resource.group ? { group: resource.group } : {}), kind: resource.plural });

    if (this.forbidden.some((f) => f.verb === verb && f.plural === resource.plural && f.namespace === ns)) {
      const msg = `${gr}${name ? ` "${name}"` : ''} is forbidden: User "system:serviceaccount:firedrill:firedrill" cannot ${verb} resource "${resource.plural}" in API group "${resource.group}" in the namespace "${ns}"`;
      return send(403, { ...status(403, 'Forbidden', msg), details: details(name ?? '') });
    }
    const notFound = (n: string) => send(404, { ...status(404, 'NotFound', `${gr} "${n}" not found`), details: details(n) });
    const conflict = (n: string) =>
      send(409, {
        ...status(409, 'Conflict', `Operation cannot be fulfilled on ${gr} "${n}": the object has been modified; please apply your changes to the latest version and try again`),
        details: details(n),
      });

    if (req.method === 'POST' && !name) {
      const obj = body as KObject;
      if (!isObj(obj) || obj.kind !== resource.kind || !isObj(obj.metadata) || typeof obj.metadata.name !== 'string') {
        return send(400, status(400, 'BadRequest', `the body of the request was not a ${resource.kind}`));
      }
      if (this.objects.has(this.key(resource.plural, ns, obj.metadata.name))) {
        return send(409, { ...status(409, 'AlreadyExists', `${gr} "${obj.metadata.name}" already exists`), details: details(obj.metadata.name) });
      }
      const full: KObject = { ...obj, apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, metadata: { ...obj.metadata, namespace: ns } };
      // A dry run answers what would be stored (no resourceVersion: nothing was written).
      if (dry) return send(201, { ...clone(full), metadata: { ...clone(full.metadata), uid: 'dry-run' } });
      return send(201, this.put(full));
    }
    if (!name && req.method === 'GET') {
      const prefix = `${resource.plural}/${ns}/`;
      // As the real server sends a typed list: items without apiVersion/kind.
      const items = [...this.objects.entries()].filter(([k]) => k.startsWith(prefix)).map(([, o]) => {
        const { apiVersion: _a, kind: _k, ...rest } = clone(o);
        return rest;
      });
      return send(200, { apiVersion: resource.group ? `${resource.group}/${resource.version}` : resource.version, kind: `${resource.kind}List`, metadata: { resourceVersion: String(this.rv) }, items });
    }
    if (!name) return send(405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    if (req.method !== 'GET' && !dry && this.beforeNextWrite) {
      const fn = this.beforeNextWrite;
      this.beforeNextWrite = undefined;
      fn();
    }
    const cur = this.objects.get(this.key(resource.plural, ns, name));
    if (!cur) return notFound(name);

    switch (req.method) {
      case 'GET':
        return send(200, cur);
      case 'PATCH': {
        const apply = contentType === 'application/merge-patch+json' ? mergePatch : contentType === 'application/strategic-merge-patch+json' ? strategicMergePatch : undefined;
        if (!apply) return send(415, status(415, 'UnsupportedMediaType', `the body of the request was in an unknown format - accepted media types include: application/merge-patch+json, application/strategic-merge-patch+json`));
        const want = isObj(body) && isObj(body.metadata) ? body.metadata.resourceVersion : undefined;
        if (want !== undefined && want !== cur.metadata.resourceVersion) return conflict(name);
        const next = apply(cur, body) as KObject;
        next.metadata.resourceVersion = cur.metadata.resourceVersion;
        if (dry) return send(200, next);
        return send(200, this.put(next));
      }
      case 'DELETE': {
        const pre = isObj(body) && isObj(body.preconditions) ? body.preconditions : {};
        if ((pre.resourceVersion !== undefined && pre.resourceVersion !== cur.metadata.resourceVersion) || (pre.uid !== undefined && pre.uid !== cur.metadata.uid)) return conflict(name);
        if (!dry) this.objects.delete(this.key(resource.plural, ns, name));
        return send(200, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { ...details(name), uid: cur.metadata.uid } });
      }
      default:
        return send(405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource'));
    }
  }
}

function status(code: number, reason: string, message: string) {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}
