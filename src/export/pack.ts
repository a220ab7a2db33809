import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StoredEvent } from '../events/types.js';
import type { Scenario } from '../scenario/types.js';
import { eventsJsonl, results, resultsCsv } from './results.js';
import { retrospective } from './retro.js';

/** What `firedrill export` writes: results (JSON, CSV), the whole log (JSON Lines), a retrospective per team and language. */
export function writeExportPack(dir: string, scenario: Scenario, events: readonly StoredEvent[]): string[] {
  const r = results(scenario, events);
  const files: Array<[string, string]> = [
    ['results.json', JSON.stringify(r, null, 2) + '\n'],
    ['results.csv', resultsCsv(r)],
    ['events.jsonl', eventsJsonl(events)],
  ];
  for (const t of r.teams) {
    files.push([join('retro', `${t.team}.md`), retrospective(scenario, events, r, t.team, 'en')]);
    files.push([join('retro', `${t.team}.ja.md`), retrospective(scenario, events, r, t.team, 'ja')]);
  }
  mkdirSync(join(dir, 'retro'), { recursive: true });
  for (const [name, text] of files) writeFileSync(join(dir, name), text);
  return files.map(([name]) => name);
}

/** Read a JSON Lines log back (what `export` wrote), checking each line is an event. */
export function parseEventsJsonl(text: string): StoredEvent[] {
  const out: StoredEvent[] = [];
  text.split('\n').forEach((line, i) => {
    if (!line.trim()) return;
    let e: unknown;
    try {
      e = JSON.parse(line);
    } catch {
      throw new Error(`line ${i + 1}: not JSON`);
    }
    const ev = e as Partial<StoredEvent>;
    if (typeof ev.seq !== 'number' || typeof ev.type !== 'string' || typeof ev.gameTime !== 'number' || typeof ev.at !== 'number') throw new Error(`line ${i + 1}: not an event (seq, at, gameTime, type)`);
    out.push(e as StoredEvent);
  });
  return out;
}
