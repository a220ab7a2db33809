import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FaultActions } from '../../src/scenario/types.js';
import { ExecTarget } from '../../src/targets/exec.js';

const SECRET = 'hunter2-very-secret';

describe('the exec target, with real commands', () => {
  let dir: string;
  let target: ExecTarget;
  const state = () => readFileSync(join(dir, 'state'), 'utf8');
  const req = (exec: NonNullable<FaultActions['exec']>, team = 'a') => ({ team, fault: 'site-unreachable', actions: { exec } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-exec-'));
    writeFileSync(join(dir, 'state'), 'healthy');
    target = new ExecTarget({
      teams: { a: { namespaces: ['team-a'], publicUrl: 'https://a.example.test', vars: { repo: 'acme/chat-a' } } },
      secrets: { token: SECRET },
      baseDir: dir,
      maxOutputBytes: 256,
    });
    process.env.FIREDRILL_ADMIN_TOKEN_FOR_TEST = 'must-not-leak';
  });
  afterEach(() => {
    delete process.env.FIREDRILL_ADMIN_TOKEN_FOR_TEST;
    rmSync(dir, { recursive: true, force: true });
  });

  it("runs inject and revert without a shell, with the team's values in argv and the environment", async () => {
    const r = req({
      inject: { command: ['/bin/sh', '-c', 'printf "broken:%s:%s:%s:%s" "$1" "$FIREDRILL_NAMESPACE" "$FIREDRILL_VAR_REPO" "${FIREDRILL_ADMIN_TOKEN_FOR_TEST:-none}" > state', 'sh', '{{team}}'] },
      revert: { command: ['/bin/sh', '-c', 'printf healthy > state'] },
    });
    const plan = await target.plan(r);
    expect(plan.summary).toContain('{{team}}'.replace('{{team}}', 'a'));
    await target.inject(r, plan.handle);
    // firedrill's own environment (tokens) is not passed through; PATH is.
    expect(state()).toBe('broken:a:team-a:acme/chat-a:none');
    const back = await target.revert('a', plan.handle);
    expect(back.changed).toBe(true);
    expect(state()).toBe('healthy');
  });

  it('passes arguments literally: no shell expansion unless the scenario says shell', async () => {
    const r = req({ inject: { command: ['touch', '$(echo pwned)'] }, revert: { command: ['true'] } });
    await target.inject(r, (await target.plan(r)).handle);
    expect(existsSync(join(dir, '$(echo pwned)'))).toBe(true);
    expect(existsSync(join(dir, 'pwned'))).toBe(false);
    const s = req({ inject: { shell: 'echo "$FIREDRILL_TEAM" > from-shell' }, revert: { command: ['true'] } });
    await target.inject(s, (await target.plan(s)).handle);
    expect(readFileSync(join(dir, 'from-shell'), 'utf8')).toBe('a\n');
  });

  it('fails an injection on a non-zero exit, with its output in the error', async () => {
    const r = req({ inject: { shell: 'echo trying; echo "no such deployment: backend" >&2; exit 3' }, revert: { command: ['true'] } });
    const plan = await target.plan(r);
    await expect(target.inject(r, plan.handle)).rejects.toThrow(/inject `sh -c .*` exited with 3: stderr: no such deployment: backend\n? \| stdout: trying/);
  });

  it('kills the whole process group at the timeout and says so', async () => {
    // The shell starts a grandchild that would outlive a kill of the shell alone.
    const r = req({ inject: { shell: `sleep 30 & echo $! > ${join(dir, 'pid')}; wait`, timeout: '300ms' }, revert: { command: ['true'] } });
    const plan = await target.plan(r);
    await expect(target.inject(r, plan.handle)).rejects.toThrow(/did not finish within 300ms \(process group killed\)/);
    const pid = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    await new Promise((r) => setTimeout(r, 100));
    // The grandchild is gone too (or a zombie waiting for init to reap it: no longer running).
    const stat = existsSync(`/proc/${pid}/stat`) ? readFileSync(`/proc/${pid}/stat`, 'utf8') : '';
    expect(stat === '' || / Z /.test(stat)).toBe(true);
  });

  it('never puts a secret in the handle, the summary, the output or an error', async () => {
    const r = req({ inject: { command: ['/bin/sh', '-c', 'echo "token=$1"; echo "tok=$TOKEN" >&2; exit 1', 'sh', '{{secret.token}}'], env: { TOKEN: '{{secret.token}}' } }, revert: { command: ['true'] } });
    const plan = await target.plan(r);
    expect(JSON.stringify(plan)).not.toContain(SECRET);
    expect(plan.summary).toContain('{{secret.token}}');
    const err = await target.inject(r, plan.handle).catch((e: Error) => e);
    expect((err as Error).message).toContain('token=***');
    expect((err as Error).message).not.toContain(SECRET);
  });

  it('refuses at plan a missing secret or an unknown value', async () => {
    await expect(target.plan(req({ inject: { command: ['echo', '{{secret.nope}}'] }, revert: { command: ['true'] } }))).rejects.toThrow('{{secret.nope}}: no such secret');
    await expect(target.plan(req({ inject: { command: ['echo', '{{vars.cluster}}'] }, revert: { command: ['true'] } }))).rejects.toThrow('{{vars.cluster}}: no such value');
    await expect(target.plan(req({ inject: { command: ['true'] }, revert: { command: ['true'] } }, 'zz'))).rejects.toThrow('team zz is not configured');
  });

  it("with a check: revert is skipped once the team fixed it themselves, and inPlace follows the check's exit", async () => {
    const r = req({
      inject: { shell: 'printf broken > state' },
      revert: { shell: 'printf reverted > state' },
      check: { shell: 'grep -q broken state' },
    });
    const plan = await target.plan(r);
    await target.inject(r, plan.handle);
    expect(await target.inPlace('a', plan.handle)).toBe(true);
    writeFileSync(join(dir, 'state'), 'fixed-by-team');
    expect(await target.inPlace('a', plan.handle)).toBe(false);
    expect(await target.revert('a', plan.handle)).toMatchObject({ changed: false });
    expect(state()).toBe('fixed-by-team');
  });

  it('caps output, keeping the end', async () => {
    const r = req({ inject: { shell: 'i=0; while [ $i -lt 200 ]; do echo "line $i"; i=$((i+1)); done; exit 2' }, revert: { command: ['true'] } });
    const plan = await target.plan(r);
    const err = (await target.inject(r, plan.handle).catch((e: Error) => e)) as Error;
    expect(err.message).toContain('bytes cut');
    expect(err.message).toContain('line 199');
    expect(err.message).not.toContain('line 1\n');
  });

  it('reports a program that does not exist as a failed injection', async () => {
    const r = req({ inject: { command: ['/nonexistent/break-it'] }, revert: { command: ['true'] } });
    await expect(target.inject(r, (await target.plan(r)).handle)).rejects.toThrow(/ENOENT/);
  });
});
