import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';

// The built CLI, as an organizer runs it (vitest's global setup builds first).
const CLI = fromRoot('dist/src/cli.js');
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function run(args: string[], cwd = fromRoot()) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const c = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, FIREDRILL_SCENARIO: '', FIREDRILL_ADMIN_TOKEN: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    c.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    c.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('firedrill validate / schema (built CLI)', () => {
  it('validates the default scenario: exit 0 and a one-line summary', async () => {
    const r = await run(['validate']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`ok: ${fromRoot('challenges/chat-service/scenario.yaml')} (3 faults, 3 probes)\n`);
    const named = await run(['validate', 'challenges/chat-service/scenario.yaml']);
    expect(named.stdout).toBe('ok: challenges/chat-service/scenario.yaml (3 faults, 3 probes)\n');
  });

  it('exits 1 with every problem on its own line on stderr', async () => {
    const r = await run(['validate', 'test/fixtures/scenarios/several.yaml']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trimEnd().split('\n')).toEqual([
      "test/fixtures/scenarios/several.yaml:12: probes[0].expect.status[1]: must be a status code or a range such as 200-299 (got '3xx')",
      "test/fixtures/scenarios/several.yaml:14: probes[1].id: must be a lower-case id: letters, digits, - and _ (got 'API')",
      "test/fixtures/scenarios/several.yaml:52: faults[0].personas[0].after: must be a duration such as 250ms, 30s, 5m, 1h (got 'soon')",
    ]);
    const missing = await run(['validate', 'nope.yaml']);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe('nope.yaml: cannot read the scenario: no such file\n');
  });

  it('prints the JSON Schema that is committed', async () => {
    const r = await run(['schema']);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(readFileSync(fromRoot('challenges/scenario.schema.json'), 'utf8'));
  });

  it('refuses to serve an invalid scenario: exit 1, the problems, no stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-cli-scn-'));
    dirs.push(dir);
    const r = await run(['serve', '--port', '0', '--data-dir', dir, '--scenario', 'test/fixtures/scenarios/delay-order.yaml']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'firedrill: cannot start: the scenario is not valid\n' +
        'test/fixtures/scenarios/delay-order.yaml:38: faults[0].timing.delay: min (10m) must not be more than max (2m)\n',
    );
    expect(r.stdout).not.toContain('is running');
  });
});
