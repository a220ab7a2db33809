import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import type { Checkpointed } from '../../src/events/checkpoint.js';
import { openDatabase, SqliteEventStore } from '../../src/events/store.js';
import { T0 } from '../helpers.js';

/** WAL checkpoints on a worker thread (issue 18): the main connection never stalls on one. */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe('background checkpoints', () => {
  it('leave checkpointing to the worker, which copies the WAL into the database file; a restart reads every event', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-ckpt-'));
    dirs.push(dir);
    const file = join(dir, 'events.db');
    const db = openDatabase(file);
    const store = new SqliteEventStore(db, { clock: new ManualClock(T0), checkpointInBackground: true });
    expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0); // the main thread never checkpoints
    const copied = new Promise<Checkpointed>((resolve) => store.checkpointer!.onCheckpoint(resolve));
    for (let i = 0; i < 50; i++) await store.append({ type: 'report.filed', source: 'spectator', key: `r${i}`, data: { text: `r${i}`, by: { kind: 'spectator', name: 'x' } } });
    const r = await copied;
    expect(r.checkpointed).toBeGreaterThan(0);
    await store.close();

    const again = new SqliteEventStore(openDatabase(file), { clock: new ManualClock(T0) });
    expect(again.readSync().map((e) => e.key)).toEqual(Array.from({ length: 50 }, (_, i) => `r${i}`));
    await again.close();
  });

  it('empties a WAL that passed its limit under writes without a pause (PASSIVE alone never lets it start over); every event kept', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'fd-ckpt-'));
    dirs.push(dir);
    const file = join(dir, 'events.db');
    const store = new SqliteEventStore(openDatabase(file), { clock: new ManualClock(T0), checkpointInBackground: { everyMs: 5, walLimitPages: 64 } });
    let truncated: Checkpointed | undefined;
    store.checkpointer!.onCheckpoint((r) => (truncated ??= r.truncated ? r : undefined));
    let n = 0;
    // Batches back to back: the writer never pauses long. The bound only ends a run that never sees a truncate.
    const wal = () => (existsSync(`${file}-wal`) ? statSync(`${file}-wal`).size : 0);
    while (!truncated && wal() < 256 * 2 ** 20) {
      await store.appendMany(Array.from({ length: 50 }, () => ({ type: 'report.filed' as const, source: 'spectator' as const, key: `r${n++}`, data: { text: 'x'.repeat(200), by: { kind: 'spectator' as const, name: 'x' } } })));
      // Let the worker's reports in (they are messages: macrotasks).
      await new Promise((r) => setImmediate(r));
    }
    expect(truncated).toMatchObject({ truncated: true });
    expect(truncated!.log).toBeGreaterThan(64);
    await store.close();
    const again = new SqliteEventStore(openDatabase(file), { clock: new ManualClock(T0) });
    expect(again.readSync()).toHaveLength(n);
    await again.close();
  });

  it('is not used for an in-memory database', async () => {
    const store = new SqliteEventStore(openDatabase(':memory:'), { clock: new ManualClock(T0), checkpointInBackground: true });
    expect(store.checkpointer).toBeUndefined();
    await store.close();
  });
});
