import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { restartDelay, STABLE_AFTER_MS, Supervisor, type Timers } from '../../src/platform/process.js';
import { until } from './harness.js';

/** Retries the supervisor asks for, run only when the test says so: no test waits on real time. */
class StepTimers implements Timers {
  pending: Array<{ fn: () => void; ms: number }> = [];
  set(fn: () => void, ms: number): unknown {
    const t = { fn, ms };
    this.pending.push(t);
    return t;
  }
  clear(h: unknown): void {
    this.pending = this.pending.filter((t) => t !== h);
  }
  /** The delay of the one retry waiting, then run it. */
  fire(): number {
    expect(this.pending).toHaveLength(1);
    const t = this.pending.shift()!;
    t.fn();
    return t.ms;
  }
}

// A real child speaking the supervisor's IPC protocol: ready at once, lives until killed.
const CHILD = `process.send({ type: 'ready' }); process.on('disconnect', () => process.exit(0)); setInterval(() => {}, 60_000);`;

describe('Supervisor restart backoff', () => {
  let dir: string;
  let clock: ManualClock;
  let timers: StepTimers;
  let sup: Supervisor;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'fd-proc-'));
    writeFileSync(join(dir, 'child.mjs'), CHILD);
    clock = new ManualClock(1_000_000);
    timers = new StepTimers();
    sup = new Supervisor('backend', { logs: dir, run: dir }, clock, timers);
  });
  afterEach(async () => {
    await sup.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const running = () => until('running', async () => (sup.status === 'running' && sup.pid ? sup.pid : undefined));
  /** Kill the running child as a crash would, and answer the delay the supervisor then waits. */
  async function crash(): Promise<number> {
    const pid = await running();
    process.kill(pid, 'SIGKILL');
    await until('crash seen', async () => sup.status === 'crashed' && timers.pending.length === 1);
    return timers.pending[0]!.ms;
  }

  it('grows while the child crash-loops, and starts over after a stable run', async () => {
    await sup.start({ entry: join(dir, 'child.mjs'), config: {} });
    const loop: number[] = [];
    for (let i = 0; i < 8; i++) {
      loop.push(await crash());
      clock.advance(1_000); // each run far shorter than a stable period
      timers.fire();
    }
    expect(loop).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000]);

    // Now it runs stably (a minute of wall time), then crashes once: no 30 s outage for one crash.
    await running();
    clock.advance(STABLE_AFTER_MS);
    expect(await crash()).toBe(500);
    timers.fire();
    // The count shown to teams keeps every restart, like a pod's restartCount.
    await running();
    expect(sup.restarts).toBe(9);
    expect(sup.lastExit).toBe('SIGKILL');
  });

  it('a run just short of the stable period still counts as the same crash loop', async () => {
    await sup.start({ entry: join(dir, 'child.mjs'), config: {} });
    expect(await crash()).toBe(500);
    timers.fire();
    await running();
    clock.advance(STABLE_AFTER_MS - 1);
    expect(await crash()).toBe(1_000);
  });

  it('restartDelay: 0.5 s doubling, capped at 30 s', () => {
    expect([1, 2, 3, 6, 7, 8, 50].map(restartDelay)).toEqual([500, 1_000, 2_000, 16_000, 30_000, 30_000, 30_000]);
  });
});
