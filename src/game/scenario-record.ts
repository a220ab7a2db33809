import type { NewEvent, StoredEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';

/**
 * Which scenario a game plays is recorded once, in `game.created` (idempotency key 'game.created'),
 * so a replay knows which rules applied. A later start with a changed file goes on, but says so:
 * one `warning.raised` per new hash. Pure: the caller appends what this returns.
 */
export function scenarioRecordEvents(scenario: Scenario, log: readonly StoredEvent[], seed: number): NewEvent[] {
  const created = log.find((e) => e.type === 'game.created');
  if (!created) {
    return [{ type: 'game.created', source: 'game', key: 'game.created', data: { scenario: scenario.name, scenarioHash: scenario.hash, seed } }];
  }
  if (created.data.scenarioHash === scenario.hash && created.data.scenario === scenario.name) return [];
  return [
    {
      type: 'warning.raised',
      source: 'game',
      key: `scenario.changed:${scenario.hash}`,
      data: {
        code: 'scenario_changed',
        message:
          `this game was created with scenario '${created.data.scenario}' (sha256 ${created.data.scenarioHash.slice(0, 12)}), ` +
          `but the server now runs '${scenario.name}' from ${scenario.file} (sha256 ${scenario.hash.slice(0, 12)}); scores follow the file now loaded`,
      },
    },
  ];
}
