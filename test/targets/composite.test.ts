import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CompositeTarget } from '../../src/targets/composite.js';
import { ExecTarget } from '../../src/targets/exec.js';
import type { FaultRequest, Plan, RevertResult, TargetAdapter } from '../../src/targets/types.js';

/** A stand-in for LocalTarget that records calls (the embedded platform is tested on its own). */
class RecordingLocal implements TargetAdapter {
  readonly kind = 'local';
  calls: string[] = [];
  async plan(req: FaultRequest): Promise<Plan> {
    this.calls.push(`plan ${req.team}`);
    return { summary: 'local', handle: { kind: 'local.change', fault: req.fault } };
  }
  async inject(req: FaultRequest): Promise<void> {
    this.calls.push(`inject ${req.team}`);
  }
  async revert(team: string): Promise<RevertResult> {
    this.calls.push(`revert ${team}`);
    return { changed: true, detail: 'ok' };
  }
  async inPlace(team: string): Promise<boolean> {
    this.calls.push(`inPlace ${team}`);
    return true;
  }
  publicUrl(team: string) {
    return team === 'embedded' ? 'http://127.0.0.1:9100' : undefined;
  }
}

describe('the composite target', () => {
  let dir: string;
  let local: RecordingLocal;
  let exec: ExecTarget;
  let target: CompositeTarget;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-comp-'));
    local = new RecordingLocal();
    exec = new ExecTarget({ teams: { external: { publicUrl: 'https://external.example.test' }, other: {} }, baseDir: dir });
    target = new CompositeTarget({ adapters: { local, exec }, kindOf: (team) => (team === 'external' ? 'exec' : team === 'embedded' ? 'local' : undefined) });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const actions = {
    local: { change: { author: 'a', message: 'm', set: { 'ingress.routes.1.port': 8081 } } },
    exec: { inject: { command: ['/bin/sh', '-c', 'echo broken > "state-$FIREDRILL_TEAM"'] }, revert: { command: ['/bin/sh', '-c', 'echo fixed > "state-$FIREDRILL_TEAM"'] } },
  };

  it('sends each team to its own kind of target within one mixed scenario, and reverts by the handle', async () => {
    const a: FaultRequest = { team: 'embedded', fault: 'f', actions };
    const b: FaultRequest = { team: 'external', fault: 'f', actions };
    const pa = await target.plan(a);
    const pb = await target.plan(b);
    await target.inject(a, pa.handle);
    await target.inject(b, pb.handle);
    expect(local.calls).toEqual(['plan embedded', 'inject embedded']);
    expect(readFileSync(join(dir, 'state-external'), 'utf8')).toBe('broken\n');
    await target.revert('external', pb.handle);
    await target.revert('embedded', pa.handle);
    expect(readFileSync(join(dir, 'state-external'), 'utf8')).toBe('fixed\n');
    expect(local.calls.at(-1)).toBe('revert embedded');
    expect(target.publicUrl('embedded')).toBe('http://127.0.0.1:9100');
    expect(target.publicUrl('external')).toBe('https://external.example.test');
  });

  it('says clearly when a fault has no action for the team, or the handle no adapter', async () => {
    await expect(target.plan({ team: 'external', fault: 'f', actions: { local: actions.local } })).rejects.toThrow("fault f has no 'exec' action for team external (it has: local)");
    await expect(target.plan({ team: 'other', fault: 'f', actions: { http: { inject: { url: 'http://x' }, revert: { url: 'http://x' } } } })).rejects.toThrow(
      'fault f has no action for a configured target (fault: http; configured: local, exec)',
    );
    await expect(target.revert('x', { kind: 'kubernetes', fault: 'f', changes: [] })).rejects.toThrow('no configured target for a handle of kind "kubernetes"');
  });

  it('without a team kind, uses the only action that has an adapter', async () => {
    const p = await target.plan({ team: 'other', fault: 'f', actions: { exec: actions.exec } });
    expect((p.handle as { kind: string }).kind).toBe('exec');
  });
});
