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

/** The WAL's bound: 8,192 pages (32 MiB of 4 KiB pages); past it the worker empties it. */
export const WAL_LIMIT_PAGES = 8192;

/**
 * Move the WAL checkpoints of a file database off the main thread: the main connection stops
 * checkpointing itself and a worker thread checkpoints every `everyMs`. Durability is unchanged
 * (a commit is in the WAL either way). Should the worker die, the main connection checkpoints
 * itself again (SQLite's default, every 1,000 pages), so the WAL never grows without bound; and
 * past `walLimitPages` the worker empties it, as writes without a pause never let it start over.
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
  return {
    onCheckpoint: (fn) => void worker.on('message', fn),
    async stop() {
      stopping = true;
      worker.postMessage('stop');
      await exited;
    },
  };
}
