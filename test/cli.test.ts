import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../src/paths.js';

const CLI = fromRoot('dist/src/cli.js');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** Start the built server as `npm start` does and wait for its banner. */
function serve(dataDir: string, env: NodeJS.ProcessEnv = {}) {
  const child = spawn(process.execPath, [CLI, 'serve', '--port', '0', '--data-dir', dataDir, '--team-port-base', '0'], {
    env: { ...process.env, ...env, FIREDRILL_ADMIN_TOKEN: env.FIREDRILL_ADMIN_TOKEN ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const ready = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', () => {
      const m = /spectators:\s+(http:\/\/[^\s/]+)\//.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited with ${code}:\n${out}`)));
  });
  return { child, ready, output: () => out };
}

describe('firedrill serve (built, as npm start runs it)', () => {
  it('serves /healthz, keeps the organizer token in the data dir, never logs it, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-cli-'));
    dirs.push(dir);
    const s = serve(dir);
    const url = await s.ready;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });

    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    expect(statSync(join(dir, 'admin-token')).mode & 0o777).toBe(0o600);
    expect(s.output()).toContain(`organizer token (new`);
    const ok = await fetch(`${url}/api/admin/events`, { headers: { authorization: `Bearer ${token}` } });
    expect(ok.status).toBe(200);
    // A refused join link is logged, with the token in its URL redacted.
    const refused = await fetch(`${url}/join?token=${token}-typo`, { redirect: 'manual' });
    expect(refused.status).toBe(401);
    await expect.poll(() => s.output()).toContain('token=[redacted]');
    const logLines = s.output().split('\n').filter((l) => l.startsWith('{'));
    expect(logLines.join('\n')).not.toContain(token);

    const exited = new Promise<number | null>((r) => s.child.on('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);

    // A second start reuses the token and does not print it again.
    const again = serve(dir);
    const url2 = await again.ready;
    expect((await fetch(`${url2}/api/admin/events`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect(again.output()).not.toContain(token);
    again.child.kill('SIGTERM');
  });

  it('keeps serving after SIGUSR2 (only SIGTERM/SIGINT stop it)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-cli-'));
    dirs.push(dir);
    const s = serve(dir);
    const url = await s.ready;
    let exit: string | undefined;
    s.child.on('exit', (code, signal) => (exit = signal ?? `code ${code}`));
    s.child.kill('SIGUSR2');
    await expect.poll(() => s.output(), { timeout: 10_000 }).toContain('SIGUSR2 received');
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(exit).toBeUndefined();
    const exited = new Promise<number | null>((r) => s.child.on('exit', (code) => r(code)));
    s.child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('prints help and rejects unknown flags with exit code 2', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number | null; out: string }>((resolve) => {
        const c = spawn(process.execPath, [CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        c.stdout.on('data', (d: Buffer) => (out += d.toString()));
        c.stderr.on('data', (d: Buffer) => (out += d.toString()));
        c.on('exit', (code) => resolve({ code, out }));
      });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.out).toContain('firedrill validate');
    const bad = await run(['--bogus']);
    expect(bad.code).toBe(2);
    expect(bad.out).toContain("Unknown option '--bogus'");
  });
});
