import { createHash } from 'node:crypto';
import Type, { type Static } from 'typebox';
import { Compile } from 'typebox/compile';
import Value from 'typebox/value';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { findRelease, type Catalog } from './catalog.js';

/**
 * A team's deployment, as the team edits it in the ops console. Ports here are logical (like a
 * Kubernetes Service port); the platform maps each component to a real loopback port. Pure code.
 */
const Port = Type.Integer({ minimum: 1, maximum: 65535 });
const Name = Type.String({ minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$' });
const Obj = <T extends Parameters<typeof Type.Object>[0]>(p: T) => Type.Object(p, { additionalProperties: false });

export const ManifestSchema = Obj({
  ingress: Obj({
    routes: Type.Array(Obj({ path: Type.String({ pattern: '^/[^\\s?#]*$', maxLength: 200 }), service: Name, port: Port }), { maxItems: 20 }),
  }),
  services: Obj({
    frontend: Obj({ release: Type.String({ minLength: 1 }), port: Port }),
    backend: Obj({
      release: Type.String({ minLength: 1 }),
      port: Port,
      database: Obj({ service: Name, port: Port, user: Type.String({ minLength: 1, maxLength: 63 }), passwordSecret: Name }),
    }),
    database: Obj({ port: Port, user: Type.String({ minLength: 1, maxLength: 63 }), passwordSecret: Name }),
  }),
  networkPolicies: Type.Array(
    Obj({ name: Name, from: Name, to: Name, action: Type.Union([Type.Literal('allow'), Type.Literal('deny')]) }),
    { maxItems: 20 },
  ),
  secrets: Type.Record(Type.String({ pattern: '^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$' }), Type.String({ minLength: 1, maxLength: 200 })),
});
export type Manifest = Static<typeof ManifestSchema>;

const check = Compile(ManifestSchema);

export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

const dotPath = (instancePath: string) => instancePath.replace(/^\//, '').replaceAll('/', '.') || '(top)';

/**
 * Every problem as "path: message", in words a person can act on. Empty when the manifest is valid.
 * Without a catalog only the shape and secret references are checked (the platform checks releases).
 */
export function manifestProblems(m: unknown, catalog?: Catalog): string[] {
  if (!check.Check(m)) {
    const out: string[] = [];
    for (const e of check.Errors(m)) {
      if (e.keyword === 'boolean') continue; // the additionalProperties report below says it better
      let msg = e.message;
      if (e.keyword === 'additionalProperties') {
        const extra = (e.params as { additionalProperties?: string[] }).additionalProperties ?? [];
        msg = `unknown field${extra.length > 1 ? 's' : ''} ${extra.map((x) => `'${x}'`).join(', ')}`;
      } else if (e.keyword === 'required') {
        const missing = (e.params as { requiredProperties?: string[] }).requiredProperties ?? [];
        msg = missing.length ? `missing field${missing.length > 1 ? 's' : ''} ${missing.map((x) => `'${x}'`).join(', ')}` : msg;
      } else if (e.keyword === 'pattern') {
        msg = 'has characters that are not allowed here';
      } else if (e.keyword === 'anyOf') {
        msg = "must be 'allow' or 'deny'";
      }
      out.push(`${dotPath(e.instancePath)}: ${msg}`);
      if (out.length >= 8) break;
    }
    return out.length ? out : ['the manifest does not have the expected shape'];
  }
  const man = m as Manifest;
  const out: string[] = [];
  for (const c of catalog ? (['frontend', 'backend'] as const) : []) {
    const v = man.services[c].release;
    if (!findRelease(catalog as Catalog, c, v)) {
      out.push(`services.${c}.release: there is no release ${JSON.stringify(v)} of ${c} (available: ${(catalog as Catalog).releases[c].map((r) => r.version).join(', ')})`);
    }
  }
  for (const [where, ref] of [
    ['services.backend.database.passwordSecret', man.services.backend.database.passwordSecret],
    ['services.database.passwordSecret', man.services.database.passwordSecret],
  ] as const) {
    if (!Object.hasOwn(man.secrets, ref)) out.push(`${where}: there is no secret named '${ref}' under secrets`);
  }
  return out;
}

export function assertManifest(m: unknown, catalog?: Catalog): Manifest {
  const p = manifestProblems(m, catalog);
  if (p.length) throw new ManifestError(p);
  return m as Manifest;
}

/** Parse YAML text (or accept an object) into a checked manifest; errors say where. */
export function parseManifest(input: unknown, catalog?: Catalog): Manifest {
  let m = input;
  if (typeof input === 'string') {
    try {
      m = parseYaml(input, { maxAliasCount: 10 }) as unknown;
    } catch (err) {
      throw new ManifestError([`YAML: ${(err as Error).message.split('\n')[0]}`]);
    }
  }
  return assertManifest(m, catalog);
}

export const manifestYaml = (m: Manifest): string => stringifyYaml(m, { lineWidth: 0 });

/** The team's first manifest: the base file with a per-team password derived from its seed. */
export function initialManifest(base: Manifest, team: { id: string; seed: number }): Manifest {
  const m = Value.Clone(base) as Manifest;
  for (const k of Object.keys(m.secrets)) {
    if (m.secrets[k] === '<generated per team>' || m.secrets[k] === '') {
      m.secrets[k] = createHash('sha256').update(`${team.seed}:${team.id}:${k}`).digest('base64url').slice(0, 24);
    }
  }
  return assertManifest(m);
}

// --- dot paths with numeric array indexes: "ingress.routes.1.port"

const ABSENT = { $absent: true } as const;
export type Absent = typeof ABSENT;
export const isAbsent = (v: unknown): v is Absent => typeof v === 'object' && v !== null && (v as { $absent?: unknown }).$absent === true;

function segments(path: string): string[] {
  const s = path.split('.');
  if (!path || s.some((x) => x === '' || x === '__proto__' || x === 'constructor' || x === 'prototype')) throw new ManifestError([`${path || '(empty)'}: not a valid path`]);
  return s;
}

/** The value at a dot path, or ABSENT (a JSON-safe marker) when nothing is there. */
export function getPath(obj: unknown, path: string): unknown {
  let cur: unknown = obj;
  for (const k of segments(path)) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) return ABSENT;
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur;
}

/** Set (or, with ABSENT, delete) the value at a dot path in place. The parent must exist. */
export function setPath(obj: unknown, path: string, value: unknown): void {
  const s = segments(path);
  const last = s.pop() as string;
  let cur: unknown = obj;
  for (const k of s) {
    if (cur === null || typeof cur !== 'object' || !Object.hasOwn(cur, k)) throw new ManifestError([`${path}: ${k} does not exist`]);
    cur = (cur as Record<string, unknown>)[k];
  }
  if (cur === null || typeof cur !== 'object') throw new ManifestError([`${path}: cannot set a field inside a plain value`]);
  if (Array.isArray(cur)) {
    const i = Number(last);
    if (!Number.isInteger(i) || i < 0 || i > cur.length) throw new ManifestError([`${path}: index ${last} is out of range (the list has ${cur.length} items)`]);
    if (isAbsent(value)) cur.splice(i, 1);
    else cur[i] = value;
    return;
  }
  if (isAbsent(value)) delete (cur as Record<string, unknown>)[last];
  else (cur as Record<string, unknown>)[last] = value;
}

export const sameValue = (a: unknown, b: unknown): boolean => Value.Equal(a, b);
export const cloneManifest = (m: Manifest): Manifest => Value.Clone(m) as Manifest;

// --- what each process must be told, derived from the manifest and the real ports

export interface RealPorts {
  ingress: number;
  frontend: number;
  backend: number;
  database: number;
  link: number;
}

export interface Effective {
  ingress: { port: number; routes: Array<{ path: string; service: string; port: number; target: number | null }> };
  frontend: { port: number; release: string };
  backend: { port: number; release: string; database: { endpoint: string; port: number | null; user: string; password: string } };
  database: { port: number; user: string; password: string };
  /** The service link from backend to whatever its database reference names. */
  link: { target: number | null; policy: 'allow' | 'deny' };
}

const realOf = (ports: RealPorts, service: string): number | null =>
  service === 'frontend' || service === 'backend' || service === 'database' ? ports[service] : null;

/** A Service name and port resolve to an endpoint only when a component has that name and port. */
function endpoint(m: Manifest, ports: RealPorts, service: string, port: number): number | null {
  const svc = (m.services as Record<string, { port: number } | undefined>)[service];
  return svc && svc.port === port ? realOf(ports, service) : null;
}

/**
 * Policies decide the backend → database link: any matching deny drops packets; with no matching
 * policy traffic flows (as in a namespace without NetworkPolicies).
 */
export function linkPolicy(m: Manifest): 'allow' | 'deny' {
  const to = m.services.backend.database.service;
  return m.networkPolicies.some((p) => p.from === 'backend' && p.to === to && p.action === 'deny') ? 'deny' : 'allow';
}

export function effective(m: Manifest, ports: RealPorts): Effective {
  const db = m.services.backend.database;
  const dbTarget = endpoint(m, ports, db.service, db.port);
  return {
    ingress: { port: ports.ingress, routes: m.ingress.routes.map((r) => ({ ...r, target: endpoint(m, ports, r.service, r.port) })) },
    frontend: { port: ports.frontend, release: m.services.frontend.release },
    backend: {
      port: ports.backend,
      release: m.services.backend.release,
      database: { endpoint: `${db.service}:${db.port}`, port: dbTarget === null ? null : ports.link, user: db.user, password: m.secrets[db.passwordSecret] ?? '' },
    },
    database: { port: ports.database, user: m.services.database.user, password: m.secrets[m.services.database.passwordSecret] ?? '' },
    link: { target: dbTarget, policy: linkPolicy(m) },
  };
}
