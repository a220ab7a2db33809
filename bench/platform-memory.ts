/**
 * Memory and boot time of the embedded platform: N teams (default 20), four real processes each,
 * started from built JavaScript exactly as the server starts them (a LocalPlatform folded from a
 * real event log on a temp file). This was an RSS assertion in test/platform/lifecycle.test.ts; a
 * figure that depends on the machine belongs here.
 *
 *   npm run -s build:server && node dist/bench/platform-memory.js [--teams 20] [--budget-mib 300]
 *
 * RSS counts the Node binary and libraries shared by every child; PSS splits shared pages among the
 * processes that map them, so the PSS sum is what the machine pays. The budget stated in
 * docs/architecture.md: even counted as RSS, a team stays under 300 MiB.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { systemClock } from '../src/clock.js';
import { openDatabase, SqliteEventStore } from '../src/events/store.js';
import { fromRoot, projectRoot } from '../src/paths.js';
import { catalog } from '../challenges/chat-service/app/catalog.js';
import { LocalPlatform, loadBaseManifest } from '../src/platform/platform.js';

const { values: args } = parseArgs({
  options: {
    teams: { type: 'string', default: '20' },
    'budget-mib': { type: 'string', default: '300' },
    out: { type: 'string', default: '' },
  },
});
const teams = Number(args.teams);
const budgetMib = Number(args['budget-mib']);
if (!Number.isInteger(teams) || teams < 1 || teams > 200) throw new Error('--teams must be an integer from 1 to 200');

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-bench-platform-'));
  const store = new SqliteEventStore(openDatabase(join(dir, 'events.db')), { clock: systemClock });
  const platform = new LocalPlatform({ append: (e) => store.append(e), catalog, clock: systemClock, root: join(dir, 'platform'), baseManifest: loadBaseManifest(fromRoot('challenges/chat-service/platform.yaml')) });
  store.subscribe((e) => platform.apply(e));
  const ids = Array.from({ length: teams }, (_, i) => `team-${String(i + 1).padStart(2, '0')}`);
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const pids: number[] = [];
  let result: Record<string, unknown>;
  try {
    const t0 = performance.now();
    await platform.start();
    await Promise.all(
      ids.map(async (id) => {
        await store.append({
          type: 'team.created',
          team: id,
          source: 'bench',
          data: { id, name: `Team ${id}`, members: [], tokenHash: 'x', portBase: null, seed: 1, by: { kind: 'organizer', name: 'bench' } },
        });
        await platform.ready(id);
      }),
    );
    const bootMs = Math.round(performance.now() - t0);
    // Let the children settle (lazy allocations after the first requests) before reading memory.
    for (const id of ids) await fetch(`${platform.publicUrl(id)}/api/health`).then((r) => r.text());
    await new Promise((r) => setTimeout(r, 1000));
    let rssKb = 0;
    let pssKb = 0;
    const notRunning: string[] = [];
    for (const id of ids) {
      const st = platform.status(id);
      for (const c of st) if (c.status !== 'running') notRunning.push(`${id}/${c.name}: ${c.status}`);
      rssKb += st.reduce((a, c) => a + (c.rssKb ?? 0), 0);
      pssKb += st.reduce((a, c) => a + (c.pssKb ?? 0), 0);
      pids.push(...platform.pids(id));
    }
    const mib = (kb: number) => Math.round((kb / 1024) * 10) / 10;
    result = {
      teams,
      processes: pids.length,
      bootMs,
      rssMiB: { total: mib(rssKb), perTeam: mib(rssKb / teams) },
      pssMiB: { total: mib(pssKb), perTeam: mib(pssKb / teams) },
      budgetMiBPerTeamRss: budgetMib,
      withinBudget: rssKb / 1024 / teams < budgetMib,
      notRunning,
    };
  } finally {
    await platform.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  const leftBehind = pids.filter(alive);
  result.leftBehind = leftBehind.length;

  console.log(`platform-memory: ${teams} teams, ${String(result.processes)} processes, booted in ${String(result.bootMs)} ms (load ${load.join(' ')})`);
  const r = result as { rssMiB: { total: number; perTeam: number }; pssMiB: { total: number; perTeam: number }; withinBudget: boolean };
  console.log(`  RSS ${r.rssMiB.total} MiB (${r.rssMiB.perTeam} per team; budget ${budgetMib}: ${r.withinBudget ? 'within' : 'OVER'})`);
  console.log(`  PSS ${r.pssMiB.total} MiB (${r.pssMiB.perTeam} per team); processes left behind: ${leftBehind.length}`);

  const date = new Date().toISOString().slice(0, 10);
  const out = args.out || join(projectRoot, 'bench', 'results', `platform-memory-${date}.json`);
  mkdirSync(dirname(out), { recursive: true });
  const doc = {
    bench: 'platform-memory',
    how: 'bench/platform-memory.ts: N teams of the embedded platform (4 Node processes each) from dist/, memory from /proc/<pid>/smaps_rollup after one request per team and 1 s of settling',
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version, platform: process.platform },
    date,
    at: new Date().toISOString(),
    loadAverageAtStart: load,
    result,
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`wrote ${out}`);
  if (leftBehind.length || (result.notRunning as string[]).length) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
