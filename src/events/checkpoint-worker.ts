import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * The event log's WAL checkpoints, on a thread of their own (src/events/checkpoint.ts): copying the
 * WAL into the database file and its fsyncs took 5-80 ms on the main thread every ~1,000 pages.
 * PASSIVE never blocks the writer; it copies what no reader still needs.
 */
const { file, everyMs, walLimitPages } = workerData as { file: string; everyMs: number; walLimitPages: number };
const db = new Database(file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL'); // as the writer's: the WAL is synced before a checkpoint, the file after

type Result = { busy: number; log: number; checkpointed: number };
const checkpoint = () => {
  try {
    run();
  } catch (err) {
    // A busy database (a writer held on past busy_timeout): the next interval tries again.
    parentPort!.postMessage({ busy: 1, log: -1, checkpointed: -1, error: String(err) });
  }
};
const run = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Result[];
  if (!r) return;
  // Past the limit the writer empties the WAL itself (src/events/checkpoint.ts): from here it would
  // hold the writer off, and the writer's busy handler sleeps in steps longer than the wait.
  if (r.checkpointed > 0 || r.log > walLimitPages) parentPort!.postMessage({ ...r, over: r.log > walLimitPages });
};
const timer = setInterval(checkpoint, everyMs);
parentPort!.on('message', (m: string) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
