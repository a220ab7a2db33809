import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoredEvent } from '../../src/events/types.js';
import { ChildServer } from './child-server.js';

/**
 * A real `kill -9` mid-game: the built server (with the embedded platform) as a child process,
 * killed while a fault is armed and again while it is injected, restarted on the same data dir.
 */
const dir = mkdtempSync(join(tmpdir(), 'fd-restart-'));
const args = ['--data-dir', dir, '--speed', '20', '--team-port-base', '0'];
let server: ChildServer | undefined;
afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const of = <T extends StoredEvent['type']>(events: StoredEvent[], type: T, team = 'red') =>
  events.filter((e): e is Extract<StoredEvent, { type: T }> => e.type === type && e.team === team);
const strip = (e: StoredEvent) => ({ seq: e.seq, type: e.type, team: e.team, gameTime: e.gameTime, data: e.data });

describe('kill -9 and restart', () => {
  it('loses no event and resumes every timer from the log', async () => {
    server = await ChildServer.start(args);
    await server.api('POST', '/api/admin/teams', { id: 'red', name: 'Red' });
    await server.api('POST', '/api/admin/game/start');
    const armedLog = await server.waitFor((ev) => of(ev, 'fault.armed').length > 0, 'fault.armed', 20_000);
    const armed = of(armedLog, 'fault.armed')[0]!;
    const dueAt = armed.data.dueAt;

    // Crash while the fault is armed (due 3–9 s of wall time after the start at speed 20).
    const beforeCrash = await server.events();
    await server.crash();
    server = await ChildServer.start(args);
    const after = await server.waitFor((ev) => of(ev, 'fault.injected').length > 0, 'the armed fault to fire after the restart', 40_000);

    // Nothing acknowledged before the crash was lost or changed.
    expect(after.slice(0, beforeCrash.length).map(strip)).toEqual(beforeCrash.map(strip));
    // The timer was resumed, not re-armed: one fault.armed, and the injection at (or just after) its due time.
    expect(of(after, 'fault.armed')).toHaveLength(1);
    const injecting = of(after, 'fault.injecting')[0]!;
    expect(injecting.gameTime).toBeGreaterThanOrEqual(dueAt);
    expect(injecting.data).toMatchObject({ fault: 'site-unreachable', attempt: 1 });
    // The platform really broke: the page probe goes red.
    const red = await server.waitFor((ev) => of(ev, 'probe.failed').some((e) => e.data.probe === 'page'), 'the page probe to fail', 30_000);
    const injected = of(red, 'fault.injected')[0]!;

    // Crash again while injected: the handle (in the log) still lets an organizer revert it.
    await server.crash();
    server = await ChildServer.start(args);
    const state = await server.api<{ teams: Array<{ faults: Array<{ id: string; status: string; deadlineAt: number | null }> }> }>('GET', '/api/admin/state');
    expect(state.teams[0]!.faults[0]).toMatchObject({ id: 'site-unreachable', state: 'injected', deadlineAt: injected.data.deadlineAt });
    await server.api('POST', '/api/admin/teams/red/faults/site-unreachable/revert', { reason: 'restart test' });
    const done = await server.waitFor(
      (ev) => of(ev, 'fault.revert_result').length > 0 && of(ev, 'probe.recovered').some((e) => e.data.probe === 'page'),
      'the revert and the page probe recovering',
      30_000,
    );
    expect(of(done, 'fault.revert_result')[0]!.data).toMatchObject({ fault: 'site-unreachable', ok: true });
    const changes = of(done, 'platform.changed');
    expect(changes.map((c) => c.data.author)).toContain('firedrill');
    // Each fact once, across both crashes.
    for (const t of ['fault.injecting', 'fault.injected', 'fault.reverted', 'fault.revert_result'] as const) expect(of(done, t), t).toHaveLength(1);
  });
});
