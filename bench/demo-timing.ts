/**
 * How fast the demo plays on this machine: the built server (`firedrill serve --demo --speed 60`,
 * as `npm start -- --demo` runs it), watched through the organizer API until every bot team has
 * played its first fault through to recovery (or the time limit). This was a `< 30 s` assertion in
 * test/demo/demo.test.ts; the test now checks order and presence, this measures the wall time.
 *
 *   npm run -s build:server && node dist/bench/demo-timing.js [--speed 60] [--limit-s 180]
 *
 * Wall times are the events' own `at` (the server's clock), measured from `game.started`:
 * first fault injected, first probe failed, first bot fix (a platform change by an ops bot), that
 * fault recovered. Boot = spawn until the banner.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { StoredEvent } from '../src/events/types.js';
import { fromRoot, projectRoot } from '../src/paths.js';

const { values: args } = parseArgs({
  options: {
    speed: { type: 'string', default: '60' },
    'limit-s': { type: 'string', default: '180' },
    out: { type: 'string', default: '' },
  },
});
const speed = Number(args.speed);
const limitMs = Number(args['limit-s']) * 1000;
const TOKEN = `bench-organizer-${process.pid}-0123456789abcdef`;
const BOTS = ['bot-alpha', 'bot-bravo', 'bot-charlie'];

interface TeamTiming {
  team: string;
  fault?: string;
  injectedS?: number;
  probeFailedS?: number;
  botFixS?: number;
  recoveredS?: number;
  fixedBy?: string;
}

function timingOf(team: string, events: StoredEvent[], startAt: number): TeamTiming {
  const s = (e: StoredEvent | undefined) => (e ? Math.round((e.at - startAt) / 100) / 10 : undefined);
  const mine = events.filter((e) => e.team === team);
  const inj = mine.find((e) => e.type === 'fault.injected');
  if (!inj || inj.type !== 'fault.injected') return { team };
  const after = mine.filter((e) => e.seq > inj.seq);
  const failed = after.find((e) => e.type === 'probe.failed');
  const recovered = after.find((e) => e.type === 'fault.recovered' && e.data.fault === inj.data.fault);
  // The bots' change that fixed it: the last one before the recovery (a wrong lead may come first).
  const fix = after.filter((e) => e.type === 'platform.changed' && e.data.author.endsWith('ops-bot') && (!recovered || e.seq < recovered.seq)).at(-1);
  const t: TeamTiming = { team, fault: inj.data.fault };
  const put = (k: 'injectedS' | 'probeFailedS' | 'botFixS' | 'recoveredS', e: StoredEvent | undefined) => {
    const v = s(e);
    if (v !== undefined) t[k] = v;
  };
  put('injectedS', inj);
  put('probeFailedS', failed);
  put('botFixS', fix);
  put('recoveredS', recovered);
  if (fix?.type === 'platform.changed') t.fixedBy = fix.data.message;
  return t;
}

async function readAll(url: string): Promise<StoredEvent[]> {
  const all: StoredEvent[] = [];
  for (let after = 0; ; ) {
    const res = await fetch(`${url}/api/admin/events?after=${after}&limit=5000`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const page = (await res.json()) as { events: StoredEvent[]; next: number };
    all.push(...page.events);
    if (page.events.length < 5000) return all;
    after = page.next;
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'fd-bench-demo-'));
  const load = loadavg().map((x) => Math.round(x * 100) / 100);
  const t0 = performance.now();
  const proc = spawn(process.execPath, [fromRoot('dist/src/cli.js'), 'serve', '--demo', '--speed', String(speed), '--port', '0', '--log-level', 'warn', '--data-dir', dir], {
    env: { ...process.env, FIREDRILL_ADMIN_TOKEN: TOKEN },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout.on('data', (b: Buffer) => (out += b.toString()));
  proc.stderr.on('data', (b: Buffer) => (out += b.toString()));
  let timings: TeamTiming[] = [];
  let bootMs = 0;
  try {
    let url = '';
    while (!url) {
      const m = /spectators:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(out);
      if (m) url = m[1]!;
      else if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${out}`);
      else if (performance.now() - t0 > 60_000) throw new Error(`server did not start:\n${out}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
    bootMs = Math.round(performance.now() - t0);
    const deadline = performance.now() + limitMs;
    for (;;) {
      const events = await readAll(url);
      const started = events.find((e) => e.type === 'game.started');
      if (started) {
        timings = BOTS.map((b) => timingOf(b, events, started.at));
        if (timings.every((t) => t.recoveredS !== undefined)) break;
      }
      if (performance.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    proc.kill('SIGTERM');
    await new Promise((r) => (proc.exitCode !== null ? r(null) : proc.once('exit', r)));
    rmSync(dir, { recursive: true, force: true });
  }

  console.log(`demo-timing: --demo --speed ${speed}, boot ${bootMs} ms (load ${load.join(' ')}); seconds of wall time after game.started:`);
  for (const t of timings) {
    console.log(`  ${t.team}: ${t.fault ?? '(no fault)'} injected ${t.injectedS ?? '-'}, probe failed ${t.probeFailedS ?? '-'}, bot fix ${t.botFixS ?? '-'}, recovered ${t.recoveredS ?? '-'}${t.fixedBy ? ` (${t.fixedBy})` : ''}`);
  }
  const firstInjected = Math.min(...timings.map((t) => t.injectedS ?? Infinity));
  const firstRecovered = Math.min(...timings.map((t) => t.recoveredS ?? Infinity));
  console.log(`  first fault injected after ${firstInjected} s (design: within 30 s); first recovery by the bots after ${firstRecovered} s`);

  const date = new Date().toISOString().slice(0, 10);
  const file = args.out || join(projectRoot, 'bench', 'results', `demo-timing-${date}.json`);
  mkdirSync(dirname(file), { recursive: true });
  const doc = {
    bench: 'demo-timing',
    how: 'bench/demo-timing.ts: the built server with --demo, events read through /api/admin/events; seconds are event.at minus game.started.at',
    machine: { cpus: cpus().length, model: cpus()[0]?.model ?? '', node: process.version, platform: process.platform },
    date,
    at: new Date().toISOString(),
    loadAverageAtStart: load,
    speed,
    bootMs,
    firstInjectedS: Number.isFinite(firstInjected) ? firstInjected : null,
    firstRecoveredS: Number.isFinite(firstRecovered) ? firstRecovered : null,
    teams: timings,
  };
  writeFileSync(file, `${JSON.stringify(doc, null, 2)}\n`);
  console.log(`wrote ${file}`);
  if (!Number.isFinite(firstRecovered)) process.exitCode = 1;
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
