import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { Coalescer, manualTimer } from '../../src/leaderboard/coalesce.js';
import { Leaderboard } from '../../src/leaderboard/service.js';
import { buildScenario } from '../scoring/fixture.js';

/** Frame coalescing with an injected clock: at most one frame per 250 ms per audience, the latest state wins. */
describe('Coalescer', () => {
  it('flushes the first change at once, later ones at the end of the interval, once', () => {
    const { timer, tick } = manualTimer();
    const at: number[] = [];
    const c = new Coalescer(() => at.push(timer.now()), timer, 250);
    c.poke();
    expect(at).toEqual([0]);
    tick(10);
    c.poke();
    tick(10);
    c.poke();
    c.poke();
    expect(at).toEqual([0]);
    tick(229);
    expect(at).toEqual([0]);
    tick(1);
    expect(at).toEqual([0, 250]);
    // Quiet for longer than the interval: the next change goes at once again.
    tick(1000);
    c.poke();
    expect(at).toEqual([0, 250, 1250]);
  });
});

const scenario = buildScenario({ faults: [{ id: 'f1', alerting: 'silent' }] });
const by = { kind: 'organizer' as const, name: 'o' };
let seq = 0;
const ev = (team: string | null, type: string, data: Record<string, unknown>) => ({ seq: ++seq, at: 0, gameTime: 0, team, type, source: 'gen', key: null, data }) as StoredEvent;

describe('coalesced audiences', () => {
  it('public board: 20 changes in 100 ms are one frame after the first, carrying the latest scores', () => {
    const { timer, tick } = manualTimer();
    const lb = new Leaderboard({ scenario, gameTime: () => 0, timer });
    lb.rebuild(['a', 'b'].map((id) => ev(null, 'team.created', { id, name: id, members: [], tokenHash: 'h', portBase: null, seed: 1, by })));
    const frames: Array<{ seq: number; from: number; rows?: Array<{ id: string; score?: number }> }> = [];
    lb.onPublic((f) => frames.push(JSON.parse(f)));
    for (let i = 1; i <= 20; i++) {
      lb.apply(ev(i % 2 ? 'a' : 'b', 'score.adjusted', { points: i, reason: 'r', by }));
      tick(5);
    }
    expect(frames).toHaveLength(1);
    tick(250);
    expect(frames).toHaveLength(2);
    const last = frames[1]!;
    expect(last.from).toBe(frames[0]!.seq);
    expect(last.seq).toBe(lb.publicView().seq);
    const served = lb.publicView().board.teams;
    for (const r of last.rows ?? []) if (r.score !== undefined) expect(r.score).toBe(served.find((t) => t.id === r.id)!.score);
    expect(last.rows!.map((r) => r.id).sort()).toEqual(['a', 'b']);
  });

  it("a team's own stream: items accumulate, the latest standing wins, at most one frame per interval", () => {
    const { timer, tick } = manualTimer();
    const lb = new Leaderboard({ scenario, gameTime: () => 0, timer });
    lb.rebuild([ev(null, 'team.created', { id: 'a', name: 'a', members: [], tokenHash: 'h', portBase: null, seed: 1, by })]);
    const frames: Array<{ type: string; team: { total: number }; items: Array<{ kind: string; total?: number }> }> = [];
    const sub = lb.subscribeTeam('a', (f) => frames.push(JSON.parse(f)));
    lb.apply(ev('a', 'score.adjusted', { points: 1, reason: 'r', by }));
    lb.apply(ev('a', 'score.adjusted', { points: 2, reason: 'r', by }));
    lb.apply(ev('a', 'score.adjusted', { points: 3, reason: 'r', by }));
    expect(frames).toHaveLength(1);
    expect(frames[0]!.team.total).toBe(1000);
    tick(250);
    expect(frames).toHaveLength(2);
    expect(frames[1]!.team.total).toBe(6000);
    expect(frames[1]!.items.filter((i) => i.kind === 'score').map((i) => i.total)).toEqual([3000, 6000]);
    sub.unsubscribe();
  });

  it('a freeze holds the public board at the state just before it, even with a change still waiting for its frame', () => {
    const { timer, tick } = manualTimer();
    const lb = new Leaderboard({ scenario, gameTime: () => 0, timer });
    lb.rebuild(['a', 'b'].map((id) => ev(null, 'team.created', { id, name: id, members: [], tokenHash: 'h', portBase: null, seed: 1, by })));
    const frames: Array<{ rows?: Array<{ id: string; score?: number }>; game?: { frozen: boolean } }> = [];
    lb.onPublic((f) => frames.push(JSON.parse(f)));
    lb.apply(ev('a', 'score.adjusted', { points: 1, reason: 'r', by }));
    // Within the interval: this change waits for the next frame, unread.
    lb.apply(ev('a', 'score.adjusted', { points: 2, reason: 'r', by }));
    lb.apply(ev(null, 'game.board_frozen', { by }));
    lb.apply(ev('a', 'score.adjusted', { points: 4, reason: 'r', by }));
    tick(250);
    const score = (id: string) => lb.publicView().board.teams.find((t) => t.id === id)!.score;
    expect(score('a')).toBe(3000);
    expect(frames.flatMap((f) => f.rows ?? []).filter((r) => r.score !== undefined).map((r) => r.score)).toEqual([1000, 3000]);
    expect(frames.at(-1)!.game?.frozen).toBe(true);
    expect(lb.organizerView().board.teams.find((t) => t.id === 'a')!.score).toBe(7000);
  });
});
