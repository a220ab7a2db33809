/**
 * `npm run bench`: every benchmark, one after another (they would steal each other's CPU if run
 * together), each in its own process; results go to bench/results/<name>-<date>.json.
 *
 *   npm run bench                       # all of them
 *   npm run bench -- platform-memory    # only the ones named
 *
 * Each can also run alone with its own options, e.g. `node dist/bench/ws-fanout.js --clients 5000`.
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BENCHES = ['ws-fanout', 'platform-memory', 'demo-timing'];
const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !BENCHES.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${BENCHES.join(', ')})`);
  process.exit(2);
}
const failed: string[] = [];
for (const name of wanted.length ? wanted : BENCHES) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(process.execPath, [join(here, `${name}.js`)], { stdio: 'inherit' });
  if (r.status !== 0) failed.push(`${name} (${r.signal ?? `exit ${r.status}`})`);
}
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
