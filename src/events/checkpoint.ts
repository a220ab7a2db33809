import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import { distRoot } from '../paths.js';

const here = fileURLToPath(import.meta.url);
/** The worker's built file: beside this one when built (dist/, dist-bench/); dist/ when run from source (tests). */
const WORKER = here.endsWith('.ts') ? join(distRoot, 'src/events/checkpoint-worker.js') : join(dirname(here), 'checkpoint-worker.js');

export interface Checkpointed {
  busy: number;
  /** Pages in the WAL, and those copied into the database file, by the PASSIVE checkpoint. */
  log: number;
  checkpointed: number;
  /** The WAL had passed its limit and was emptied (a TRUNCATE checkpoint after the PASSIVE one). */
  truncated?: boolean;
}

export interface Checkpointer {
  /** Hears each checkpoint that copied pages (tests). */
  onCheckpoint(fn: (r: Checkpointed) => void): void;
  stop(): Promise<void>;
}

/** The WAL's bound: 8,192 pages (32 MiB of 4 KiB pages); past it the writer empties it. */
export const WAL_LIMIT_PAGES = 8192;

/**
 * Move the WAL checkpoints of a file database off the main thread: the main connection stops
 * checkpointing itself and a worker thread checkpoints every `everyMs`. Durability is unchanged
 * (a commit is in the WAL either way). Should the worker die, the main connection checkpoints
 * itself again (SQLite's default, every 1,000 pages), so the WAL never grows without bound; and
 * past `walLimitPages` the writer empties it, as writes without a pause never let it start over.
 */
export function checkpointInBackground(db: Database.Database, everyMs = 200, walLimitPages = WAL_LIMIT_PAGES): Checkpointer {
  db.pragma('wal_autocheckpoint = 0');
  const worker = new Worker(WORKER, { workerData: { file: db.name, everyMs, walLimitPages } });
  worker.unref(); // never what keeps the process alive
  let stopping = false;
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  const fallBack = () => {
    if (!stopping && db.open) db.pragma('wal_autocheckpoint = 1000');
  };
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  // Under writes without a pause a PASSIVE checkpoint never catches up with the end of the WAL, so
  // the WAL never starts over and grows without bound. Past the limit the writer (this thread)
  // copies the little the worker left and empties the file: one short stall, no waiting on a lock.
  const listeners: Array<(r: Checkpointed) => void> = [];
  worker.on('message', (m: Checkpointed & { over?: boolean }) => {
    const { over, ...r } = m;
    let report: Checkpointed = r;
    if (over && db.open) {
      try {
        const [t] = db.pragma('wal_checkpoint(TRUNCATE)') as Checkpointed[];
        report = { ...r, truncated: t !== undefined && t.busy === 0 };
      } catch {
        // Busy (the worker is checkpointing): its next report asks again.
      }
    }
    for (const fn of listeners) fn(report);
  });
  return {
    onCheckpoint: (fn) => void listeners.push(fn),
    async stop() {
      stopping = true;
      // Waited for: an unref'd worker would let the process end (exit 13) before it has closed.
      worker.ref();
      worker.postMessage('stop');
      await exited;
    },
  };
}
