import { describe, expect, it } from 'vitest';
import { GameLoop } from '../../src/game/loop.js';
import { diffLeaves, getPath, setPath } from '../../src/demo/bots.js';

describe('the game loop', () => {
  it('ticks every part; a busy part is skipped, a throwing part is reported and the others go on', async () => {
    const errors: string[] = [];
    const loop = new GameLoop(250, (part, err) => errors.push(`${part}: ${(err as Error).message}`));
    let release: () => void = () => {};
    let slowTicks = 0;
    let fastTicks = 0;
    loop.register({ name: 'slow', tick: () => (slowTicks++, new Promise<void>((r) => (release = r))) });
    loop.register({ name: 'bad', tick: () => Promise.reject(new Error('boom')) });
    loop.register({ name: 'fast', tick: () => void fastTicks++ });
    const first = loop.tickAll();
    await new Promise((r) => setImmediate(r)); // the quick parts are done, slow is not
    await loop.tickAll(); // slow is still busy: skipped, the others tick again
    expect([slowTicks, fastTicks]).toEqual([1, 2]);
    release();
    await first;
    const third = loop.tickAll();
    await new Promise((r) => setImmediate(r));
    expect([slowTicks, fastTicks]).toEqual([2, 3]);
    release();
    await third;
    expect(errors).toEqual(['bad: boom', 'bad: boom', 'bad: boom']);
  });
});

describe('demo bots: undo only what a change changed', () => {
  it('finds the changed leaves and sets them back on top of the current manifest', () => {
    const before = { ingress: { routes: [{ path: '/', port: 80 }] }, networkPolicies: [{ action: 'allow' }], services: { backend: { release: '1.4.0' } } };
    const fault = structuredClone(before);
    fault.ingress.routes[0]!.port = 8081;
    expect(diffLeaves(before, fault)).toEqual(['ingress.routes.0.port']);
    // Later someone else changed another field: a revert must keep it.
    const current = structuredClone(fault);
    current.services.backend.release = '1.5.0';
    const next = structuredClone(current);
    for (const p of diffLeaves(before, fault)) if (getPath(current, p) === getPath(fault, p)) setPath(next, p, getPath(before, p));
    expect(next).toEqual({ ...before, services: { backend: { release: '1.5.0' } } });
  });
});
