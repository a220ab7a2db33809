/**
 * A fan-out worker (src/http/fanout-pool.ts): a child process that owns spectator sockets. The main
 * process accepts the upgrade request (Origin check, `?since=` validation), then hands the raw TCP
 * socket over; this process completes the WebSocket handshake and from then on writes every frame
 * to its sockets. It keeps its own copy of the public board from the frames (src/leaderboard/
 * replica.ts), so snapshots and resumes never cost the main process anything.
 *
 * Messages from the main process: `init {snapshot}`, `frame {frame}`, `adopt {url, headers, head,
 * since}` with the socket as the handle. To it: `ready`, `resync` (a frame did not apply), `clients
 * {n, adopted}` (its open spectator sockets and how many handed sockets it has taken so far: the
 * pool's /metrics gauge and its least-loaded pick), soon after each change and every 5 s.
 */
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { WebSocketServer } from 'ws';
import { Replica } from '../leaderboard/replica.js';
import { Spectators } from './spectators.js';

export type ToWorker =
  | { type: 'init'; snapshot: string }
  | { type: 'frame'; frame: string }
  | { type: 'adopt'; url: string; headers: IncomingMessage['headers']; head: string; since: number | null };
export type FromWorker = { type: 'ready' } | { type: 'resync' } | { type: 'clients'; n: number; adopted: number };

/** A change of the count is reported this soon (one message for a burst of connects, not one each). */
const REPORT_MS = 50;

function main(): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, clientTracking: false });
  let replica: Replica | undefined;
  const spectators = new Spectators({ snapshot: () => replica!.snapshot(), since: (s) => replica!.since(s) });
  const send = (m: FromWorker) => process.send?.(m);
  let adopted = 0;
  let report: NodeJS.Timeout | undefined;
  const reportNow = () => {
    if (report) clearTimeout(report);
    report = undefined;
    send({ type: 'clients', n: spectators.size, adopted });
  };
  const changed = () => {
    report ??= setTimeout(reportNow, REPORT_MS);
  };

  process.on('message', (m: ToWorker, handle?: Socket) => {
    switch (m.type) {
      case 'init':
        replica = new Replica(m.snapshot);
        return;
      case 'frame':
        if (!replica) return;
        if (replica.apply(m.frame)) spectators.broadcast(m.frame);
        else send({ type: 'resync' });
        return;
      case 'adopt': {
        // Counted whatever becomes of it, so the pool knows this handover is no longer in flight.
        adopted++;
        changed();
        if (!handle) return;
        if (!replica) {
          handle.destroy();
          return;
        }
        // The upgrade request was read by the main process: what ws needs of it is its method, URL and headers.
        const req = { method: 'GET', url: m.url, headers: m.headers, socket: handle } as unknown as IncomingMessage;
        wss.handleUpgrade(req, handle, Buffer.from(m.head, 'base64'), (ws) => {
          spectators.add(ws, m.since ?? undefined);
          ws.once('close', changed);
          changed();
        });
        return;
      }
    }
  });
  // The main process is gone: so are we (the sockets close, phones reconnect to the next server).
  process.on('disconnect', () => process.exit(0));
  setInterval(reportNow, 5000).unref();
  send({ type: 'ready' });
}

main();
