import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { parseEventsJsonl } from '../../src/export/pack.js';
import { fromRoot } from '../../src/paths.js';
import { Replayer } from '../../src/replay/replayer.js';

const recorded = parseEventsJsonl(readFileSync(fromRoot('test/fixtures/demo-game.jsonl'), 'utf8'));

describe('Replayer', () => {
  it('plays every event in order, paced by game time divided by speed', async () => {
    const waits: number[] = [];
    const played: StoredEvent[] = [];
    const r = new Replayer(recorded, { speed: 100, maxGapMs: Infinity, append: async (e) => void played.push(e), sleep: async (ms) => void waits.push(ms) });
    await r.run();
    expect(played).toEqual(recorded);
    const span = recorded[recorded.length - 1]!.gameTime - recorded[0]!.gameTime;
    expect(waits.reduce((a, b) => a + b, 0)).toBeCloseTo(span / 100, 3);
    expect(r.position()).toMatchObject({ played: recorded.length, done: true });
  });

  it('caps a long quiet stretch and can pause, resume and stop', async () => {
    const waits: number[] = [];
    let played = 0;
    let release: (() => void) | null = null;
    const r = new Replayer(recorded, {
      speed: 1,
      maxGapMs: 2_000,
      append: async () => void played++,
      sleep: (ms) => {
        waits.push(ms);
        return new Promise<void>((res) => (release = res));
      },
    });
    const done = r.run();
    // Run until the first wait, then pause during it: nothing more is appended until resumed.
    while (!release) await new Promise((res) => setImmediate(res));
    const before = played;
    r.pause();
    (release as () => void)();
    for (let i = 0; i < 5; i++) await new Promise((res) => setImmediate(res));
    expect(played).toBe(before);
    expect(r.position().paused).toBe(true);
    r.stop();
    await done;
    expect(played).toBe(before);
    expect(Math.max(...waits)).toBeLessThanOrEqual(2_000);
  });
});
