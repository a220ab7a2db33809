import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { apply, createScore, leaderboard, score, type FaultScore, type Standing } from '../../src/scoring/index.js';
import { buildEvents, buildScenario, type EventInput, type FaultInput, type ScoringInput } from './fixture.js';

/**
 * Golden scoring tests: each YAML file under golden/ is a small scenario, a list of events and the
 * expected breakdown per team in exact milli-points, worked out by hand.
 */

interface Golden {
  title: string;
  scenario: { faults: FaultInput[]; scoring?: ScoringInput; game?: { signOff?: boolean } };
  teams: string[];
  /** Member names per team (roles and rotation). */
  members?: Record<string, string[]>;
  events: EventInput[];
  expect: Record<string, { rank?: number; total?: number; categories?: Record<string, number>; faults?: Record<string, Record<string, number | string>> }>;
}

const dir = join(dirname(fileURLToPath(import.meta.url)), 'golden');
const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();

function project(fs: FaultScore, keys: string[]): Record<string, number | string> {
  const all: Record<string, number | string> = {
    state: fs.state,
    points: fs.points,
    max: fs.max,
    recovery: fs.recovery.points,
    detection: fs.detection.points,
    communication: fs.communication.points,
    automatic: fs.communication.automatic.points,
    judged: fs.communication.judged.points,
    review: fs.review.points,
  };
  for (const k of keys) if (!(k in all)) throw new Error(`unknown expectation key '${k}'`);
  return Object.fromEntries(keys.map((k) => [k, all[k]!]));
}

describe('golden scoring fixtures', () => {
  it('has fixtures', () => expect(files.length).toBeGreaterThanOrEqual(3));

  for (const file of files) {
    const g = parse(readFileSync(join(dir, file), 'utf8')) as Golden;
    const scenario = buildScenario(g.scenario);
    const events = buildEvents(g.teams, g.events, g.members);

    describe(`${file}: ${g.title}`, () => {
      const board = score(scenario, events);
      const byTeam = new Map<string, Standing>(board.teams.map((t) => [t.team, t]));

      for (const [team, want] of Object.entries(g.expect)) {
        it(`scores ${team} as expected`, () => {
          const got = byTeam.get(team);
          expect(got, `team ${team} on the board`).toBeDefined();
          if (want.total !== undefined) expect(got!.total).toBe(want.total);
          if (want.rank !== undefined) expect(got!.rank).toBe(want.rank);
          if (want.categories) expect(got!.breakdown.categories).toEqual(want.categories);
          for (const [fault, fw] of Object.entries(want.faults ?? {})) {
            const fs = got!.breakdown.faults.find((f) => f.fault === fault);
            expect(fs, `fault ${fault}`).toBeDefined();
            expect(project(fs!, Object.keys(fw)), `${team} / ${fault}`).toEqual(fw);
          }
        });
      }

      it('adds up: parts sum to totals, and every evidence seq names a real event of that team', () => {
        const seqs = new Map(events.map((e) => [e.seq, e]));
        for (const t of board.teams) {
          const b = t.breakdown;
          expect(Object.values(b.categories).reduce((a, x) => a + x, 0)).toBe(t.total);
          for (const f of b.faults) {
            expect(f.recovery.points + f.detection.points + f.communication.points + f.review.points).toBe(f.points);
            expect(f.points).toBeLessThanOrEqual(f.max);
            expect(f.communication.automatic.points + f.communication.judged.points).toBe(f.communication.points);
            for (const s of f.evidence) expect(seqs.get(s)?.team).toBe(t.team);
            if (f.points > 0) expect(f.evidence.length).toBeGreaterThan(0);
          }
        }
      });

      it('gives the same board when folded one event at a time', () => {
        const s = createScore(scenario);
        for (const e of events) apply(s, e);
        expect(leaderboard(s)).toEqual(board);
      });
    });
  }
});
