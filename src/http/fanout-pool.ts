import { fork, type ChildProcess } from 'node:child_process';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { distRoot } from '../paths.js';
import type { FromWorker, ToWorker } from './fanout-worker.js';

const here = fileURLToPath(import.meta.url);
/** The worker's built file: beside this one when built (dist/, dist-bench/); dist/ when run from source (tests). */
const WORKER = here.endsWith('.ts') ? join(distRoot, 'src/http/fanout-worker.js') : join(dirname(here), 'fanout-worker.js');

/** Restart a crashed worker after this long (doubling while it keeps crashing, up to 5 s). */
const RESTART_MS = 100;

interface Worker {
  child: ChildProcess;
  ready: boolean;
  /** Open spectator sockets, as the worker last reported. */
  clients: number;
  /** Sockets handed to it so far, and how many of those it had taken at its last report. */
  handed: number;
  adopted: number;
}

/**
 * Fan-out off the main loop (issue 18): N child processes own the spectator sockets. The main
 * process serializes each public frame once and sends it once per worker over IPC; the workers
 * write it to their thousands of sockets. Spectator upgrades are accepted by the main process
 * (Fastify's hooks: Origin check, query validation) and the raw socket is handed to the least
 * loaded worker, which completes the handshake.
 *
 * Why child processes and not worker_threads: a TCP socket can be handed to another process
 * (`child.send(msg, socket)`) but not to a worker thread, and a shared listening socket (cluster)
 * would split every route, not just spectators, across processes with their own event logs.
 *
 * A worker that dies is restarted; its spectators' sockets close with it, their clients reconnect
 * and resume with `?since=` (the new worker starts from a fresh snapshot).
 */
export class FanoutPool {
  private readonly workers: Worker[] = [];
  private closed = false;
  private failures = 0;
  constructor(
    private readonly size: number,
    private readonly snapshot: () => string,
    private readonly log: { warn(o: object, msg: string): void } = { warn: () => {} },
    /** The workers' spectator count changed by `delta` (the /metrics gauge: their sockets are not this process's). */
    private readonly onClients: (delta: number) => void = () => {},
  ) {}

  /** Spectator sockets the workers hold now (as last reported). */
  get clients(): number {
    return this.workers.reduce((n, w) => n + (w?.clients ?? 0), 0);
  }

  private setClients(w: Worker, n: number): void {
    const delta = n - w.clients;
    w.clients = n;
    if (delta) this.onClients(delta);
  }

  async start(): Promise<void> {
    await Promise.all(Array.from({ length: this.size }, (_, i) => this.spawn(i)));
  }

  private spawn(i: number): Promise<void> {
    const child = fork(WORKER, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'json' });
    const w: Worker = { child, ready: false, clients: 0, handed: 0, adopted: 0 };
    this.workers[i] = w;
    return new Promise<void>((resolve) => {
      child.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          // The board as it is now; every frame after this one follows on the same channel, in order.
          this.post(w, { type: 'init', snapshot: this.snapshot() });
          w.ready = true;
          this.failures = 0;
          resolve();
        } else if (m.type === 'resync') this.post(w, { type: 'init', snapshot: this.snapshot() });
        else if (m.type === 'clients') {
          w.adopted = m.adopted;
          this.setClients(w, m.n);
        }
      });
      child.on('error', (err) => this.log.warn({ err }, 'fan-out worker error'));
      child.on('exit', (code, signal) => {
        w.ready = false;
        // Its sockets closed with it.
        this.setClients(w, 0);
        resolve();
        if (this.closed || this.workers[i] !== w) return;
        this.log.warn({ code, signal, worker: i }, 'fan-out worker exited; restarting it (its spectators reconnect)');
        const wait = Math.min(5000, RESTART_MS * 2 ** this.failures++);
        setTimeout(() => void this.spawn(i), wait).unref();
      });
    });
  }

  private post(w: Worker, m: ToWorker, handle?: Socket): boolean {
    if (!w.child.connected) return false;
    try {
      if (handle) w.child.send(m, handle, (err) => err && handle.destroy());
      else w.child.send(m);
      return true;
    } catch {
      return false;
    }
  }

  /** Live workers (tests and the bench read their process ids). */
  get pids(): number[] {
    return this.workers.filter((w) => w?.ready).map((w) => w.child.pid!);
  }

  /** One public frame to every worker (each writes it to its own sockets). */
  broadcast(frame: string): void {
    for (const w of this.workers) if (w?.ready) this.post(w, { type: 'frame', frame });
  }

  /** Hand an upgrade request's socket to the least loaded worker; false when none is up (serve it here). */
  adopt(req: IncomingMessage, socket: Socket, head: Buffer, since: number | undefined): boolean {
    const live = this.workers.filter((w) => w?.ready && w.child.connected);
    if (!live.length) return false;
    const load = (x: Worker) => x.clients + x.handed - x.adopted;
    const w = live.reduce((a, b) => (load(b) < load(a) ? b : a));
    w.handed++;
    return this.post(w, { type: 'adopt', url: req.url ?? '/', headers: req.headers, head: head.toString('base64'), since: since ?? null }, socket);
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(
      this.workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (!w || w.child.exitCode !== null || w.child.signalCode !== null) return resolve();
            w.child.once('exit', () => resolve());
            w.child.kill('SIGTERM');
          }),
      ),
    );
  }
}
