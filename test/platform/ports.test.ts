import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { hashToken } from '../../src/tokens.js';
import { harness } from './harness.js';

describe('team port blocks', () => {
  it('refuses to start a team whose ports are taken, and tells the organizers', async () => {
    // Something else (another firedrill, say) already listens in the block.
    const squatter = createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', () => r()));
    const taken = (squatter.address() as { port: number }).port;
    const h = harness();
    try {
      await h.platform.start();
      await h.store.append({
        type: 'team.created',
        team: 'gamma',
        source: 'test',
        data: { id: 'gamma', name: 'Gamma', members: [], tokenHash: hashToken('gamma-token-0123456789'), portBase: taken, seed: 1, by: { kind: 'organizer', name: 'test' } },
      });
      await h.platform.startTeam('gamma');
      const warnings = (await h.store.read({ types: ['warning.raised'] })).map((e) => e.data);
      expect(warnings).toEqual([expect.objectContaining({ code: 'platform_start_failed', message: expect.stringContaining(`port(s) ${taken}`) })]);
      expect(h.platform.pids('gamma')).toEqual([]);
    } finally {
      await h.close();
      squatter.close();
    }
  });
});
