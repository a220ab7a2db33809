import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { parseEventsJsonl } from '../../src/export/pack.js';
import { fromRoot } from '../../src/paths.js';
import { Replayer } from '../../src/replay/replayer.js';

const recorded = parseEventsJsonl(readFileSync(fromRoot('test/fixtures/demo-game.jsonl'), 'utf8'));
const upTo = (t: number) => recorded.filter((e) => e.gameTime <= t);
const tick = () => new Promise((r) => setImmediate(r));

/** A store that a reset empties, and waits the test releases one by one. */
function harness() {
  let store: StoredEvent[] = [];
  let resets = 0;
  const waits: Array<{ ms: number; release: () => void }> = [];
  const r = new Replayer(recorded, {
    speed: 10,
    maxGapMs: Infinity,
    append: async (e) => void store.push(e),
    reset: async () => {
      resets++;
      store = [];
    },
    sleep: (ms) => new Promise<void>((release) => waits.push({ ms, release })),
  });
  return { r, waits, store: () => store, resets: () => resets };
}

describe('Replayer seek', () => {
  it('is exact: afterwards the store holds the events at or before the target, forwards and backwards', async () => {
    const h = harness();
    h.r.pause();
    const mid = recorded[Math.floor(recorded.length / 2)]!.gameTime + 1;
    await h.r.seek(mid);
    expect(h.store()).toEqual(upTo(mid));
    expect(h.resets()).toBe(0);
    expect(h.r.position()).toMatchObject({ played: upTo(mid).length, gameTime: mid, paused: true, done: false });

    const early = recorded[20]!.gameTime;
    await h.r.seek(early);
    expect(h.resets()).toBe(1);
    expect(h.store()).toEqual(upTo(early));
    // A seek to where it already is changes nothing.
    await h.r.seek(early);
    expect(h.resets()).toBe(1);
    expect(h.store()).toEqual(upTo(early));

    const end = recorded[recorded.length - 1]!.gameTime;
    await h.r.seek(end);
    expect(h.store()).toEqual(recorded);
    expect(h.r.position().done).toBe(true);
  });

  it('a running replay goes on from the target: the next wait is the gap from there, and a wait cut short by a seek appends nothing stale', async () => {
    const h = harness();
    void h.r.run();
    while (h.waits.length === 0) await tick();
    // The loop waits before some event; seek past it while it waits.
    const played = h.store().length;
    const target = recorded[played + 5]!.gameTime;
    await h.r.seek(target);
    expect(h.store()).toEqual(upTo(target));
    // The cut-short wait is released late: the event it was for is not appended twice.
    h.waits[0]!.release();
    while (h.waits.length < 2) await tick();
    expect(h.store()).toEqual(upTo(target));
    const next = recorded[upTo(target).length]!;
    expect(h.waits[1]!.ms).toBeCloseTo((next.gameTime - target) / 10, 6);
    h.waits[1]!.release();
    while (h.store().length === upTo(target).length) await tick();
    expect(h.store()).toEqual(recorded.slice(0, upTo(target).length + 1));
    h.r.stop();
  });

  it('refuses a seek backwards without a reset, and bad targets', async () => {
    const r = new Replayer(recorded, { speed: 1, append: async () => {}, sleep: () => new Promise(() => {}) });
    r.pause();
    await r.seek(recorded[30]!.gameTime);
    await expect(r.seek(0)).rejects.toThrow(/backwards/);
    await expect(r.seek(-5)).rejects.toThrow(/>= 0/);
    await expect(r.seek(Number.NaN)).rejects.toThrow(/>= 0/);
  });
});
