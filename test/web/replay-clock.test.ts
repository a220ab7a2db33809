import { afterEach, describe, expect, it } from 'vitest';
import { gameNow, setReplayPace, type Game } from '../../web/src/lib/model.js';

/** On a replay server the pages' clock follows the replay's pace (GET /api/replay), not the recorded speed. */
describe('the game clock of a replay', () => {
  const game: Game = { title: 'x', phase: 'running', gameTime: 60_000, speed: 60, fetchedAt: 1_000 };
  afterEach(() => setReplayPace(undefined));

  it('a live game ticks at its own speed', () => {
    expect(gameNow(game, 2_000)).toBe(60_000 + 1_000 * 60);
  });

  it('a replay ticks at the replay speed, and stands still while paused or done', () => {
    setReplayPace({ speed: 600, paused: false, done: false });
    expect(gameNow(game, 2_000)).toBe(60_000 + 1_000 * 600);
    setReplayPace({ speed: 600, paused: true, done: false });
    expect(gameNow(game, 2_000)).toBe(60_000);
    setReplayPace({ speed: 600, paused: false, done: true });
    expect(gameNow(game, 5_000)).toBe(60_000);
  });
});
