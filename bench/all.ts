/**
 * `npm run bench`: every benchmark, one after another (they would steal each other's CPU if run
 * together), each in its own process; results go to bench/results/<name>-<date>.json, and every
 * named figure (firedrill value, raw baseline, ratio) to bench/results/latest.json.
 *
 *   npm run bench                       # all of them
 *   npm run bench -- --quick            # the issue's table in under 5 minutes (smaller runs)
 *   npm run bench -- fold ws-fanout     # only the ones named
 *
 * `npm run bench` compiles into dist-bench/ (never dist/, which tests and servers may be using).
 * Each can also run alone with its own options, e.g. `node dist-bench/bench/ws-fanout.js --clients 5000`.
 * Every benchmark targets 127.0.0.1 only and stops by itself.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { projectRoot } from '../src/paths.js';
import type { Figure } from './figures.js';

const quick = process.argv.includes('--quick');
/** Each benchmark and its arguments: full, and quick (the table's rows, smaller where it still says the same). */
const BENCHES: Record<string, { full: string[]; quick: string[] | null }> = {
  fold: { full: [], quick: ['--quick', '--events', '300000'] },
  // Updates 300 ms apart: more than the 250 ms coalescing interval, so each update is its own frame (sent at once).
  // firedrill and raw ws take turns update by update (40 each in --quick, ~1 min): their p99s are of the same minutes.
  'ws-fanout': { full: ['--clients', '5000', '--teams', '100', '--updates', '100', '--gap', '300'], quick: ['--clients', '5000', '--teams', '100', '--updates', '40', '--warmup', '3', '--gap', '300'] },
  // Interleaved rounds (bare, firedrill, firedrill, bare, …): the ratio is the median of the rounds'.
  'http-writes': { full: ['--rounds', '11', '--seconds', '4'], quick: ['--rounds', '7', '--seconds', '3'] },
  // Three runs (bare loop, runner without the board, runner with it), each warm-up + window + 1 s drain.
  probes: { full: ['--teams', '500', '--seconds', '30'], quick: ['--teams', '500', '--seconds', '5', '--warmup', '4'] },
  'platform-memory': { full: [], quick: null },
  'demo-timing': { full: [], quick: null },
};
const here = dirname(fileURLToPath(import.meta.url));
const wanted = process.argv.slice(2).filter((a) => a !== '--quick');
const unknown = wanted.filter((w) => !(w in BENCHES));
if (unknown.length) {
  console.error(`unknown benchmark: ${unknown.join(', ')} (known: ${Object.keys(BENCHES).join(', ')})`);
  process.exit(2);
}
const figuresFile = join(tmpdir(), `firedrill-bench-figures-${process.pid}.jsonl`);
rmSync(figuresFile, { force: true });
const load = loadavg();
const started = Date.now();
const failed: string[] = [];
for (const name of wanted.length ? wanted : Object.keys(BENCHES)) {
  const b = BENCHES[name]!;
  const argv = quick ? b.quick : b.full;
  if (!argv) {
    console.log(`\n=== ${name} (skipped with --quick) ===`);
    continue;
  }
  console.log(`\n=== ${name} ${argv.join(' ')} ===`);
  const r = spawnSync(process.execPath, ['--expose-gc', join(here, `${name}.js`), ...argv], { stdio: 'inherit', env: { ...process.env, FIREDRILL_BENCH_FIGURES: figuresFile } });
  if (r.status !== 0) failed.push(`${name} (${r.signal ?? `exit ${r.status}`})`);
}
const figures: Figure[] = existsSync(figuresFile)
  ? readFileSync(figuresFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Figure)
  : [];
rmSync(figuresFile, { force: true });
const out = join(projectRoot, 'bench', 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
const doc = {
  at: new Date().toISOString(),
  quick,
  seconds: Math.round((Date.now() - started) / 1000),
  machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, loadAverageAtStart: load.map((x) => Math.round(x * 100) / 100) },
  figures,
};
writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
console.log(`\nwrote ${out} (${figures.length} figures, ${doc.seconds} s)`);
if (failed.length) {
  console.error(`\nfailed: ${failed.join(', ')}`);
  process.exit(1);
}
