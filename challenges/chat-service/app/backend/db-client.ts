import { connect, type Socket } from 'node:net';
import type { Op, Reply } from '../database/protocol.js';

export interface DbConfig {
  /** The name people know the database by, e.g. database:5432; shown in errors. */
  endpoint: string;
  /** The real port to dial (the service link), or null when the name resolves to nothing. */
  port: number | null;
  user: string;
  password: string;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };

/** One authenticated connection carrying one request at a time. */
class Conn {
  readonly sock: Socket;
  private buf = '';
  private waiting: Pending | undefined;
  private nextId = 1;
  dead = false;
  readonly opened: Promise<void>;

  constructor(cfg: DbConfig & { port: number }, onDead: (c: Conn) => void) {
    this.sock = connect({ host: '127.0.0.1', port: cfg.port });
    this.sock.setEncoding('utf8');
    this.sock.setNoDelay(true);
    this.opened = new Promise((resolve, reject) => {
      this.waiting = { resolve: () => resolve(), reject };
      this.sock.once('connect', () => this.sock.write(`${JSON.stringify({ type: 'auth', user: cfg.user, password: cfg.password })}\n`));
    });
    this.opened.catch(() => {});
    const fail = (why: string, lost = false) => {
      if (this.dead) return;
      this.dead = true;
      this.waiting?.reject(Object.assign(new Error(why), { connectionLost: lost }));
      this.waiting = undefined;
      this.sock.destroy();
      onDead(this);
    };
    this.sock.on('error', (err: NodeJS.ErrnoException) => fail(`${err.code ?? 'error'} connecting to ${cfg.endpoint}: ${err.message}`, true));
    this.sock.on('close', () => fail(`connection to ${cfg.endpoint} closed`, true));
    this.sock.on('data', (chunk: string) => {
      this.buf += chunk;
      let nl: number;
      while ((nl = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, nl);
        this.buf = this.buf.slice(nl + 1);
        const w = this.waiting;
        this.waiting = undefined;
        let msg: Record<string, unknown>;
        try {
          msg = JSON.parse(line) as Record<string, unknown>;
        } catch {
          this.waiting = w;
          fail(`malformed reply from ${cfg.endpoint}`);
          return;
        }
        if (msg.type === 'auth') {
          if (msg.ok) w?.resolve(undefined);
          else {
            this.waiting = w;
            fail(`${cfg.endpoint}: ${String(msg.error ?? 'authentication failed')}`);
            return;
          }
          continue;
        }
        const r = msg as unknown as Reply;
        if (r.ok) w?.resolve(r.result);
        else w?.reject(new Error(`${cfg.endpoint}: ${r.error}`));
      }
    });
  }

  request(req: Op): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.sock.write(`${JSON.stringify({ ...req, id: this.nextId++ })}\n`);
    });
  }

  destroy(): void {
    this.sock.destroy();
  }
}

/**
 * A small connection pool, like any database driver's: connections are made once and reused, so a
 * rotated password only bites when a connection is re-made. A request that times out destroys its
 * connection (it may be stuck behind a dropped link).
 */
export class DbClient {
  private idle: Conn[] = [];

  constructor(
    private readonly cfg: DbConfig,
    private readonly maxIdle = 4,
  ) {}

  async query<T>(req: Op, timeoutMs: number): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`query to ${this.cfg.endpoint} timed out after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      // Like real drivers: an idle pooled connection the server has since closed fails on first
      // use; that costs one retry on a fresh connection, never an error to the user.
      for (let attempt = 0; ; attempt++) {
        const fresh = attempt > 0 || this.idle.length === 0;
        try {
          return await this.once<T>(req, timeout, fresh);
        } catch (err) {
          if (fresh || !(err as { connectionLost?: boolean }).connectionLost) throw err;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  private async once<T>(req: Op, timeout: Promise<never>, fresh: boolean): Promise<T> {
    let conn: Conn | undefined;
    const pending = this.acquire(fresh);
    try {
      conn = await Promise.race([pending, timeout]);
      const result = (await Promise.race([conn.request(req), timeout])) as T;
      this.release(conn);
      return result;
    } catch (err) {
      // Whatever we were waiting on is suspect now: never reuse it.
      conn?.destroy();
      pending.then((c) => c.destroy(), () => {});
      throw err;
    }
  }

  private async acquire(fresh: boolean): Promise<Conn> {
    if (this.cfg.port === null) throw new Error(`no endpoint for ${this.cfg.endpoint}: no such service or port`);
    let c: Conn | undefined;
    if (!fresh) while ((c = this.idle.pop())) if (!c.dead) return c;
    const conn = new Conn({ ...this.cfg, port: this.cfg.port }, (dead) => this.forget(dead));
    await conn.opened;
    return conn;
  }

  private release(c: Conn): void {
    if (c.dead) return;
    if (this.idle.length >= this.maxIdle) c.destroy();
    else this.idle.push(c);
  }

  private forget(c: Conn): void {
    this.idle = this.idle.filter((x) => x !== c);
  }
}
