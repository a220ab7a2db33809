import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ManualClock } from '../../src/clock.js';
import { openDatabase, SqliteEventStore } from '../../src/events/store.js';
import { fromRoot } from '../../src/paths.js';
import { LocalPlatform, loadBaseManifest } from '../../src/platform/platform.js';
import { catalog } from '../../challenges/chat-service/app/catalog.js';
import { LocalTarget } from '../../src/targets/local.js';
import { hashToken } from '../../src/tokens.js';
import type { FaultActions } from '../../src/scenario/types.js';
import { T0 } from '../helpers.js';

export const baseManifest = () => loadBaseManifest(fromRoot('challenges/chat-service/platform.yaml'));

/** A real event log on a file and a platform folded from it, as createRuntime builds them. */
export function harness(dir = mkdtempSync(join(tmpdir(), 'fd-platform-'))) {
  const clock = new ManualClock(T0);
  const store = new SqliteEventStore(openDatabase(join(dir, 'events.db')), { clock });
  const platform = new LocalPlatform({ append: (e) => store.append(e), clock, catalog, root: join(dir, 'platform'), baseManifest: baseManifest() });
  for (const e of store.readSync()) platform.apply(e);
  store.subscribe((e) => platform.apply(e));
  const target = new LocalTarget(platform);
  return {
    dir,
    clock,
    store,
    platform,
    target,
    async addTeam(id: string, token = `token-of-${id}-0123456789`) {
      await store.append({
        type: 'team.created',
        team: id,
        source: 'test',
        data: { id, name: `Team ${id}`, members: [{ name: 'Aiko' }], tokenHash: hashToken(token), portBase: null, seed: 7, by: { kind: 'organizer', name: 'test' } },
      });
      await platform.ready(id);
      return token;
    },
    async close(removeDir = true) {
      await platform.close();
      await store.close();
      if (removeDir) rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** The three faults of the default scenario, as scenario.yaml states them. */
export const faults: Record<string, FaultActions> = {
  route: { local: { change: { author: 'dev-bot', message: 'Move frontend to 8081', set: { 'ingress.routes.1.port': 8081 } } } },
  policy: {
    local: { change: { author: 'secops', message: 'Tighten network policies', set: { 'networkPolicies.0.action': 'deny' }, dropConnections: true } },
  },
  release: { local: { rollout: { component: 'backend', version: '1.5.0', author: 'ci', message: 'Release backend 1.5.0' } } },
};

export async function http(url: string, init: RequestInit & { timeoutMs?: number } = {}) {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(init.timeoutMs ?? 10_000) });
  const text = await res.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: res.status, text, json: json as Record<string, unknown>, headers: res.headers };
}

export const post = (base: string, body: unknown, timeoutMs = 10_000) =>
  http(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body), timeoutMs });

/** Wait for a condition the service reaches by itself (a restart, a reconnect); never a fixed sleep. */
export async function until<T>(what: string, fn: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (err) {
      last = err;
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export const mojibake = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
