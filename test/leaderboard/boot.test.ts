import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { openDatabase, type SqliteEventStore } from '../../src/events/store.js';
import { parseEventsJsonl } from '../../src/export/pack.js';
import { Leaderboard } from '../../src/leaderboard/service.js';
import { fromRoot } from '../../src/paths.js';
import { testRuntime } from '../helpers.js';

/**
 * Boot reads the log once and hands the same events to every fold (src/server.ts). The boards it
 * builds must be the boards a fresh fold of the whole log builds (the old path: one read per fold),
 * including events appended during the boot itself (the scenario record), which a fold built
 * later must see once — by its replay or by its subscription, never both, never neither.
 */

const recorded = parseEventsJsonl(readFileSync(fromRoot('test/fixtures/demo-game.jsonl'), 'utf8'));
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A data dir whose event log holds these events, as written by the game (seq, times, keys kept). */
function dataDirWith(events: typeof recorded): string {
  const dir = mkdtempSync(join(tmpdir(), 'fd-boot-'));
  dirs.push(dir);
  const db = openDatabase(join(dir, 'firedrill.db'));
  const insert = db.prepare('INSERT INTO events (seq, at, game_time, team, type, source, key, data) VALUES (?, ?, ?, ?, ?, ?, ?, ?)');
  db.transaction(() => {
    for (const e of events) insert.run(e.seq, e.at, e.gameTime, e.team, e.type, e.source, e.key, JSON.stringify(e.data));
  })();
  db.close();
  return dir;
}

/** The boards of the booted runtime beside the boards of a new Leaderboard folding every event of the log. */
async function bootAndCompare(dir: string) {
  const clock = new ManualClock(recorded[recorded.length - 1]!.at + 1000);
  const rt = await testRuntime({}, { dataDir: dir, clock });
  try {
    const { store, scenario, gameClock, leaderboard } = rt.services;
    const all = (store as SqliteEventStore).readSync();
    const fresh = new Leaderboard({ scenario, gameTime: () => gameClock.now() });
    fresh.rebuild(all);
    return { rt, all, freshBoard: fresh, booted: { org: leaderboard.organizerView().snapshotFrame, pub: leaderboard.publicView().snapshotFrame }, fresh: { org: fresh.organizerView().snapshotFrame, pub: fresh.publicView().snapshotFrame } };
  } catch (err) {
    await rt.close();
    throw err;
  }
}

describe('boot: one read of the log, the same boards', () => {
  it('a recorded demo game boots to the boards a full fold of the log gives (organizer and public)', async () => {
    const { rt, all, booted, fresh, freshBoard } = await bootAndCompare(dataDirWith(recorded));
    try {
      expect(all.length).toBeGreaterThanOrEqual(recorded.length);
      expect(JSON.parse(booted.org).board.teams.length).toBe(3);
      expect(booted.org).toBe(fresh.org);
      expect(booted.pub).toBe(fresh.pub);
      // Every team's standing too, as the team views read it.
      expect(rt.services.leaderboard.teamIds()).toEqual(freshBoard.teamIds());
      for (const id of freshBoard.teamIds()) expect(rt.services.leaderboard.standingOf(id)).toEqual(freshBoard.standingOf(id));
    } finally {
      await rt.close();
    }
  }, 60_000);

  it('events appended during boot reach the folds built after them exactly once (a log without its game.created)', async () => {
    // Without game.created the boot appends one (the scenario record) between the first folds and the leaderboard's.
    const { rt, all, booted, fresh } = await bootAndCompare(dataDirWith(recorded.filter((e) => e.type !== 'game.created')));
    try {
      const created = all.filter((e) => e.type === 'game.created');
      expect(created).toHaveLength(1);
      expect(created[0]!.seq).toBe(all[all.length - 1]!.seq);
      expect(booted.org).toBe(fresh.org);
      expect(JSON.parse(booted.org).seq).toBe(JSON.parse(fresh.org).seq);
      expect(booted.pub).toBe(fresh.pub);
      // Booting the same log again changes nothing (nothing appended twice).
      await rt.close();
      const again = await bootAndCompare(rt.services.dataDir!);
      try {
        expect(again.all.length).toBe(all.length);
        expect(again.booted.org).toBe(booted.org);
      } finally {
        await again.rt.close();
      }
    } finally {
      await rt.close().catch(() => {});
    }
  }, 60_000);
});
