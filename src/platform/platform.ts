import { mkdirSync, mkdtempSync, openSync, readSync, closeSync, fstatSync, rmSync, existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { NewEventOf, StoredEvent } from '../events/types.js';
import { distRoot } from '../paths.js';
import { components, findRelease, type Catalog, type Component, type Release } from './catalog.js';
import { ServiceLink } from './link.js';
import { assertManifest, effective, initialManifest, parseManifest, type Effective, type Manifest, type RealPorts } from './manifest.js';
import { cleanStalePids, memoryKb, Supervisor, type ProcessStatus } from './process.js';

export interface Change {
  change: string;
  seq: number;
  /** Wall time of the change, epoch ms. */
  at: number;
  author: string;
  message: string;
  manifest: Manifest;
  fault?: string;
  revertOf?: string;
  dropConnections?: boolean;
}

export interface ChangeInput {
  author: string;
  message: string;
  manifest: unknown;
  fault?: string;
  revertOf?: string;
  dropConnections?: boolean;
  /** Event source: 'team', 'game', 'platform'. */
  source: string;
}

export interface ComponentStatus {
  name: Component;
  status: ProcessStatus;
  pid: number | null;
  /** The real loopback port. */
  port: number | null;
  /** The logical (Service) port from the manifest. */
  servicePort: number | null;
  release: string | null;
  uptimeMs: number | null;
  restarts: number;
  rssKb: number | null;
  /** Proportional set size: shared pages divided among the processes that share them. */
  pssKb: number | null;
  lastExit: string | null;
}

interface Running {
  ports: RealPorts;
  dir: string;
  procs: Record<Component, Supervisor>;
  link: ServiceLink;
  applied: Effective | undefined;
  /** Reconciliations run one after another, in log order. */
  chain: Promise<void>;
}

interface TeamState {
  id: string;
  seed: number;
  portBase: number | null;
  createdAt: number;
  manifest: Manifest;
  changes: Change[];
  /** Changes are made one at a time per team, so ids and compare-and-swap stay exact. */
  lock: Promise<unknown>;
  running?: Running;
  starting?: Promise<void>;
}

/** The events the platform asks to have recorded. */
export type PlatformEvent = NewEventOf<'platform.changed'> | NewEventOf<'warning.raised'>;

export interface PlatformOptions {
  /**
   * Records an event in the game's log and resolves once it is stored (the platform learns of it
   * through apply(), like everyone else). Injected by the composition root: the platform holds no
   * store, and a change is recorded before any process follows it.
   */
  append: (e: PlatformEvent) => Promise<unknown>;
  clock: Clock;
  /** The releases of the service the platform runs (the chat service's catalog). */
  catalog: Catalog;
  /** Where each team's folder (database file, logs, pid files) lives; null: a temp dir removed on close. */
  root: string | null;
  baseManifest: Manifest;
  log?: (msg: string) => void;
}

const APP = join(distRoot, 'challenges', 'chat-service', 'app');
const entryOf = (rel: string) => join(APP, `${rel}.js`);

/** The base manifest file, shape-checked; LocalPlatform checks its releases against the catalog. */
export function loadBaseManifest(file: string): Manifest {
  return parseManifest(readFileSync(file, 'utf8'));
}

/** Ports this process has handed out: the OS may offer a just-closed port again. */
const handedOut = new Set<number>();

/** A port the OS says is free and that no other team of this server was given. */
async function freePort(): Promise<number> {
  for (;;) {
    const p = await osFreePort();
    if (!handedOut.has(p)) {
      handedOut.add(p);
      return p;
    }
  }
}

/** Whether nothing listens on this loopback port now. */
function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = createServer();
    s.once('error', () => resolve(false));
    s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
  });
}

async function osFreePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => resolve());
  });
  const addr = s.address();
  const port = typeof addr === 'object' && addr ? addr.port : 0;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/**
 * The embedded training platform: for each team, the chat service as real processes on loopback
 * (ingress, frontend, backend, database) plus the service link, driven by the team's manifest.
 * The manifest is a fold of the log (team.created, then platform.changed); the processes follow
 * it like a controller follows desired state. Nothing runs until start().
 */
export class LocalPlatform {
  private readonly teams = new Map<string, TeamState>();
  private started = false;
  private closed = false;
  private root: string | undefined;
  private tempRoot = false;
  private booting = 0;
  private readonly bootQueue: Array<() => void> = [];

  constructor(private readonly opts: PlatformOptions) {
    assertManifest(opts.baseManifest, opts.catalog);
  }

  get catalog(): Catalog {
    return this.opts.catalog;
  }

  findRelease(component: string, version: string): Release | undefined {
    return findRelease(this.opts.catalog, component, version);
  }

  /** Fold one event; live events after start() also move processes. */
  apply(e: StoredEvent): void {
    if (e.type === 'team.created') {
      const d = e.data;
      // An external team's service runs elsewhere: no processes, no manifest here.
      if (this.teams.has(d.id) || d.target) return;
      this.teams.set(d.id, {
        id: d.id,
        seed: d.seed,
        portBase: d.portBase,
        createdAt: e.at,
        manifest: initialManifest(this.opts.baseManifest, d),
        changes: [],
        lock: Promise.resolve(),
      });
      if (this.started) void this.startTeam(d.id);
    } else if (e.type === 'platform.changed' && e.team) {
      const t = this.teams.get(e.team);
      if (!t) return;
      const d = e.data;
      t.manifest = d.manifest as Manifest;
      t.changes.push({
        change: d.change,
        seq: e.seq,
        at: e.at,
        author: d.author,
        message: d.message,
        manifest: d.manifest as Manifest,
        ...(d.fault ? { fault: d.fault } : {}),
        ...(d.revertOf ? { revertOf: d.revertOf } : {}),
        ...(d.dropConnections ? { dropConnections: true } : {}),
      });
      if (t.running) this.schedule(t, d.dropConnections === true);
    }
  }

  async start(): Promise<void> {
    if (this.started || this.closed) return;
    this.started = true;
    if (this.opts.root) {
      this.root = this.opts.root;
      mkdirSync(this.root, { recursive: true });
    } else {
      this.root = mkdtempSync(join(tmpdir(), 'firedrill-platform-'));
      this.tempRoot = true;
    }
    await Promise.all([...this.teams.keys()].map((id) => this.startTeam(id)));
  }

  /** Boot teams a few at a time: each is four Node processes, and the machine may have two cores. */
  private async bootSlot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.booting >= 4) await new Promise<void>((resolve) => this.bootQueue.push(resolve));
    this.booting++;
    try {
      return await fn();
    } finally {
      this.booting--;
      this.bootQueue.shift()?.();
    }
  }

  has(team: string): boolean {
    return this.teams.has(team);
  }

  /** Resolves when the team's processes are up (or at once when the platform is not started). */
  async ready(team: string): Promise<void> {
    const t = this.teams.get(team);
    await t?.starting;
    await t?.running?.chain;
  }

  startTeam(id: string): Promise<void> {
    const t = this.teams.get(id);
    if (!t || !this.started || this.closed) return Promise.resolve();
    t.starting ??= this.bootSlot(() => this.bootTeam(t)).catch(async (err: unknown) => {
      const message = `team ${id}'s chat service failed to start: ${(err as Error).message}`;
      this.opts.log?.(`platform: ${message}`);
      // Organizers must see it: probes would otherwise report on whatever answers on those ports.
      await this.opts
        .append({ type: 'warning.raised', team: id, source: 'platform', data: { code: 'platform_start_failed', message } })
        .catch(() => {});
    });
    return t.starting;
  }

  private async bootTeam(t: TeamState): Promise<void> {
    const dir = join(this.root as string, t.id);
    const dirs = { logs: join(dir, 'logs'), run: join(dir, 'run') };
    mkdirSync(dirs.logs, { recursive: true });
    mkdirSync(dirs.run, { recursive: true });
    const stale = cleanStalePids(dirs.run);
    if (stale) this.opts.log?.(`platform: killed ${stale} stale process(es) of team ${t.id}`);
    const base = t.portBase && t.portBase > 0 ? t.portBase : 0;
    if (base) {
      // Another server (or program) on these ports would answer the probes in this team's place.
      const taken: number[] = [];
      for (let p = base; p <= base + 4; p++) if (!(await portFree(p))) taken.push(p);
      if (taken.length) throw new Error(`port(s) ${taken.join(', ')} already in use; start firedrill with another --team-port-base`);
    }
    const link = new ServiceLink((line) => this.opts.log?.(`team ${t.id}: ${line}`));
    const ports: RealPorts = base
      ? { ingress: base, frontend: base + 1, backend: base + 2, database: base + 3, link: await link.listen(base + 4) }
      : { ingress: await freePort(), frontend: await freePort(), backend: await freePort(), database: await freePort(), link: await link.listen(0) };
    const procs = Object.fromEntries(components.map((c) => [c, new Supervisor(c, dirs, this.opts.clock)])) as Record<Component, Supervisor>;
    if (this.closed) {
      await link.close();
      return;
    }
    t.running = { ports, dir, procs, link, applied: undefined, chain: Promise.resolve() };
    this.schedule(t, false);
    await t.running.chain;
  }

  private schedule(t: TeamState, drop: boolean): void {
    const r = t.running;
    if (!r) return;
    r.chain = r.chain
      .then(() => this.reconcile(t, r, drop))
      .catch((err: unknown) => this.opts.log?.(`platform: team ${t.id}: ${(err as Error).message}`));
  }

  /** Make the processes match the manifest, touching only what changed (like a deploy). */
  private async reconcile(t: TeamState, r: Running, drop: boolean): Promise<void> {
    if (this.closed) return;
    const want = effective(t.manifest, r.ports);
    const have = r.applied;
    const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
    r.link.configure(want.link.target, want.link.policy);
    if (!have || !same(have.link, want.link)) r.procs.backend.note(`service link to ${want.backend.database.endpoint}: ${want.link.policy}`);

    const db = r.procs.database;
    const dbConfig = { ...want.database, file: join(r.dir, 'chat.db') };
    if (!have || db.status === 'stopped') await db.start({ entry: entryOf(this.opts.catalog.fixedEntries.database), config: dbConfig });
    else if (!same(have.database, want.database)) await db.reconfigure(dbConfig);

    for (const c of ['backend', 'frontend'] as const) {
      const p = r.procs[c];
      if (have && same(have[c], want[c]) && p.status !== 'stopped') continue;
      const rel = this.findRelease(c, want[c].release);
      if (!rel) throw new Error(`no release ${want[c].release} of ${c}`);
      if (have) {
        p.note(`deploying ${c} ${want[c].release}`);
        await p.stop();
      }
      await p.start({ entry: entryOf(rel.entry), config: want[c], release: rel.version });
    }

    const ing = r.procs.ingress;
    if (!have || ing.status === 'stopped') await ing.start({ entry: entryOf(this.opts.catalog.fixedEntries.ingress), config: want.ingress });
    else if (!same(have.ingress, want.ingress)) await ing.reconfigure(want.ingress);

    if (drop) {
      const n = r.link.dropConnections();
      r.procs.backend.note(`service link: ${n} open connection(s) to ${want.backend.database.endpoint} were reset`);
    }
    r.applied = want;
  }

  // --- reads

  manifest(team: string): Manifest | undefined {
    return this.teams.get(team)?.manifest;
  }

  /** Change history, newest first; the first deployment is listed as change c0. */
  changes(team: string): Change[] {
    const t = this.teams.get(team);
    if (!t) return [];
    const initial: Change = {
      change: 'c0',
      seq: 0,
      at: t.createdAt,
      author: 'firedrill',
      message: 'initial deployment',
      manifest: initialManifest(this.opts.baseManifest, t),
    };
    return [initial, ...t.changes].reverse();
  }

  findChange(team: string, pred: (c: Change) => boolean): Change | undefined {
    return this.teams.get(team)?.changes.findLast(pred);
  }

  status(team: string): ComponentStatus[] {
    const t = this.teams.get(team);
    if (!t) return [];
    const m = t.manifest;
    const now = this.opts.clock.now();
    return components.map((c) => {
      const p = t.running?.procs[c];
      const mem = memoryKb(p?.pid);
      const release = c === 'frontend' || c === 'backend' ? (p?.spec?.release ?? m.services[c].release) : null;
      const servicePort = c === 'ingress' ? null : m.services[c].port;
      return {
        name: c,
        status: p?.status ?? 'stopped',
        pid: p?.pid ?? null,
        port: t.running ? t.running.ports[c] : null,
        servicePort,
        release,
        uptimeMs: p?.startedAt !== undefined && p.status === 'running' ? Math.max(0, now - p.startedAt) : null,
        restarts: p?.restarts ?? 0,
        rssKb: mem?.rss ?? null,
        pssKb: mem?.pss ?? null,
        lastExit: p?.lastExit ?? null,
      };
    });
  }

  /** Every live process id of the team (for tests and diagnostics). */
  pids(team: string): number[] {
    const r = this.teams.get(team)?.running;
    return r ? components.map((c) => r.procs[c].pid).filter((p): p is number => p !== undefined) : [];
  }

  /** The last `lines` lines of a component's log file. */
  logs(team: string, component: Component, lines = 200): string[] {
    const r = this.teams.get(team)?.running;
    if (!r) return [];
    const file = r.procs[component].logFile;
    if (!existsSync(file)) return [];
    const fd = openSync(file, 'r');
    try {
      const size = fstatSync(fd).size;
      const len = Math.min(size, 512 * 1024);
      const buf = Buffer.alloc(len);
      readSync(fd, buf, 0, len, size - len);
      const all = buf.toString('utf8').split('\n');
      if (all.at(-1) === '') all.pop();
      if (len < size) all.shift(); // a partial first line
      return all.slice(-lines);
    } finally {
      closeSync(fd);
    }
  }

  releases(): Catalog['releases'] {
    return this.opts.catalog.releases;
  }

  publicUrl(team: string): string | undefined {
    const r = this.teams.get(team)?.running;
    return r ? `http://127.0.0.1:${r.ports.ingress}` : undefined;
  }

  // --- writes

  /**
   * Record a change to a team's manifest (append FIRST), then apply it like a deploy. `next` gets
   * the current manifest and returns the change to make, or null to make none (compare-and-swap).
   * Resolves with the change once the processes follow it; invalid manifests throw ManifestError
   * and change nothing.
   */
  async mutate(team: string, next: (current: Manifest, history: readonly Change[]) => ChangeInput | null): Promise<Change | null> {
    const t = this.teams.get(team);
    if (!t) throw new Error(`no team ${team} on the platform`);
    const run = t.lock.then(async () => {
      const input = next(t.manifest, t.changes);
      if (!input) return null;
      const manifest = assertManifest(input.manifest, this.opts.catalog);
      const id = `c${t.changes.length + 1}`;
      await this.opts.append({
        type: 'platform.changed',
        team,
        source: input.source,
        data: {
          change: id,
          author: input.author,
          message: input.message,
          manifest,
          ...(input.fault ? { fault: input.fault } : {}),
          ...(input.revertOf ? { revertOf: input.revertOf } : {}),
          ...(input.dropConnections ? { dropConnections: true } : {}),
        },
      });
      await t.running?.chain;
      return t.changes.find((c) => c.change === id) ?? null;
    });
    t.lock = run.catch(() => {});
    return run;
  }

  change(team: string, input: ChangeInput): Promise<Change> {
    return this.mutate(team, () => input) as Promise<Change>;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const all = [...this.teams.values()];
    await Promise.all(all.map((t) => t.starting));
    await Promise.all(
      all.map(async (t) => {
        const r = t.running;
        if (!r) return;
        await r.chain;
        for (const c of [...components].reverse()) await r.procs[c].stop();
        await r.link.close();
        t.running = undefined;
      }),
    );
    if (this.tempRoot && this.root) rmSync(this.root, { recursive: true, force: true });
  }
}
