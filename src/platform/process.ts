import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';

export type ProcessStatus = 'starting' | 'running' | 'stopped' | 'crashed';

export interface ChildSpec {
  /** Absolute path of the built JavaScript entry. */
  entry: string;
  config: unknown;
  release?: string;
}

const MAX_LOG = 4 * 1024 * 1024;
const READY_TIMEOUT_MS = 20_000;
/** A child that ran this long (wall time) before crashing was healthy: its next restart starts the backoff over. */
export const STABLE_AFTER_MS = 60_000;
const MAX_BACKOFF_MS = 30_000;

/** Delay before the n-th consecutive restart (n ≥ 1): 0.5 s doubling, capped at 30 s. */
export function restartDelay(n: number): number {
  return Math.min(MAX_BACKOFF_MS, 500 * 2 ** Math.min(6, n - 1));
}

/** How a supervisor waits for a retry; injected in tests so no test waits on real time. */
export interface Timers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}
const realTimers: Timers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as NodeJS.Timeout | undefined),
};
const MARK = 'chat-service/app/';

/** Kill processes whose pid files a previous server left behind (kill -9 of the server), then forget them. */
export function cleanStalePids(runDir: string): number {
  if (!existsSync(runDir)) return 0;
  let killed = 0;
  for (const f of readdirSync(runDir)) {
    if (!f.endsWith('.pid')) continue;
    const file = join(runDir, f);
    const pid = Number.parseInt(readFileSync(file, 'utf8'), 10);
    // Only a process that is still one of ours: pids get reused.
    let cmd = '';
    try {
      cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      /* gone */
    }
    if (pid > 0 && cmd.includes(MARK)) {
      try {
        process.kill(pid, 'SIGKILL');
        killed++;
      } catch {
        /* gone meanwhile */
      }
    }
    rmSync(file, { force: true });
  }
  return killed;
}

/**
 * Memory of one process in kB: RSS counts the Node binary and libraries shared by every child;
 * PSS splits shared pages among the processes that map them, so its sum is what the machine pays.
 */
export function memoryKb(pid: number | undefined): { rss: number; pss: number } | undefined {
  if (!pid) return undefined;
  try {
    const s = readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
    const rss = /^Rss:\s+(\d+)/m.exec(s);
    const pss = /^Pss:\s+(\d+)/m.exec(s);
    return rss && pss ? { rss: Number(rss[1]), pss: Number(pss[1]) } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * One component's process, supervised like a pod: started from built JavaScript with an IPC
 * channel (the child exits when it closes), stdout and stderr into the component's log file,
 * restarted with backoff when it crashes, stopped with SIGTERM then SIGKILL.
 */
export class Supervisor {
  status: ProcessStatus = 'stopped';
  pid: number | undefined;
  startedAt: number | undefined;
  /** Every restart since the supervisor was made (shown to teams, like a pod's restartCount). */
  restarts = 0;
  /** Consecutive crashes without a stable run in between: what the backoff grows on. */
  private crashLoop = 0;
  lastExit: string | undefined;
  spec: ChildSpec | undefined;
  private child: ChildProcess | undefined;
  private retry: unknown;
  private wanted = false;

  constructor(
    readonly name: string,
    private readonly dirs: { logs: string; run: string },
    private readonly clock: Clock,
    private readonly timers: Timers = realTimers,
  ) {}

  get logFile(): string {
    return join(this.dirs.logs, `${this.name}.log`);
  }
  private get pidFile(): string {
    return join(this.dirs.run, `${this.name}.pid`);
  }

  note(line: string): void {
    // Real time, not the injected clock: these lines sit between the children's own log lines.
    appendFileSync(this.logFile, `${new Date().toISOString()} INFO  [platform] ${line}\n`);
  }

  async start(spec: ChildSpec): Promise<void> {
    this.spec = spec;
    this.wanted = true;
    this.timers.clear(this.retry);
    await this.spawnOnce();
  }

  private async spawnOnce(): Promise<void> {
    const spec = this.spec;
    if (!spec || !this.wanted) return;
    try {
      if (existsSync(this.logFile) && statSync(this.logFile).size > MAX_LOG) renameSync(this.logFile, `${this.logFile}.1`);
    } catch {
      /* best effort */
    }
    this.note(`starting ${this.name}${spec.release ? ` ${spec.release}` : ''}`);
    const fd = openSync(this.logFile, 'a');
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, ['--max-old-space-size=96', spec.entry], {
        stdio: ['ignore', fd, fd, 'ipc'],
        env: { PATH: process.env.PATH ?? '', NODE_ENV: 'production', FIREDRILL_CHAT_CONFIG: JSON.stringify(spec.config) },
      });
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.status = 'starting';
    this.pid = child.pid;
    if (child.pid) writeFileSync(this.pidFile, `${child.pid}\n`);
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.name} did not become ready within ${READY_TIMEOUT_MS / 1000} s`)), READY_TIMEOUT_MS);
      child.on('message', (m: { type?: string }) => {
        if (m?.type === 'ready') {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        reject(new Error(`${this.name} exited during start (${signal ?? `code ${code}`})`));
      });
    });
    child.once('exit', (code, signal) => this.exited(child, code, signal));
    try {
      await ready;
      if (this.child === child) {
        this.status = 'running';
        this.startedAt = this.clock.now();
        // A live reconfiguration that arrived while this process was starting must not be lost.
        if (this.spec && this.spec.config !== spec.config) await this.reconfigure(this.spec.config);
      }
    } catch (err) {
      this.note((err as Error).message);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }
  }

  private exited(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.child !== child) return;
    const ranFor = this.startedAt === undefined ? 0 : this.clock.now() - this.startedAt;
    this.child = undefined;
    this.pid = undefined;
    this.startedAt = undefined;
    rmSync(this.pidFile, { force: true });
    this.lastExit = signal ?? `code ${code}`;
    if (!this.wanted) {
      this.status = 'stopped';
      return;
    }
    // Unexpected: crash-loop with backoff, as an orchestrator would.
    this.status = 'crashed';
    this.restarts++;
    // After a stable run one crash is a new incident, not a crash loop: don't make it wait 30 s.
    this.crashLoop = ranFor >= STABLE_AFTER_MS ? 1 : this.crashLoop + 1;
    const delay = restartDelay(this.crashLoop);
    this.note(`${this.name} exited unexpectedly (${this.lastExit}); restarting in ${delay} ms`);
    this.retry = this.timers.set(() => void this.spawnOnce(), delay);
  }

  /** Send a live configuration (ingress routes, database credentials) and wait for the ack. */
  async reconfigure(config: unknown): Promise<void> {
    if (this.spec) this.spec = { ...this.spec, config };
    const child = this.child;
    if (!child?.connected || this.status !== 'running') return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, 5000);
      function done() {
        clearTimeout(timer);
        child?.off('message', onMsg);
        resolve();
      }
      const onMsg = (m: { type?: string }) => {
        if (m?.type === 'configured') done();
      };
      child.on('message', onMsg);
      child.send({ type: 'config', config }, (err) => {
        if (err) done();
      });
    });
  }

  async stop(): Promise<void> {
    this.wanted = false;
    this.timers.clear(this.retry);
    const child = this.child;
    if (!child) {
      this.status = 'stopped';
      return;
    }
    const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await gone;
    clearTimeout(timer);
  }
}
