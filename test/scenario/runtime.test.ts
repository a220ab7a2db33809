import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fromRoot } from '../../src/paths.js';
import { ScenarioError } from '../../src/scenario/load.js';
import { scenarioRecordEvents } from '../../src/game/scenario-record.js';
import { testRuntime } from '../helpers.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'fd-scn-'));
  dirs.push(d);
  return d;
};

describe('the scenario in the runtime', () => {
  it('is loaded into services.scenario', async () => {
    const rt = await testRuntime();
    expect(rt.services.scenario.name).toBe('chat-service');
    expect(rt.services.scenario.faults).toHaveLength(3);
    await rt.close();
  });

  it('refuses to start on an invalid scenario, with the same messages, before touching the data dir', async () => {
    const dir = tmp();
    const err = await testRuntime({ scenario: fromRoot('test/fixtures/scenarios/wrong-enum.yaml') }, { dataDir: join(dir, 'data') }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ScenarioError);
    expect((err as ScenarioError).problems).toEqual([
      `${fromRoot('test/fixtures/scenarios/wrong-enum.yaml')}:36: faults[0].alerting: must be one of: pagerduty, silent (got 'pager')`,
    ]);
    expect(() => readFileSync(join(dir, 'data', 'firedrill.db'))).toThrow();
  });

  it('records game.created once; a later start with a changed file warns once and goes on', async () => {
    const dir = tmp();
    const file = join(dir, 'scenario.yaml');
    copyFileSync(fromRoot('test/fixtures/scenarios/minimal.yaml'), file);
    const data = join(dir, 'data');

    const first = await testRuntime({ scenario: file }, { dataDir: data });
    const created = await first.services.store.read({ types: ['game.created'] });
    expect(created).toHaveLength(1);
    expect(created[0]).toMatchObject({ key: 'game.created', team: null, data: { scenario: 'minimal', scenarioHash: first.services.scenario.hash } });
    expect(Number.isInteger(created[0]!.type === 'game.created' && created[0]!.data.seed)).toBe(true);
    await first.close();

    const again = await testRuntime({ scenario: file }, { dataDir: data });
    expect(await again.services.store.read({ types: ['game.created', 'warning.raised'] })).toHaveLength(1);
    await again.close();

    writeFileSync(file, `${readFileSync(file, 'utf8')}# edited between starts\n`);
    for (let i = 0; i < 2; i++) {
      const changed = await testRuntime({ scenario: file }, { dataDir: data });
      const warnings = await changed.services.store.read({ types: ['warning.raised'] });
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ data: { code: 'scenario_changed' } });
      expect(changed.services.scenario.hash).not.toBe(created[0]!.type === 'game.created' && created[0]!.data.scenarioHash);
      await changed.close();
    }
  });

  it('scenarioRecordEvents is pure: nothing to add when the log already names this scenario', async () => {
    const rt = await testRuntime();
    const log = await rt.services.store.read();
    expect(scenarioRecordEvents(rt.services.scenario, log, 7)).toEqual([]);
    expect(scenarioRecordEvents(rt.services.scenario, [], 7)).toEqual([
      { type: 'game.created', source: 'game', key: 'game.created', data: { scenario: 'chat-service', scenarioHash: rt.services.scenario.hash, seed: 7 } },
    ]);
    await rt.close();
  });
});
