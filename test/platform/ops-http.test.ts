import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/tokens.js';
import type { LocalPlatform } from '../../src/platform/platform.js';
import type { TSchema } from 'typebox';
import Value from 'typebox/value';
import { ChangeMade, Changes, Components, Logs, ManifestAnswer, Releases, RollbackMade } from '../../src/contract/ops.js';
import { testApp } from '../helpers.js';
import { faults, http, post } from './harness.js';

/** The ops console API and the spectators' proxy, on the whole runtime (createRuntime) and a real listening server. */
const TEAM = 'alpha';
const TOKEN = 'alpha-team-token-0123456789abcdef';
const auth = { authorization: `Bearer ${TOKEN}` };
const JA = 'ラーメン食べたい 🍜✨';
let t: Awaited<ReturnType<typeof testApp>>;
let dir: string;
let url: string;
let platform: LocalPlatform;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'fd-ops-'));
  t = await testApp({}, { dataDir: dir });
  platform = t.services.platform as LocalPlatform;
  await platform.start();
  // A team that appears after the platform started gets its processes too.
  await t.services.store.append({
    type: 'team.created',
    team: TEAM,
    source: 'test',
    data: { id: TEAM, name: 'Team Alpha', members: [{ name: 'Aiko' }], tokenHash: hashToken(TOKEN), portBase: null, seed: 3, by: { kind: 'organizer', name: 'test' } },
  });
  await platform.ready(TEAM);
  url = await t.app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await t?.close();
  rmSync(dir, { recursive: true, force: true });
});

const api = (path: string, init: RequestInit = {}) => http(`${url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });
/** An answer has exactly the fields of its contract (src/contract/ops.ts), each of its type. */
const contractErrors = (schema: TSchema, body: unknown) => [...Value.Errors(schema, body)].map((e) => `${e.instancePath} ${e.message}`);
const countChanges = async () => (await t.services.store.read({ types: ['platform.changed'] })).length;
const inject = async (fault: keyof typeof faults) => {
  const req = { team: TEAM, fault, actions: faults[fault] as (typeof faults)['route'] };
  const target = t.services.target!;
  await target.inject(req, (await target.plan(req)).handle);
};

describe('ops console API', () => {
  it('needs the team token', async () => {
    expect((await http(`${url}/api/team/ops/components`)).status).toBe(401);
  });

  it('lists components with status, pid, port, release and memory', async () => {
    const r = await api('/api/team/ops/components');
    expect(r.status).toBe(200);
    const comps = r.json.components as Array<Record<string, unknown>>;
    expect(comps.map((c) => c.name)).toEqual(['database', 'backend', 'frontend', 'ingress']);
    for (const c of comps) {
      expect(c).toMatchObject({ status: 'running', restarts: 0 });
      expect(c.pid).toBeGreaterThan(0);
      expect(c.rssKb).toBeGreaterThan(1000);
    }
    expect(comps.find((c) => c.name === 'backend')).toMatchObject({ release: '1.4.0', servicePort: 8080 });
  });

  it('serves the last lines of a component log, and 404 for an unknown component', async () => {
    const r = await api('/api/team/ops/logs/backend?lines=50');
    expect((r.json.lines as string[]).join('\n')).toContain('backend 1.4.0 listening');
    expect((await api('/api/team/ops/logs/kafka')).status).toBe(404);
    expect((await api('/api/team/ops/logs/backend?lines=0')).status).toBe(400);
  });

  it('refuses a bad manifest with 400, saying where, and changes nothing', async () => {
    const before = await countChanges();
    const m = (await api('/api/team/ops/manifest')).json;
    const yaml = (m.yaml as string).replaceAll('port: 8080', 'port: 99999');
    const bad = await api('/api/team/ops/manifest?message=oops', { method: 'PUT', headers: { 'content-type': 'text/yaml' }, body: yaml });
    expect(bad.status).toBe(400);
    const text = (bad.json.error as { message: string }).message;
    expect(text).toContain('ingress.routes.0.port: must be <= 65535');
    expect(text).toContain('services.backend.port: must be <= 65535');
    const broken = await api('/api/team/ops/manifest', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ manifest: 'ingress: [', message: 'x' }) });
    expect(broken.status).toBe(400);
    expect((broken.json.error as { message: string }).message).toMatch(/YAML/);
    const unknownRelease = structuredClone(m.manifest) as { services: { frontend: { release: string } } };
    unknownRelease.services.frontend.release = '2.0.0';
    const rel = await api('/api/team/ops/manifest', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ manifest: unknownRelease, message: 'x' }) });
    expect(rel.status).toBe(400);
    expect((rel.json.error as { message: string }).message).toContain('services.frontend.release: there is no release "2.0.0" of frontend');
    const noMessage = await api('/api/team/ops/manifest', { method: 'PUT', headers: { 'content-type': 'text/yaml' }, body: m.yaml as string });
    expect(noMessage.status).toBe(400);
    expect(await countChanges()).toBe(before);
    expect((await api('/api/team/ops/manifest')).json.manifest).toEqual(m.manifest);
  });

  it('fault 1 shows as broken through /t/<team>/; the team fixes it by editing the manifest', async () => {
    expect((await http(`${url}/t/${TEAM}/`)).text).toMatch(/<title>Chat<\/title>/);
    await inject('route');
    const broken = await http(`${url}/t/${TEAM}/`);
    expect(broken.status).toBe(503);
    const m = (await api('/api/team/ops/manifest')).json;
    expect(m.yaml).toContain('port: 8081');
    const fixedYaml = (m.yaml as string).replace('port: 8081', 'port: 80');
    const put = await api(`/api/team/ops/manifest?message=${encodeURIComponent('Route / back to frontend:80')}&author=Aiko`, {
      method: 'PUT',
      headers: { 'content-type': 'text/yaml' },
      body: fixedYaml,
    });
    expect(put.status).toBe(201);
    expect(contractErrors(ChangeMade, put.json)).toEqual([]);
    expect(put.json.change).toMatchObject({ author: 'Aiko', message: 'Route / back to frontend:80' });
    expect((await http(`${url}/t/${TEAM}/`)).status).toBe(200);
  });

  it('fault 3 is fixed by a rollback from the releases list', async () => {
    await inject('release');
    const rel = await api('/api/team/ops/releases');
    const backend = (rel.json.components as Array<{ component: string; current: string; releases: Array<{ version: string; notes: string }> }>).find((c) => c.component === 'backend')!;
    expect(backend.current).toBe('1.5.0');
    expect(backend.releases.map((r) => r.version)).toEqual(['1.3.0', '1.4.0', '1.5.0']);
    const garbled = await post(`${url}/t/${TEAM}`, { room: 'lobby', name: 'spectator', text: JA, clientId: `g-${Date.now()}` });
    expect((garbled.json.message as { text: string }).text).not.toBe(JA);

    const bad = await api('/api/team/ops/rollback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ component: 'backend', version: '0.1.0' }) });
    expect(bad.status).toBe(400);
    const rb = await api('/api/team/ops/rollback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ component: 'backend', version: '1.4.0' }) });
    expect(rb.status).toBe(201);
    expect(contractErrors(RollbackMade, rb.json)).toEqual([]);
    expect(rb.json.change).toMatchObject({ author: 'Team Alpha', message: 'Roll backend back from 1.5.0 to 1.4.0' });
    const good = await post(`${url}/t/${TEAM}`, { room: 'lobby', name: 'spectator', text: JA, clientId: `h-${Date.now()}` });
    expect(good.status).toBe(201);
    expect((good.json.message as { text: string }).text).toBe(JA);
  });

  it('lists the change history newest first, from the log, without saying which change was a fault', async () => {
    const r = await api('/api/team/ops/changes');
    const changes = r.json.changes as Array<Record<string, unknown>>;
    expect(changes.map((c) => [c.change, c.author])).toEqual([
      ['c4', 'Team Alpha'],
      ['c3', 'ci'],
      ['c2', 'Aiko'],
      ['c1', 'dev-bot'],
      ['c0', 'firedrill'],
    ]);
    expect(changes.some((c) => 'fault' in c)).toBe(false);
    expect(changes[0]!.manifest).toEqual((await api('/api/team/ops/manifest')).json.manifest);
  });

  it('answers each read exactly as its contract says', async () => {
    for (const [path, schema] of [
      ['/api/team/ops/components', Components],
      ['/api/team/ops/logs/backend?lines=5', Logs],
      ['/api/team/ops/manifest', ManifestAnswer],
      ['/api/team/ops/releases', Releases],
      ['/api/team/ops/changes', Changes],
    ] as const) {
      const r = await api(path);
      expect(r.status, path).toBe(200);
      expect(contractErrors(schema, r.json), path).toEqual([]);
    }
  });
});

describe('spectator proxy /t/<team>/', () => {
  it('redirects /t/<team> to the slash form so relative URLs resolve under the prefix', async () => {
    const r = await fetch(`${url}/t/${TEAM}?room=lobby`, { redirect: 'manual' });
    expect(r.status).toBe(308);
    expect(r.headers.get('location')).toBe(`/t/${TEAM}/?room=lobby`);
    expect((await http(`${url}/t/nobody/`)).status).toBe(404);
  });

  it('streams server-sent events and passes posts through', async () => {
    const ctrl = new AbortController();
    const stream = await fetch(`${url}/t/${TEAM}/api/stream?room=lobby`, { signal: ctrl.signal, headers: { cookie: `fd_team=${TOKEN}` } });
    expect(stream.status).toBe(200);
    const reader = stream.body!.getReader();
    const clientId = `p-${Date.now()}`;
    const r = await http(`${url}/t/${TEAM}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth },
      body: JSON.stringify({ room: 'lobby', name: 'phone', text: JA, clientId }),
    });
    expect(r.status).toBe(201);
    let seen = '';
    const dec = new TextDecoder();
    while (!seen.includes(clientId)) seen += dec.decode((await reader.read()).value, { stream: true });
    ctrl.abort();
    expect(seen).toContain(JA);
  });
});
