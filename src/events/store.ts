import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import { drizzle } from 'drizzle-orm/better-sqlite3';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import type { Clock } from '../clock.js';
import { fromRoot } from '../paths.js';
import { checkpointInBackground, type Checkpointer } from './checkpoint.js';
import { IdempotencyConflict, InvalidEvent } from '../errors.js';
import { validateEvent, type EventType, type NewEvent, type NewEventOf, type StoredEvent, type StoredEventOf } from './types.js';

export interface Appended<E = StoredEvent> {
  event: E;
  /** True when the idempotency key was seen before: nothing was written and `event` is the first one. */
  duplicate: boolean;
}

export interface ReadQuery {
  after?: number;
  limit?: number;
  team?: string | null;
  types?: readonly EventType[];
}

export type Listener = (event: StoredEvent) => void;

/**
 * The event log. Promise-returning so a PostgreSQL store fits later; SQLite does the work
 * synchronously inside (a grouped append at the end of the turn), and listeners hear of each
 * committed event in sequence order. A promise resolves only once its events are committed.
 */
export interface EventStore {
  append<T extends EventType>(event: NewEventOf<T>): Promise<Appended<StoredEventOf<T>>>;
  /** All or nothing, in one transaction. */
  appendMany(events: readonly NewEvent[]): Promise<Appended[]>;
  /** Committed with the other grouped appends of this turn of the event loop (see SqliteEventStore). */
  appendGrouped<T extends EventType>(event: NewEventOf<T>): Promise<Appended<StoredEventOf<T>>>;
  read(query?: ReadQuery): Promise<StoredEvent[]>;
  lastSeq(): number;
  subscribe(listener: Listener): () => void;
  /** Hears how long each commit took (an append, an appendMany, a group commit), with its listeners: metrics. */
  observeCommits?(fn: CommitObserver): void;
  close(): Promise<void>;
}

/** A commit of `events` events (duplicates included) that took `ms`, its listeners included. */
export type CommitObserver = (events: number, ms: number) => void;

export function openDatabase(file: string): Database.Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const sqlite = new Database(file);
  // WAL + NORMAL: a committed append survives kill -9 (the WAL is in the OS page cache);
  // a power cut can lose the last commits. FULL would cost ~10x per single-row append here.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = NORMAL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  migrate(drizzle(sqlite), { migrationsFolder: fromRoot('drizzle') });
  return sqlite;
}

interface Row {
  seq: number;
  at: number;
  game_time: number;
  team: string | null;
  type: string;
  source: string;
  key: string | null;
  data: string;
}

const toEvent = (r: Row): StoredEvent =>
  ({ seq: r.seq, at: r.at, gameTime: r.game_time, team: r.team, type: r.type, source: r.source, key: r.key, data: JSON.parse(r.data) }) as StoredEvent;

export interface SqliteStoreOptions {
  clock: Clock;
  /** Game time now, in ms; the game clock is itself a fold of the log. */
  gameTime?: () => number;
  onListenerError?: (err: unknown) => void;
  /** WAL checkpoints on a worker thread (a file database): they stalled the event loop 5-80 ms each. */
  checkpointInBackground?: boolean | { everyMs?: number; walLimitPages?: number };
}

/** An event waiting in the queue for the next group commit. */
interface Pending {
  e: NewEvent;
  resolve: (r: Appended) => void;
  reject: (err: unknown) => void;
}

export class SqliteEventStore implements EventStore {
  private readonly listeners = new Set<Listener>();
  private readonly insert: Database.Statement;
  private readonly byKey: Database.Statement;
  private readonly tx: (events: readonly NewEvent[]) => Appended[];
  private readonly group: (queue: readonly Pending[]) => Array<Appended | { failed: unknown }>;
  private queue: Pending[] = [];
  private last: number;
  private commitObserver: CommitObserver | undefined;
  readonly checkpointer: Checkpointer | undefined;

  constructor(
    private readonly db: Database.Database,
    private readonly opts: SqliteStoreOptions,
  ) {
    // Prepared statements on the hot path: drizzle's builder costs 3-20x per single-row insert.
    // run() and lastInsertRowid (seq is the rowid), not RETURNING: ~3 µs less per event (issue 18).
    this.insert = db.prepare('INSERT INTO events (at, game_time, team, type, source, key, data) VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING');
    this.byKey = db.prepare('SELECT * FROM events WHERE key = ?');
    this.last = (db.prepare('SELECT COALESCE(MAX(seq), 0) AS s FROM events').get() as { s: number }).s;
    const ck = opts.checkpointInBackground;
    this.checkpointer = ck && !db.memory ? checkpointInBackground(db, ck === true ? undefined : ck.everyMs, ck === true ? undefined : ck.walLimitPages) : undefined;
    this.tx = db.transaction((batch: readonly NewEvent[]) => batch.map((e) => this.insertOne(e)));
    this.group = db.transaction((queue: readonly Pending[]) =>
      queue.map((p) => {
        try {
          return this.insertOne(p.e);
        } catch (failed) {
          // A refused event has written nothing. A storage error (I/O, disk full) may have ended
          // the transaction: then the whole queue fails, nothing written.
          if (!(failed instanceof IdempotencyConflict || failed instanceof InvalidEvent)) throw failed;
          return { failed };
        }
      }),
    );
  }

  private insertOne(e: NewEvent): Appended {
    const problems = validateEvent(e);
    if (problems.length) throw new InvalidEvent(problems.join('; '));
    const at = this.opts.clock.now();
    const gameTime = Math.max(0, Math.floor(e.gameTime ?? this.opts.gameTime?.() ?? 0));
    const team = e.team ?? null;
    const key = e.key ?? null;
    const data = JSON.stringify(e.data);
    // No change: the idempotency key was taken (the only conflict the table has).
    const { changes, lastInsertRowid } = this.insert.run(at, gameTime, team, e.type, e.source, key, data);
    if (changes === 1) {
      return { event: { seq: Number(lastInsertRowid), at, gameTime, team, type: e.type, source: e.source, key, data: e.data } as StoredEvent, duplicate: false };
    }
    const first = this.byKey.get(key) as Row | undefined;
    if (!first) throw new Error('insert ignored without a key conflict');
    if (first.type !== e.type || first.team !== team || first.data !== data) throw new IdempotencyConflict(key);
    return { event: toEvent(first), duplicate: true };
  }

  async append<T extends EventType>(event: NewEventOf<T>): Promise<Appended<StoredEventOf<T>>> {
    return (await this.appendMany([event as NewEvent]))[0] as Appended<StoredEventOf<T>>;
  }

  async appendMany(batch: readonly NewEvent[]): Promise<Appended[]> {
    const t0 = performance.now();
    const results = this.tx(batch);
    for (const r of results) this.deliver(r);
    this.commitObserver?.(batch.length, performance.now() - t0);
    return results;
  }

  observeCommits(fn: CommitObserver): void {
    this.commitObserver = fn;
  }

  /**
   * Group commit (issue 18): the grouped appends asked in one turn of the event loop (the requests
   * of every socket that was readable) are written in one transaction, flushed from setImmediate;
   * one commit per append was ~32 % of a POST /api/team/messages (docs/performance.md). Each event
   * is stamped, checked against its idempotency key and given its seq when committed, so the log's
   * order stays the commit order. Listeners hear in seq order, then the callers: an answered
   * request's event is in the log. A refused event rejects only its caller; a storage error every
   * caller of the queue, with nothing written.
   *
   * Only for an event no command decides on: a plain `append` is committed at once, so a command
   * that reads a fold, decides, and appends (an incident's number, a fault's transition) still sees
   * every event before it. A grouped event asked before it may get a later seq: it was not seen.
   */
  appendGrouped<T extends EventType>(event: NewEventOf<T>): Promise<Appended<StoredEventOf<T>>> {
    return new Promise((resolve, reject) => {
      if (this.queue.length === 0) setImmediate(() => this.flush());
      this.queue.push({ e: event as NewEvent, resolve: resolve as (r: Appended) => void, reject });
    });
  }

  private flush(): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    const t0 = performance.now();
    let outcomes: Array<Appended | { failed: unknown }>;
    try {
      outcomes = this.group(queue);
    } catch (err) {
      for (const p of queue) p.reject(err);
      return;
    }
    queue.forEach((p, i) => {
      const out = outcomes[i]!;
      if ('failed' in out) return p.reject(out.failed);
      this.deliver(out);
      p.resolve(out);
    });
    this.commitObserver?.(queue.length, performance.now() - t0);
  }

  /** Tell the listeners of a committed event (not of a duplicate). */
  private deliver(r: Appended): void {
    if (r.duplicate) return;
    this.last = r.event.seq;
    for (const l of this.listeners) {
      try {
        l(r.event);
      } catch (err) {
        this.opts.onListenerError?.(err);
      }
    }
  }

  async read(q: ReadQuery = {}): Promise<StoredEvent[]> {
    return this.readSync(q);
  }

  readSync(q: ReadQuery = {}): StoredEvent[] {
    const where = ['seq > ?'];
    const params: unknown[] = [q.after ?? 0];
    if (q.team !== undefined) {
      if (q.team === null) where.push('team IS NULL');
      else {
        where.push('team = ?');
        params.push(q.team);
      }
    }
    if (q.types?.length) {
      where.push(`type IN (${q.types.map(() => '?').join(',')})`);
      params.push(...q.types);
    }
    const limit = q.limit ?? -1;
    const rows = this.db.prepare(`SELECT * FROM events WHERE ${where.join(' AND ')} ORDER BY seq LIMIT ?`).all(...params, limit) as Row[];
    return rows.map(toEvent);
  }

  lastSeq(): number {
    return this.last;
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.flush(); // what was asked before close is committed, and its callers answered
    this.listeners.clear();
    await this.checkpointer?.stop();
    if (this.db.open) this.db.close();
  }
}
