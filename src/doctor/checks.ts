/**
 * The lessons of a drill as checks (issue 19, "Readiness check"): a scenario fault may name the
 * check that would have caught it, and `firedrill doctor --team T` runs it against the team's
 * current deployment. Pure: a deployment comes in as data (folded from the embedded manifest, or
 * read from the team's Kubernetes objects), findings go out.
 */

import type { FaultCheck } from '../scenario/types.js';

export type CheckId = FaultCheck['id'];

export const CHECK_TITLES: Record<CheckId, string> = {
  'ingress-routes-have-endpoints': 'every ingress route points at a service port that exists',
  'backend-credentials-match': "the backend's database credentials match the database",
  'release-not-bad': 'the running release is not one marked bad',
};

/** A check as a fault declares it (normalized by the scenario loader). */
export type CheckSpec = FaultCheck;

/** A team's deployment, as far as the checks need it, whatever runs it. */
export interface Deployment {
  /** Where it was read from, for people ("manifest folded from the log", "namespace team-a"). */
  source: string;
  routes: Array<{ where: string; path: string; service: string; port: number | string }>;
  /** Service name → the ports it serves (numbers, and names for Kubernetes named ports). */
  services: Record<string, Array<number | string>>;
  /** What the backend connects to the database with; undefined = not known (reported as such). */
  backendCredentials?: { where: string; user?: string; password?: string; service?: string; port?: number };
  databaseCredentials?: { where: string; user?: string; password?: string };
  /** Component → what runs (a version, or an image reference). */
  releases: Record<string, string>;
}

export type CheckSeverity = 'critical' | 'warning' | 'ok';
export interface CheckResult {
  check: CheckId;
  severity: CheckSeverity;
  message: string;
  fix?: string;
}

export function ingressRoutesHaveEndpoints(d: Deployment): CheckResult {
  const id = 'ingress-routes-have-endpoints';
  const broken: string[] = [];
  for (const r of d.routes) {
    const ports = d.services[r.service];
    if (!ports) broken.push(`${r.where} (${r.path}) → service '${r.service}', which does not exist`);
    else if (!ports.includes(r.port)) broken.push(`${r.where} (${r.path}) → ${r.service}:${r.port}, but ${r.service} serves ${ports.join(', ') || 'no port'}`);
  }
  if (d.routes.length === 0) return { check: id, severity: 'warning', message: `no ingress routes found in ${d.source}`, fix: 'check that the ingress exists' };
  if (broken.length) return { check: id, severity: 'critical', message: `${broken.length} of ${d.routes.length} ingress routes lead nowhere: ${broken.join('; ')}`, fix: "point each route at a port its service serves (or change the service's port)" };
  return { check: id, severity: 'ok', message: `all ${d.routes.length} ingress routes point at a service port that exists` };
}

export function backendCredentialsMatch(d: Deployment): CheckResult {
  const id = 'backend-credentials-match';
  const b = d.backendCredentials;
  const db = d.databaseCredentials;
  if (!b || !db) return { check: id, severity: 'warning', message: `cannot tell: the ${!b ? "backend's" : "database's"} credentials were not found in ${d.source}`, fix: 'check that the backend and database read their credentials from the deployment' };
  const wrong: string[] = [];
  if (b.user !== db.user) wrong.push(`user: the backend uses '${b.user ?? '(none)'}' (${b.where}), the database expects '${db.user ?? '(none)'}' (${db.where})`);
  // Never show a password: only whether it matches.
  if (b.password !== db.password) wrong.push(`password: the backend's (${b.where}) differs from the database's (${db.where})`);
  if (b.service !== undefined) {
    const ports = d.services[b.service];
    if (!ports) wrong.push(`the backend connects to service '${b.service}', which does not exist`);
    else if (b.port !== undefined && !ports.includes(b.port)) wrong.push(`the backend connects to ${b.service}:${b.port}, but ${b.service} serves ${ports.join(', ')}`);
  }
  if (wrong.length) return { check: id, severity: 'critical', message: wrong.join('; '), fix: 'make the backend use the credentials (and address) the database has, then restart the backend' };
  return { check: id, severity: 'ok', message: "the backend's database credentials match the database" };
}

/** `1.5.0` matches `1.5.0`, and an image `ghcr.io/acme/backend:1.5.0` matches `1.5.0` or the full reference. */
const sameRelease = (running: string, bad: string) => running === bad || (running.includes(':') && running.slice(running.lastIndexOf(':') + 1) === bad) || (bad.includes(':') && bad.slice(bad.lastIndexOf(':') + 1) === running);

export function releaseNotBad(d: Deployment, spec: Pick<CheckSpec, 'component' | 'bad'>): CheckResult {
  const id = 'release-not-bad';
  const bad = spec.bad ?? [];
  if (bad.length === 0) return { check: id, severity: 'warning', message: 'no release is marked bad for this check', fix: 'list the bad releases under check.bad in the scenario' };
  const components = spec.component ? [spec.component] : Object.keys(d.releases);
  const hits: string[] = [];
  for (const c of components) {
    const running = d.releases[c];
    if (running === undefined) {
      if (spec.component) return { check: id, severity: 'warning', message: `component '${c}' not found in ${d.source}`, fix: 'check the component name in the scenario' };
      continue;
    }
    const b = bad.find((x) => sameRelease(running, x));
    if (b) hits.push(`${c} runs ${running}, marked bad`);
  }
  if (hits.length) return { check: id, severity: 'critical', message: hits.join('; '), fix: 'roll back to a good release (or roll forward to a fixed one)' };
  return { check: id, severity: 'ok', message: `${components.map((c) => `${c} ${d.releases[c] ?? '?'}`).join(', ')}: none marked bad (${bad.join(', ')})` };
}

export function runCheck(spec: CheckSpec, d: Deployment): CheckResult {
  switch (spec.id) {
    case 'ingress-routes-have-endpoints':
      return ingressRoutesHaveEndpoints(d);
    case 'backend-credentials-match':
      return backendCredentialsMatch(d);
    case 'release-not-bad':
      return releaseNotBad(d, spec);
  }
}

/** The embedded platform's manifest (src/platform/manifest.ts) as a deployment. */
export interface ManifestLike {
  ingress: { routes: Array<{ path: string; service: string; port: number }> };
  services: {
    frontend: { release: string; port: number };
    backend: { release: string; port: number; database: { service: string; port: number; user: string; passwordSecret: string } };
    database: { port: number; user: string; passwordSecret: string };
  };
  secrets: Record<string, string>;
}

export function deploymentFromManifest(m: ManifestLike, source = 'the manifest folded from the event log'): Deployment {
  const s = m.services;
  return {
    source,
    routes: m.ingress.routes.map((r, i) => ({ where: `ingress.routes.${i}`, path: r.path, service: r.service, port: r.port })),
    services: { frontend: [s.frontend.port], backend: [s.backend.port], database: [s.database.port] },
    backendCredentials: {
      where: `services.backend.database (secret ${s.backend.database.passwordSecret})`,
      user: s.backend.database.user,
      ...(m.secrets[s.backend.database.passwordSecret] !== undefined ? { password: m.secrets[s.backend.database.passwordSecret] } : {}),
      service: s.backend.database.service,
      port: s.backend.database.port,
    },
    databaseCredentials: {
      where: `services.database (secret ${s.database.passwordSecret})`,
      user: s.database.user,
      ...(m.secrets[s.database.passwordSecret] !== undefined ? { password: m.secrets[s.database.passwordSecret] } : {}),
    },
    releases: { frontend: s.frontend.release, backend: s.backend.release },
  };
}

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (typeof v === 'object' && v !== null ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** A secret key's value (base64 `data` or `stringData`), or undefined. */
function secretValue(secrets: Obj[], name: string | undefined, key: string | undefined): string | undefined {
  const s = secrets.find((x) => obj(x.metadata).name === name);
  if (!s || !key) return undefined;
  const sd = str(obj(s.stringData)[key]);
  if (sd !== undefined) return sd;
  const d = str(obj(s.data)[key]);
  return d === undefined ? undefined : Buffer.from(d, 'base64').toString('utf8');
}

/** An env var of a container: a plain value or a secretKeyRef resolved against the secrets. */
function envValue(container: Obj, names: string[], secrets: Obj[]): string | undefined {
  for (const e of arr(container.env).map(obj)) {
    if (!names.includes(str(e.name) ?? '')) continue;
    if (str(e.value) !== undefined) return str(e.value);
    const ref = obj(obj(e.valueFrom).secretKeyRef);
    return secretValue(secrets, str(ref.name), str(ref.key));
  }
  return undefined;
}

/**
 * Kubernetes objects of one namespace (Ingresses, Services, Deployments, Secrets as the API returns
 * them) as a deployment. Credentials are read from the conventional env names of the
 * chat-service-k8s challenge (DATABASE_USER/PASSWORD in the backend, POSTGRES_USER/PASSWORD in the database).
 */
export function deploymentFromKubernetes(namespace: string, objs: { ingresses: unknown[]; services: unknown[]; deployments: unknown[]; secrets: unknown[] }): Deployment {
  const secrets = objs.secrets.map(obj);
  const routes: Deployment['routes'] = [];
  for (const ing of objs.ingresses.map(obj)) {
    const name = str(obj(ing.metadata).name);
    arr(obj(ing.spec).rules).forEach((rule, ri) =>
      arr(obj(obj(rule).http).paths).forEach((p, pi) => {
        const svc = obj(obj(obj(p).backend).service);
        const port = obj(svc.port);
        routes.push({ where: `ingress/${name} rules[${ri}].paths[${pi}]`, path: str(obj(p).path) ?? '/', service: str(svc.name) ?? '', port: typeof port.number === 'number' ? port.number : (str(port.name) ?? '') });
      }),
    );
  }
  const services: Deployment['services'] = {};
  for (const s of objs.services.map(obj)) {
    const name = str(obj(s.metadata).name);
    if (!name) continue;
    services[name] = arr(obj(s.spec).ports).flatMap((p) => [obj(p).port, obj(p).name].filter((x): x is number | string => typeof x === 'number' || typeof x === 'string'));
  }
  const releases: Record<string, string> = {};
  let backendCredentials: Deployment['backendCredentials'];
  let databaseCredentials: Deployment['databaseCredentials'];
  for (const d of objs.deployments.map(obj)) {
    const name = str(obj(d.metadata).name) ?? '';
    const containers = arr(obj(obj(obj(d.spec).template).spec).containers).map(obj);
    const main = containers.find((c) => c.name === name) ?? containers[0];
    if (!main) continue;
    if (str(main.image)) releases[name] = str(main.image)!;
    const user = envValue(main, ['DATABASE_USER'], secrets);
    const password = envValue(main, ['DATABASE_PASSWORD'], secrets);
    if (user !== undefined || password !== undefined) {
      const host = envValue(main, ['DATABASE_HOST'], secrets);
      const port = Number(envValue(main, ['DATABASE_PORT'], secrets));
      backendCredentials = { where: `deployment/${name}`, ...(user !== undefined ? { user } : {}), ...(password !== undefined ? { password } : {}), ...(host ? { service: host } : {}), ...(Number.isInteger(port) && port > 0 ? { port } : {}) };
    }
    const pgUser = envValue(main, ['POSTGRES_USER'], secrets);
    const pgPassword = envValue(main, ['POSTGRES_PASSWORD'], secrets);
    if (pgUser !== undefined || pgPassword !== undefined) databaseCredentials = { where: `deployment/${name}`, ...(pgUser !== undefined ? { user: pgUser } : {}), ...(pgPassword !== undefined ? { password: pgPassword } : {}) };
  }
  return { source: `namespace ${namespace}`, routes, services, ...(backendCredentials ? { backendCredentials } : {}), ...(databaseCredentials ? { databaseCredentials } : {}), releases };
}
