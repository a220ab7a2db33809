import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import type { StoredEvent } from '../../src/events/types.js';
import { parseEventsJsonl } from '../../src/export/pack.js';
import { results } from '../../src/export/results.js';
import { fromRoot } from '../../src/paths.js';
import { startReplayServer, type ReplayServer } from '../../src/replay-server.js';
import { Leaderboard } from '../../src/leaderboard/service.js';
import { loadScenario } from '../../src/scenario/load.js';
import { score } from '../../src/scoring/index.js';

/** A demo game recorded from a real `--demo --speed 60` run (three bot teams). */
const recorded = parseEventsJsonl(readFileSync(fromRoot('test/fixtures/demo-game.jsonl'), 'utf8'));
const scenario = loadScenario(fromRoot('challenges/chat-service/scenario.yaml'));
const config = loadConfig({ flags: { port: 0, logLevel: 'silent' }, env: {} });

/**
 * What the public board shows of each team, from the scoring fold run directly on `events`.
 * Before the reveal the board names faults by symptom (fault-2…), so `ids: false` leaves the ids out.
 */
export function expectedTeams(events: readonly StoredEvent[], o: { ids: boolean } = { ids: true }) {
  return score(scenario, events).teams.map((s) => ({
    id: s.team,
    name: s.name,
    rank: s.rank,
    score: s.total,
    categories: s.breakdown.categories,
    // A fault that has not landed for the team is masked: no id (src/contract/faults.ts).
    faults: s.breakdown.faults.map((f, index) => ({
      masked: f.injectedAt === null,
      index,
      ...(o.ids && f.injectedAt !== null ? { id: f.fault } : {}),
      state: f.state,
      detection: f.detection.state,
      points: f.points,
      max: f.max,
    })),
  }));
}
/** The public board a server restarted on `events` would show (the live board's own fold, rebuilt at once). */
function rebuiltBoard(events: readonly StoredEvent[]) {
  const lb = new Leaderboard({ scenario, gameTime: () => events[events.length - 1]?.gameTime ?? 0 });
  lb.rebuild(events);
  return JSON.parse(lb.publicView().json) as { teams: unknown[] };
}
const withoutIds = (teams: ReturnType<typeof shownTeams>) => teams.map((t) => ({ ...t, faults: t.faults.map((f) => ({ ...(f as object), id: undefined })) }));
type BoardRow = { id: string; name: string; rank: number; score: number; breakdown: { categories: unknown; faults: unknown[] } };
export const shownTeams = (board: { teams: BoardRow[] }) =>
  board.teams.map((t) => ({ id: t.id, name: t.name, rank: t.rank, score: t.score, categories: t.breakdown.categories, faults: t.breakdown.faults }));

const servers: ReplayServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

/** A replay whose waits are held until the test releases them (no wall time in the test). */
function heldSleep() {
  const waiting: Array<() => void> = [];
  return { sleep: () => new Promise<void>((r) => waiting.push(r)), waiting };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- JSON answers, read field by field
type Json = any;
const get = async (rs: ReplayServer, path: string, token?: string): Promise<{ status: number; body: Json }> => {
  const r = await fetch(`${rs.url}${path}`, token ? { headers: { authorization: `Bearer ${token}` } } : {});
  return { status: r.status, body: r.headers.get('content-type')?.startsWith('application/json') ? await r.json() : await r.text() };
};
const post = async (rs: ReplayServer, path: string, body: unknown): Promise<{ status: number; body: Json }> => {
  const r = await fetch(`${rs.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${rs.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: r.status, body: await r.json() };
};

describe('replay server', () => {
  it('plays the recording onto the boards unchanged: the log, the board and the results equal the original', async () => {
    const rs = await startReplayServer(config, recorded, { speed: 1e6, logger: false, sleep: async () => {} });
    servers.push(rs);
    await rs.finished();
    // Nothing added (no game.created of its own, no decisions, no probes), nothing lost, nothing changed.
    const log = await get(rs, '/api/admin/export/events.jsonl', rs.adminToken);
    expect(parseEventsJsonl(log.body as string)).toEqual(recorded);
    expect(shownTeams((await get(rs, '/api/leaderboard')).body)).toEqual(expectedTeams(recorded));
    const res = await get(rs, '/api/results');
    expect(res.status).toBe(200);
    expect(res.body).toEqual(JSON.parse(JSON.stringify(results(scenario, recorded))));
    expect((await get(rs, '/api/replay')).body).toMatchObject({ played: recorded.length, total: recorded.length, done: true });
  });

  it('seeks exactly: forwards and backwards, the board is the fold of the events up to the target', async () => {
    const held = heldSleep();
    const rs = await startReplayServer(config, recorded, { speed: 1, logger: false, sleep: held.sleep });
    servers.push(rs);
    // Pause first; the organizer API refuses without the token.
    expect((await fetch(`${rs.url}/api/admin/replay/pause`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);
    expect((await post(rs, '/api/admin/replay/pause', {})).body).toMatchObject({ paused: true });
    const end = recorded[recorded.length - 1]!.gameTime;
    const upTo = (t: number) => recorded.filter((e) => e.gameTime <= t);

    // A time between two events, where the first faults are in play.
    const firstInjected = recorded.find((e) => e.type === 'fault.injected')!.gameTime;
    const t1 = firstInjected + 90_000;
    const fwd = await post(rs, '/api/admin/replay/seek', { gameTime: t1 });
    expect(fwd.status).toBe(200);
    expect(fwd.body).toMatchObject({ played: upTo(t1).length, gameTime: t1, paused: true });
    const atT1 = (await get(rs, '/api/leaderboard')).body;
    expect(withoutIds(shownTeams(atT1))).toEqual(expectedTeams(upTo(t1), { ids: false }));
    expect(atT1.teams).toEqual(rebuiltBoard(upTo(t1)).teams);
    expect(shownTeams(atT1)).not.toEqual(expectedTeams(recorded));
    expect((await get(rs, '/api/results')).status).toBe(409); // not finished yet at t1

    // Backwards: the server is rebuilt from an empty store, on the same address.
    const t0 = firstInjected - 1;
    const back = await post(rs, '/api/admin/replay/seek', { gameTime: t0 });
    expect(back.status).toBe(202);
    await expect.poll(async () => (await get(rs, '/api/replay').catch(() => ({ body: null }))).body?.played, { timeout: 10_000 }).toBe(upTo(t0).length);
    const log = await get(rs, '/api/admin/export/events.jsonl', rs.adminToken);
    expect(parseEventsJsonl(log.body as string)).toEqual(upTo(t0));
    const atT0 = (await get(rs, '/api/leaderboard')).body;
    expect(withoutIds(shownTeams(atT0))).toEqual(expectedTeams(upTo(t0), { ids: false }));
    expect(atT0.teams).toEqual(rebuiltBoard(upTo(t0)).teams);
    // Paused stays paused: nothing more is played while the waits are released.
    for (const w of held.waiting.splice(0)) w();
    expect((await get(rs, '/api/replay')).body).toMatchObject({ paused: true, played: upTo(t0).length });

    // To the end: the final board and results.
    expect((await post(rs, '/api/admin/replay/seek', { gameTime: end })).body).toMatchObject({ played: recorded.length, done: true });
    expect(shownTeams((await get(rs, '/api/leaderboard')).body)).toEqual(expectedTeams(recorded));
    expect((await get(rs, '/api/results')).body).toEqual(JSON.parse(JSON.stringify(results(scenario, recorded))));
  });

  it('refuses a bad seek or speed with a 400 in the error shape', async () => {
    const rs = await startReplayServer(config, recorded, { speed: 1, logger: false, sleep: heldSleep().sleep });
    servers.push(rs);
    for (const [path, body] of [
      ['/api/admin/replay/seek', { gameTime: -1 }],
      ['/api/admin/replay/seek', { gameTime: '5' }],
      ['/api/admin/replay/speed', { speed: 0 }],
      ['/api/admin/replay/pause', { bogus: 1 }],
    ] as const) {
      const r = await post(rs, path, body);
      expect(r.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(r.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    expect((await post(rs, '/api/admin/replay/speed', { speed: 120 })).body).toMatchObject({ speed: 120 });
  });
});
