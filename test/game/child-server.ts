import { spawn, type ChildProcess } from 'node:child_process';
import { fromRoot } from '../../src/paths.js';
import type { StoredEvent } from '../../src/events/types.js';
import { ADMIN_TOKEN } from '../helpers.js';

/** The built server as a child process (what `npm start` runs), for crash and demo tests. */
export class ChildServer {
  url = '';
  out = '';
  private exited: Promise<number | null>;

  private constructor(readonly proc: ChildProcess) {
    this.exited = new Promise((r) => proc.once('exit', (code) => r(code)));
  }

  static async start(args: string[], timeoutMs = 90_000): Promise<ChildServer> {
    const proc = spawn(process.execPath, [fromRoot('dist/src/cli.js'), 'serve', '--port', '0', '--log-level', 'warn', ...args], {
      env: { ...process.env, FIREDRILL_ADMIN_TOKEN: ADMIN_TOKEN },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const s = new ChildServer(proc);
    proc.stdout!.on('data', (b: Buffer) => (s.out += b.toString()));
    proc.stderr!.on('data', (b: Buffer) => (s.out += b.toString()));
    // The server prints its address once it listens.
    const deadline = Date.now() + timeoutMs;
    while (!s.url) {
      const m = /spectators:\s+(http:\/\/127\.0\.0\.1:\d+)\//.exec(s.out);
      if (m) s.url = m[1]!;
      else if (proc.exitCode !== null) throw new Error(`server exited with ${proc.exitCode}:\n${s.out}`);
      else if (Date.now() > deadline) throw new Error(`server did not start:\n${s.out}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
    return s;
  }

  async api<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  async events(): Promise<StoredEvent[]> {
    const all: StoredEvent[] = [];
    for (let after = 0; ; ) {
      const page = await this.api<{ events: StoredEvent[]; next: number }>('GET', `/api/admin/events?after=${after}&limit=5000`);
      all.push(...page.events);
      if (page.events.length < 5000) return all;
      after = page.next;
    }
  }

  /** Poll the log until `pred` holds; fail loudly with the (fault/probe/incident) events otherwise. */
  async waitFor(pred: (events: StoredEvent[]) => boolean, what: string, timeoutMs: number): Promise<StoredEvent[]> {
    const deadline = Date.now() + timeoutMs;
    let events: StoredEvent[] = [];
    while (Date.now() < deadline) {
      events = await this.events();
      if (pred(events)) return events;
      await new Promise((r) => setTimeout(r, 250));
    }
    const shown = events
      .filter((e) => /^(game|team|fault|probe|incident|warning|platform)\./.test(e.type))
      .map((e) => `${e.seq} g=${e.gameTime} ${e.team ?? '-'} ${e.type} ${JSON.stringify(e.data).slice(0, 160)}`);
    throw new Error(`timed out waiting for ${what}. Events:\n${shown.join('\n')}\n--- server output:\n${this.out.slice(-4000)}`);
  }

  /** kill -9: no shutdown handlers run. */
  async crash(): Promise<void> {
    this.proc.kill('SIGKILL');
    await this.exited;
  }

  async stop(): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(t);
  }
}
