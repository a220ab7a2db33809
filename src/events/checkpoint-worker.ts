import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/**
 * The event log's WAL checkpoints, on a thread of their own (src/events/checkpoint.ts): copying the
 * WAL into the database file and its fsyncs took 5-80 ms on the main thread every ~1,000 pages.
 * PASSIVE never blocks the writer; it copies what no reader still needs.
 */
const { file, everyMs } = workerData as { file: string; everyMs: number };
const db = new Database(file);
db.pragma('busy_timeout = 5000');
db.pragma('synchronous = NORMAL'); // as the writer's: the WAL is synced before a checkpoint, the file after

const checkpoint = () => {
  const [r] = db.pragma('wal_checkpoint(PASSIVE)') as Array<{ busy: number; log: number; checkpointed: number }>;
  if (r && r.checkpointed > 0) parentPort!.postMessage(r);
};
const timer = setInterval(checkpoint, everyMs);
parentPort!.on('message', (m: string) => {
  if (m !== 'stop') return;
  clearInterval(timer);
  db.close();
  parentPort!.close();
});
