import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { cloneManifest, type Manifest } from '../../src/platform/manifest.js';
import { distRoot } from '../../src/paths.js';
import { alive, harness, http, post, until } from './harness.js';

describe('platform lifecycle', () => {
  it('rebuilds every team from the log on restart, keeps its data, and cleans stale processes', async () => {
    const h1 = harness();
    await h1.platform.start();
    await h1.addTeam('beta');
    const base1 = h1.platform.publicUrl('beta') as string;
    const text = '再起動しても残る 📦';
    expect((await post(base1, { room: 'lobby', name: 'Aiko', text, clientId: 'keep-1' })).status).toBe(201);
    const m = cloneManifest(h1.platform.manifest('beta') as Manifest);
    m.services.frontend.release = '1.3.0';
    await h1.platform.change('beta', { author: 'Aiko', message: 'Try the old frontend', manifest: m, source: 'team' });
    const history = h1.platform.changes('beta');
    const pids = h1.platform.pids('beta');
    expect(pids).toHaveLength(4);
    await h1.close(false);
    for (const pid of pids) expect(alive(pid)).toBe(false);

    // A process a crashed server left behind (its pid file survived a kill -9).
    const orphan = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', 'chat-service/app/backend/releases/1.4.0.js'], { stdio: 'ignore' });
    const run = join(h1.dir, 'platform', 'beta', 'run');
    mkdirSync(run, { recursive: true });
    writeFileSync(join(run, 'backend.pid'), `${orphan.pid}\n`);
    const orphanGone = new Promise((resolve) => orphan.once('exit', resolve));

    const h2 = harness(h1.dir);
    try {
      expect(h2.platform.manifest('beta')).toEqual(m);
      expect(h2.platform.changes('beta')).toEqual(history);
      await h2.platform.start();
      await orphanGone;
      const base2 = h2.platform.publicUrl('beta') as string;
      expect(h2.platform.status('beta').map((c) => [c.name, c.status, c.release])).toEqual([
        ['database', 'running', null],
        ['backend', 'running', '1.4.0'],
        ['frontend', 'running', '1.3.0'],
        ['ingress', 'running', null],
      ]);
      expect((await http(`${base2}/`)).text).toContain('chat frontend 1.3.0');
      const list = await http(`${base2}/api/messages?room=lobby`);
      expect(list.json.messages).toEqual([expect.objectContaining({ clientId: 'keep-1', text })]);
    } finally {
      await h2.close();
    }
  });

  it('children exit when the server process is killed with SIGKILL (IPC disconnect)', async () => {
    const h = harness();
    await h.close(false); // only its folder is wanted
    const mod = (p: string) => JSON.stringify(`file://${join(distRoot, p)}`);
    // A real server process built from dist/, running one team's platform, killed without a chance to clean up.
    const script = `
      const { SqliteEventStore, openDatabase } = await import(${mod('src/events/store.js')});
      const { LocalPlatform, loadBaseManifest } = await import(${mod('src/platform/platform.js')});
      const { fromRoot } = await import(${mod('src/paths.js')});
      const { catalog } = await import(${mod('challenges/chat-service/app/catalog.js')});
      const store = new SqliteEventStore(openDatabase(${JSON.stringify(join(h.dir, 'events.db'))}), { clock: { now: () => Date.now() } });
      const platform = new LocalPlatform({ append: (e) => store.append(e), catalog, clock: { now: () => Date.now() }, root: ${JSON.stringify(join(h.dir, 'platform'))}, baseManifest: loadBaseManifest(fromRoot('challenges/chat-service/platform.yaml')) });
      store.subscribe((e) => platform.apply(e));
      await platform.start();
      await store.append({ type: 'team.created', team: 'delta', source: 'test', data: { id: 'delta', name: 'Delta', members: [], tokenHash: 'x', portBase: null, seed: 1, by: { kind: 'organizer', name: 't' } } });
      await platform.ready('delta');
      console.log(JSON.stringify(platform.pids('delta')));
    `;
    const server = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    const line = await new Promise<string>((resolve, reject) => {
      let out = '';
      server.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        if (out.includes('\n')) resolve(out.trim());
      });
      server.once('exit', (code) => reject(new Error(`server exited early (${code})`)));
    });
    const pids = JSON.parse(line) as number[];
    expect(pids).toHaveLength(4);
    expect(pids.every(alive)).toBe(true);
    server.kill('SIGKILL');
    await until('every child gone', async () => pids.every((p) => !alive(p)));
    rmSync(h.dir, { recursive: true, force: true });
  });

  it('restarts a component that crashes, and counts it', async () => {
    const h = harness();
    try {
      await h.platform.start();
      await h.addTeam('gamma');
      const before = h.platform.status('gamma').find((c) => c.name === 'frontend')!;
      process.kill(before.pid as number, 'SIGKILL');
      const after = await until('frontend restarted', async () => {
        const s = h.platform.status('gamma').find((c) => c.name === 'frontend')!;
        return s.status === 'running' && s.pid !== before.pid ? s : undefined;
      });
      expect(after.restarts).toBe(1);
      expect(after.lastExit).toBe('SIGKILL');
      expect(h.platform.logs('gamma', 'frontend').join('\n')).toMatch(/exited unexpectedly \(SIGKILL\)/);
      expect((await http(`${h.platform.publicUrl('gamma')}/`)).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  // Their memory is a figure, not a test: bench/platform-memory.ts (npm run bench) measures it.
  it('runs 20 teams on this machine, reports their memory, and leaves no process behind', async () => {
    const h = harness();
    const ids = Array.from({ length: 20 }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
    const pids: number[] = [];
    try {
      await h.platform.start();
      await Promise.all(ids.map((id) => h.addTeam(id)));
      for (const id of ids) {
        const st = h.platform.status(id);
        expect(st.filter((c) => c.status !== 'running'), id).toEqual([]);
        // Every running component reports its memory (what the ops console shows), PSS never above RSS.
        for (const c of st) {
          expect(c.rssKb, `${id}/${c.name}`).toBeGreaterThan(0);
          expect(c.pssKb!, `${id}/${c.name}`).toBeLessThanOrEqual(c.rssKb!);
        }
        pids.push(...h.platform.pids(id));
        const base = h.platform.publicUrl(id) as string;
        expect((await http(`${base}/api/health`)).status).toBe(200);
      }
      expect(new Set(pids).size).toBe(80);
    } finally {
      await h.close();
    }
    expect(pids.filter(alive)).toEqual([]);
  }, 120_000);
});
