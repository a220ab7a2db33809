import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import type { Board as FrameBoard } from '../../src/contract/board.js';
import type { DeltaFrame } from '../../src/contract/frames.js';
import { FRAME_INTERVAL_MS, manualTimer } from '../../src/leaderboard/coalesce.js';
import { applyDelta } from '../../src/leaderboard/delta.js';
import { Replica } from '../../src/leaderboard/replica.js';
import { Leaderboard } from '../../src/leaderboard/service.js';

// The web client's own code (web/src/lib/frames.ts), loaded at run time: the server's tsconfig has
// no DOM types to check web/ with (web/tsconfig.json does that).
type WebBoard = { seq: number; teams: unknown[] };
const webFrames = '../../web/src/lib/frames.js';
const webModel = '../../web/src/lib/model.js';
const { applyFrame } = (await import(webFrames)) as { applyFrame(prev: WebBoard | undefined, frame: unknown): WebBoard };
const { normBoard } = (await import(webModel)) as { normBoard(x: unknown): WebBoard };
import { buildScenario } from '../scoring/fixture.js';

/**
 * The live board is kept by changing only what an event touched (one team's row, the ranks that
 * moved), and sent as compact deltas coalesced to at most one frame per 250 ms (an injected clock).
 * Properties over generated games and gaps between events: a client that starts from a snapshot
 * and applies every delta (the server's applyDelta, the web's applyFrame, a fan-out worker's
 * replica) holds exactly the served board after every frame and after the last interval; a client
 * resuming with `?since=v` from any version it saw is brought to the current board by one delta;
 * and a board rebuilt from the log at start has the same rows as the live one.
 */

const scenario = buildScenario({ faults: [{ id: 'f1', alerting: 'silent' }, { id: 'f2', alerting: 'silent', weight: 2 }] });
const TEAMS = ['a', 'b', 'c', 'd', 'e', 'f'];
const by = { kind: 'organizer' as const, name: 'o' };

type Raw = { team: string | null; type: string; data: Record<string, unknown> };
const raw: fc.Arbitrary<Raw> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ team: fc.constantFrom(...TEAMS), type: fc.constant('score.adjusted'), data: fc.record({ points: fc.integer({ min: -50, max: 50 }), reason: fc.constant('r'), by: fc.constant(by) }) }) },
  fc.record({ team: fc.constantFrom(...TEAMS), type: fc.constant('fault.injected'), data: fc.record({ fault: fc.constantFrom('f1', 'f2'), attempt: fc.constant(1), deadlineAt: fc.constant(3_600_000) }) }),
  fc.record({ team: fc.constantFrom(...TEAMS), type: fc.constant('fault.recovered'), data: fc.record({ fault: fc.constantFrom('f1', 'f2'), greenSince: fc.integer({ min: 0, max: 600_000 }) }) }),
  fc.record({ team: fc.constantFrom(...TEAMS), type: fc.constant('sli.minute'), data: fc.record({ minute: fc.integer({ min: 0, max: 3 }), good: fc.integer({ min: 0, max: 60 }), total: fc.constant(60) }) }),
  fc.record({ team: fc.constantFrom(...TEAMS), type: fc.constant('team.updated'), data: fc.record({ name: fc.constantFrom('X', 'Y'), by: fc.constant(by) }) }),
  fc.record({ team: fc.constant(null), type: fc.constantFrom('game.board_frozen', 'game.board_unfrozen'), data: fc.constant({ by }) }),
);

const game = fc.record({ teams: fc.integer({ min: 1, max: TEAMS.length }), events: fc.array(raw, { maxLength: 80 }), split: fc.nat() }).map(({ teams, events, split }) => {
  const out: StoredEvent[] = [];
  const push = (team: string | null, type: string, data: Record<string, unknown>) =>
    out.push({ seq: out.length + 1, at: 0, gameTime: 0, team, type, source: 'gen', key: null, data } as StoredEvent);
  const ids = TEAMS.slice(0, teams);
  for (const id of ids) push(null, 'team.created', { id, name: id, members: [], tokenHash: 'h', portBase: null, seed: 1, by });
  for (const e of events) if (e.team === null || ids.includes(e.team)) push(e.team, e.type, e.data);
  return { log: out, split: ids.length + (split % (out.length - ids.length + 1)) };
});


const served = (lb: Leaderboard) => JSON.parse(lb.publicView().json) as FrameBoard;
/** The web client's rows (web/src/lib/frames.ts applyFrame), compared without the wall-clock anchor of its game block. */
const webRows = (b: WebBoard | undefined) => b?.teams;

describe('live board frames', () => {
  it('snapshot + every delta frame = the served board at every frame, in the server replica and in the web client; resumes from any version', () => {
    fc.assert(
      fc.property(game, fc.array(fc.integer({ min: 0, max: 400 }), { minLength: 1, maxLength: 20 }), fc.array(fc.boolean(), { minLength: 1, maxLength: 7 }), ({ log, split }, gaps, reads) => {
        const { timer, tick } = manualTimer();
        const lb = new Leaderboard({ scenario, ring: 1000, gameTime: () => 0, timer });
        lb.rebuild(log.slice(0, split));
        const seen: Array<{ seq: number; board: FrameBoard }> = [{ seq: lb.publicView().seq, board: served(lb) }];
        let client = served(lb);
        let web = applyFrame(undefined, JSON.parse(lb.publicView().snapshotFrame));
        const replica = new Replica(lb.publicView().snapshotFrame);
        let frames = 0;
        let lastAt = -Infinity;
        lb.onPublic((frame) => {
          // At most one frame per 250 ms of the injected clock.
          expect(timer.now() - lastAt).toBeGreaterThanOrEqual(FRAME_INTERVAL_MS);
          lastAt = timer.now();
          frames++;
          const f = JSON.parse(frame) as DeltaFrame;
          client = applyDelta(client, f)!;
          web = applyFrame(web, f);
          expect(replica.apply(frame)).toBe(true);
          // Every frame brings each copy to the served board.
          expect(client).toEqual(served(lb));
          expect(webRows(web)).toEqual(normBoard(served(lb)).teams);
          expect(JSON.parse(replica.snapshot()).board).toEqual(served(lb));
        });
        log.slice(split).forEach((e, i) => {
          lb.apply(e);
          // Read (a REST read, as a client would) only after some events: changes between reads are taken in together.
          if (reads[i % reads.length]) {
            seen.push({ seq: lb.publicView().seq, board: served(lb) });
            // The live order (moved one team at a time) is the order of a board built afresh from the same log.
            const fresh = new Leaderboard({ scenario, gameTime: () => 0 });
            fresh.rebuild(log.slice(0, split + i + 1));
            expect(lb.organizerView().board.teams).toEqual(fresh.organizerView().board.teams);
          }
          tick(gaps[i % gaps.length]!);
        });
        tick(FRAME_INTERVAL_MS);
        // Nothing lost: after the last interval the followers hold the current board.
        const now = served(lb);
        expect(client).toEqual(now);
        if (now.seq > seen[0]!.seq) expect(frames).toBeGreaterThan(0);
        // A client resuming from any version it held (a snapshot's or a frame's): one delta brings it to the current board.
        for (const s of seen) {
          const missed = lb.publicSince(s.seq);
          expect(missed).not.toBeNull();
          const board = missed!.reduce((b, f) => applyDelta(b, JSON.parse(f) as DeltaFrame)!, s.board);
          expect(board).toEqual(now);
          // The replica of a fan-out worker too, from any version at or after the one it started from.
          if (s.seq >= seen[0]!.seq) {
            const r = replica.since(s.seq);
            if (r) expect(r.reduce((b, f) => applyDelta(b, JSON.parse(f) as DeltaFrame)!, s.board)).toEqual(now);
          }
        }
        // Organizer board: rebuilt from the whole log at start equals the one kept live.
        const rebuilt = new Leaderboard({ scenario, gameTime: () => 0 });
        rebuilt.rebuild(log);
        expect(rebuilt.organizerView().board.teams).toEqual(lb.organizerView().board.teams);
        expect(rebuilt.publicView().board.teams).toEqual(lb.publicView().board.teams);
      }),
      { numRuns: 150 },
    );
  });
});
