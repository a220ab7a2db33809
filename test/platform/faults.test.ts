import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneManifest, type Manifest } from '../../src/platform/manifest.js';
import { faults, harness, http, mojibake, post, until } from './harness.js';

/**
 * One real team platform (four processes and the service link) shared by the tests of this file,
 * which run in order; each test leaves the deployment healthy for the next.
 */
let h: ReturnType<typeof harness>;
let base: string;
const TEAM = 'alpha';
const JA = 'こんにちは、世界 🎉🔥 日本語テキスト';
let n = 0;
const msg = (text: string) => ({ room: 'lobby', name: 'Aiko 🍣', text, clientId: `c-${Date.now()}-${n++}` });
const req = (fault: keyof typeof faults) => ({ team: TEAM, fault, actions: faults[fault] as (typeof faults)['route'] });
const changesOf = async () => (await h.store.read({ types: ['platform.changed'], team: TEAM })).length;
let original: Manifest;

beforeAll(async () => {
  h = harness();
  await h.platform.start();
  await h.addTeam(TEAM);
  base = h.platform.publicUrl(TEAM) as string;
  original = cloneManifest(h.platform.manifest(TEAM) as Manifest);
});
afterAll(async () => h?.close());

describe('the chat service on the embedded platform', () => {
  it('runs four real processes and round-trips Japanese and emoji through the ingress, live over SSE', async () => {
    const st = h.platform.status(TEAM);
    expect(st.map((c) => [c.name, c.status])).toEqual([
      ['database', 'running'],
      ['backend', 'running'],
      ['frontend', 'running'],
      ['ingress', 'running'],
    ]);
    expect(new Set(st.map((c) => c.pid)).size).toBe(4);

    const page = await http(`${base}/`);
    expect(page.status).toBe(200);
    expect(page.text).toMatch(/<title>Chat<\/title>/);
    expect(page.text).toContain('textContent');
    expect(page.text).not.toContain('innerHTML');
    expect((await http(`${base}/healthz`)).status).toBe(200);
    expect((await http(`${base}/api/health`)).json).toMatchObject({ status: 'ok', database: 'ok' });

    // Subscribe first, then post: the message arrives on the stream without reloading.
    const ctrl = new AbortController();
    const stream = await fetch(`${base}/api/stream?room=lobby`, { signal: ctrl.signal });
    expect(stream.headers.get('content-type')).toMatch(/text\/event-stream/);
    const reader = stream.body!.getReader();
    const m = msg(JA);
    const created = await post(base, m);
    expect(created.status).toBe(201);
    expect((created.json.message as { text: string }).text).toBe(JA);
    let seen = '';
    const dec = new TextDecoder();
    while (!seen.includes(m.clientId)) seen += dec.decode((await reader.read()).value, { stream: true });
    ctrl.abort();
    expect(seen).toContain(JA);

    const again = await post(base, m); // a retry with the same clientId stores nothing new
    expect(again.status).toBe(200);
    const list = await http(`${base}/api/messages?room=lobby&limit=50`);
    const mine = (list.json.messages as Array<{ clientId: string; text: string; name: string }>).filter((x) => x.clientId === m.clientId);
    expect(mine).toEqual([expect.objectContaining({ text: JA, name: 'Aiko 🍣' })]);
  });

  it('fault 1 (route moved to 8081): / answers 503 while the API stays up; the team puts the port back', async () => {
    const plan = await h.target.plan(req('route'));
    expect(plan.summary).toContain('ingress.routes.1.port: 80 → 8081');
    await h.target.inject(req('route'), plan.handle);
    const page = await http(`${base}/`);
    expect(page.status).toBe(503);
    expect(page.text).toContain('frontend:8081 has no endpoints');
    expect((await http(`${base}/api/health`)).status).toBe(200);
    expect(h.platform.logs(TEAM, 'ingress').join('\n')).toContain('no endpoints for frontend:8081');

    // The team's fix: a manifest change of its own.
    const fixed = cloneManifest(h.platform.manifest(TEAM) as Manifest);
    fixed.ingress.routes[1]!.port = 80;
    await h.platform.change(TEAM, { author: 'Aiko', message: 'Point / back at frontend:80', manifest: fixed, source: 'team' });
    expect((await http(`${base}/`)).status).toBe(200);

    // Revert after the team's own fix keeps the fix and records nothing.
    const before = await changesOf();
    const r = await h.target.revert(TEAM, plan.handle);
    expect(r).toMatchObject({ changed: false });
    expect(r.detail).toMatch(/nothing to restore/);
    expect(await changesOf()).toBe(before);
    expect(h.platform.manifest(TEAM)).toEqual(original);
  });

  it('inject twice = once, and revert restores the original manifest exactly', async () => {
    const plan = await h.target.plan(req('route'));
    const before = await changesOf();
    await h.target.inject(req('route'), plan.handle);
    await h.target.inject(req('route'), plan.handle);
    expect(await changesOf()).toBe(before + 1);
    const r = await h.target.revert(TEAM, plan.handle);
    expect(r.changed).toBe(true);
    expect(h.platform.manifest(TEAM)).toEqual(original);
    const last = h.platform.changes(TEAM)[0]!;
    expect(last).toMatchObject({ author: 'firedrill', revertOf: h.platform.changes(TEAM)[1]!.change });
    expect((await http(`${base}/`)).status).toBe(200);
    // A second revert has nothing left to do.
    expect((await h.target.revert(TEAM, plan.handle)).changed).toBe(false);
  });

  it('revert never undoes a team fix on another field, and restores only what still holds the fault value', async () => {
    const plan = await h.target.plan(req('release'));
    await h.target.inject(req('release'), plan.handle);
    // The team rolls back to 1.3.0 instead of 1.4.0: revert must keep their choice.
    const mine = cloneManifest(h.platform.manifest(TEAM) as Manifest);
    mine.services.backend.release = '1.3.0';
    await h.platform.change(TEAM, { author: 'Aiko', message: 'Roll back backend', manifest: mine, source: 'team' });
    const r = await h.target.revert(TEAM, plan.handle);
    expect(r.changed).toBe(false);
    expect(r.detail).toContain('kept the team');
    expect(h.platform.manifest(TEAM)!.services.backend.release).toBe('1.3.0');
    const back = cloneManifest(h.platform.manifest(TEAM) as Manifest);
    back.services.backend.release = '1.4.0';
    await h.platform.change(TEAM, { author: 'Aiko', message: 'Back to 1.4.0', manifest: back, source: 'team' });
    expect(h.platform.manifest(TEAM)).toEqual(original);
  });

  it('fault 2 (deny backend→database, drop connections): posts time out and are not saved, health is red; allowing again recovers', async () => {
    // Warm the pool so there are connections to drop.
    expect((await post(base, msg('warm-up'))).status).toBe(201);
    const plan = await h.target.plan(req('policy'));
    await h.target.inject(req('policy'), plan.handle);

    const lost = msg(`lost while denied ${Date.now()}`);
    const failed = await post(base, lost);
    expect(failed.status).toBe(503);
    // Dropped, not refused: the backend waited and gave up.
    expect((failed.json.error as { message: string }).message).toMatch(/timed out/);
    const health = await http(`${base}/api/health`);
    expect(health.status).toBe(503);
    expect(health.json).toMatchObject({ status: 'error' });
    expect(h.platform.logs(TEAM, 'backend').join('\n')).toMatch(/timed out/);
    expect((await http(`${base}/`)).status).toBe(200); // the page itself still loads

    const fix = cloneManifest(h.platform.manifest(TEAM) as Manifest);
    fix.networkPolicies[0]!.action = 'allow';
    await h.platform.change(TEAM, { author: 'Aiko', message: 'Allow backend to reach the database again', manifest: fix, source: 'team' });
    await until('health green', async () => (await http(`${base}/api/health`)).status === 200);
    const list = await http(`${base}/api/messages?room=lobby&limit=200`);
    expect((list.json.messages as Array<{ clientId: string }>).some((x) => x.clientId === lost.clientId)).toBe(false);
    expect((await post(base, msg('after the fix'))).status).toBe(201);
    expect(h.platform.manifest(TEAM)).toEqual(original);
  });

  it('fault 3 (backend 1.5.0): text comes back as mojibake while every health check is green; rollback fixes new posts', async () => {
    const plan = await h.target.plan(req('release'));
    expect(plan.handle).toMatchObject({ component: 'backend', from: '1.4.0', to: '1.5.0' });
    await h.target.inject(req('release'), plan.handle);
    expect(h.platform.status(TEAM).find((c) => c.name === 'backend')!.release).toBe('1.5.0');

    const garbled = await post(base, msg(JA));
    expect(garbled.status).toBe(201);
    expect((garbled.json.message as { text: string }).text).toBe(mojibake(JA));
    const ascii = await post(base, msg('plain ascii survives'));
    expect((ascii.json.message as { text: string }).text).toBe('plain ascii survives');
    expect((await http(`${base}/api/health`)).json).toMatchObject({ status: 'ok', release: '1.5.0', database: 'ok' });
    expect((await http(`${base}/`)).status).toBe(200);
    expect((await http(`${base}/healthz`)).status).toBe(200);

    const r = await h.target.revert(TEAM, plan.handle);
    expect(r.changed).toBe(true);
    const good = await post(base, msg(JA));
    expect((good.json.message as { text: string }).text).toBe(JA);
    expect(h.platform.manifest(TEAM)).toEqual(original);
  });

  it('a rotated credential bites only when connections are re-made', async () => {
    expect((await post(base, msg('pool warm'))).status).toBe(201);
    const rotate = cloneManifest(h.platform.manifest(TEAM) as Manifest);
    rotate.secrets['db-password-v2'] = 'a-new-password-0001';
    rotate.services.database.passwordSecret = 'db-password-v2';
    // Without dropping connections the pooled, authenticated ones keep working.
    await h.platform.change(TEAM, { author: 'secops', message: 'Rotate the database password', manifest: rotate, source: 'game' });
    expect((await post(base, msg('still fine on the old connection'))).status).toBe(201);
    // Dropping them forces re-authentication with the stale password.
    await h.platform.change(TEAM, { author: 'secops', message: 'Recycle connections', manifest: rotate, dropConnections: true, source: 'game' });
    const failed = await post(base, msg('after the reset'));
    expect(failed.status).toBe(503);
    expect((failed.json.error as { message: string }).message).toMatch(/password authentication failed/);
    await h.platform.change(TEAM, { author: 'Aiko', message: 'Undo rotation', manifest: original, source: 'team' });
    await until('posting works again', async () => (await post(base, msg('recovered'))).status === 201);
  });
});
