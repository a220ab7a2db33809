import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { openDatabase, SqliteEventStore } from '../../src/events/store.js';
import type { NewEventOf } from '../../src/events/types.js';
import { T0 } from '../helpers.js';

/**
 * Group commit (issue 18): grouped appends asked in the same turn of the event loop share one SQLite
 * transaction; every caller hears only after the commit, listeners in seq order. A plain append
 * still commits at once.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function open() {
  const dir = mkdtempSync(join(tmpdir(), 'fd-group-'));
  dirs.push(dir);
  const file = join(dir, 'events.db');
  const db = openDatabase(file);
  const clock = new ManualClock(T0);
  const store = new SqliteEventStore(db, { clock });
  // Another connection, as a restarted process would see the file.
  const other = new Database(file, { readonly: true });
  const committed = () => (other.prepare('SELECT COUNT(*) AS n FROM events').get() as { n: number }).n;
  /** Frames in the WAL: every commit writes at least one. */
  const walFrames = () => (db.pragma('wal_checkpoint(PASSIVE)') as Array<{ log: number }>)[0]!.log;
  return { db, store, clock, committed, walFrames, close: () => (other.close(), store.close()) };
}

const report = (key: string, text = key): NewEventOf<'report.filed'> => ({ type: 'report.filed', source: 'spectator', key, data: { text, by: { kind: 'spectator', name: 'x' } } });

describe('group commit', () => {
  it('commits the appends of one tick in one transaction', async () => {
    const s = open();
    await s.store.appendGrouped(report('warm-up')); // the schema pages are written once
    s.db.pragma('wal_checkpoint(TRUNCATE)');
    const n = 20;
    const all = await Promise.all(Array.from({ length: n }, (_, i) => s.store.appendGrouped(report(`r${i}`))));
    expect(all.map((a) => a.event.seq)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    // One commit per append would add at least n frames; one transaction adds the few pages it touched.
    expect(s.walFrames()).toBeLessThan(n);
    expect(s.committed()).toBe(n + 1);
    await s.close();
  });

  it('answers each caller only after its event is committed, listeners first and in seq order', async () => {
    const s = open();
    const heard: Array<{ seq: number; committed: number }> = [];
    s.store.subscribe((e) => heard.push({ seq: e.seq, committed: s.committed() }));
    const answered: Array<{ seq: number; committed: number; heard: number }> = [];
    const asked = [0, 1, 2].map((i) => s.store.appendGrouped(report(`r${i}`)).then((a) => answered.push({ seq: a.event.seq, committed: s.committed(), heard: heard.length })));
    expect(s.committed()).toBe(0); // queued, not yet written
    await Promise.all(asked);
    expect(heard).toEqual([1, 2, 3].map((seq) => ({ seq, committed: 3 })));
    expect(answered).toEqual([1, 2, 3].map((seq) => ({ seq, committed: 3, heard: 3 })));
    await s.close();
  });

  it('stores an idempotent retry in the same batch once, and listeners hear it once', async () => {
    const s = open();
    const heard: number[] = [];
    s.store.subscribe((e) => heard.push(e.seq));
    const [a, b] = await Promise.all([s.store.appendGrouped(report('k')), s.store.appendGrouped(report('k'))]);
    expect(a!.duplicate).toBe(false);
    expect(b!.duplicate).toBe(true);
    expect(b!.event).toEqual(a!.event);
    expect(heard).toEqual([a!.event.seq]);
    expect(s.committed()).toBe(1);
    await s.close();
  });

  it('rejects only the caller whose append is refused; its batch-mates are written', async () => {
    const s = open();
    const heard: Array<string | null> = [];
    s.store.subscribe((e) => heard.push(e.key));
    const results = await Promise.allSettled([s.store.appendGrouped(report('a', 'one')), s.store.appendGrouped(report('a', 'two')), s.store.appendGrouped(report('c'))]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'idempotency_conflict' });
    expect((await s.store.read()).map((e) => [e.key, (e.data as { text: string }).text])).toEqual([
      ['a', 'one'],
      ['c', 'c'],
    ]);
    expect(heard).toEqual(['a', 'c']);
    await s.close();
  });

  it('commits a plain append at once, ahead of the grouped ones still queued (a command sees every event before it)', async () => {
    const s = open();
    const queued = s.store.appendGrouped(report('message'));
    const plain = await s.store.append(report('decision'));
    expect(plain.event.seq).toBe(1);
    expect(s.committed()).toBe(1);
    expect((await queued).event.seq).toBe(2);
    await s.close();
  });

  it('rejects every caller of the batch with nothing written when the storage fails, and goes on after', async () => {
    const s = open();
    s.db.exec("CREATE TRIGGER refuse BEFORE INSERT ON events WHEN NEW.key = 'boom' BEGIN SELECT RAISE(ABORT, 'storage says no'); END");
    const heard: number[] = [];
    s.store.subscribe((e) => heard.push(e.seq));
    const results = await Promise.allSettled([s.store.appendGrouped(report('x')), s.store.appendGrouped(report('boom')), s.store.appendGrouped(report('y'))]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
    expect(s.committed()).toBe(0);
    expect(heard).toEqual([]);
    expect(s.store.lastSeq()).toBe(0);
    const after = await s.store.appendGrouped(report('z'));
    expect(after.duplicate).toBe(false);
    expect(heard).toEqual([after.event.seq]);
    expect(s.committed()).toBe(1);
    await s.close();
  });

  it('stamps a grouped event when it is committed, so seq and time agree', async () => {
    const s = open();
    const asked = s.store.appendGrouped(report('early'));
    s.clock.advance(5_000);
    expect((await asked).event.at).toBe(T0 + 5_000);
    const bad = { type: 'report.filed', source: 'spectator', data: { text: '' } } as unknown as NewEventOf<'report.filed'>;
    await expect(s.store.appendGrouped(bad)).rejects.toMatchObject({ code: 'invalid_event' });
    expect(s.committed()).toBe(1);
    await s.close();
  });

  it('commits what was asked before close, and answers its callers', async () => {
    const s = open();
    const asked = s.store.appendGrouped(report('last-words'));
    await s.close();
    const { event } = await asked;
    const reopened = new Database(join(dirs[0]!, 'events.db'), { readonly: true });
    expect(reopened.prepare('SELECT seq, key FROM events').all()).toEqual([{ seq: event.seq, key: 'last-words' }]);
    reopened.close();
  });
});
