import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { Leaderboard, type Board, type BoardTeam } from '../../src/leaderboard/service.js';
import { buildScenario } from '../scoring/fixture.js';

/**
 * The live board is kept by changing only what an event touched (one team's row, the ranks that
 * moved). Properties over generated games: a client that starts from any snapshot and applies the
 * update frames after it holds exactly the board the server serves; a client resuming with
 * `?since=v` from any version it saw is brought to the current board; and a board rebuilt from the
 * log at start has the same rows as the live one.
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

/** What a client does with frames (web/src/lib/model.ts): a snapshot replaces, an update merges rows by id. */
function applyFrame(board: Board, frame: string): Board {
  const f = JSON.parse(frame) as { type: string; seq: number; teams?: BoardTeam[]; board?: Board; game?: Board['game'] };
  if (f.type === 'snapshot') return f.board!;
  const byId = new Map(board.teams.map((t) => [t.id, t]));
  for (const t of f.teams ?? []) byId.set(t.id, t);
  return { game: f.game ?? board.game, seq: f.seq, teams: [...byId.values()].sort((x, y) => x.rank - y.rank) };
}
const rowsOf = (b: Board) => b.teams;

describe('live board frames', () => {
  it('snapshot + every update frame = the served board, for every audience version a client saw', () => {
    fc.assert(
      fc.property(game, ({ log, split }) => {
        const lb = new Leaderboard({ scenario, ring: 1000, gameTime: () => 0 });
        lb.rebuild(log.slice(0, split));
        const seen: Array<{ seq: number; board: Board }> = [{ seq: lb.publicView().seq, board: JSON.parse(lb.publicView().json) as Board }];
        let client = JSON.parse(lb.publicView().json) as Board;
        lb.onPublic((frame) => (client = applyFrame(client, frame)));
        for (const e of log.slice(split)) {
          lb.apply(e);
          // The client following the stream holds the served board after every event.
          expect(rowsOf(client)).toEqual(rowsOf(JSON.parse(lb.publicView().json) as Board));
          seen.push({ seq: lb.publicView().seq, board: JSON.parse(lb.publicView().json) as Board });
        }
        // A client resuming from any version it held: the frames since then bring it to the current board.
        const now = JSON.parse(lb.publicView().json) as Board;
        for (const s of seen) {
          const missed = lb.publicSince(s.seq);
          expect(missed).not.toBeNull();
          expect(rowsOf(missed!.reduce(applyFrame, s.board))).toEqual(rowsOf(now));
        }
        // Organizer board: rebuilt from the whole log at start equals the one kept live.
        const rebuilt = new Leaderboard({ scenario, gameTime: () => 0 });
        rebuilt.rebuild(log);
        expect(rowsOf(rebuilt.organizerView().board)).toEqual(rowsOf(lb.organizerView().board));
        expect(rowsOf(rebuilt.publicView().board)).toEqual(rowsOf(lb.publicView().board));
      }),
      { numRuns: 150 },
    );
  });
});
