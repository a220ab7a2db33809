/**
 * A fan-out worker (src/http/fanout-pool.ts): a child process that owns spectator sockets. The main
 * process accepts the upgrade request (Origin check, `?since=` validation), then hands the raw TCP
 * socket over; this process completes the WebSocket handshake and from then on writes every frame
 * to its sockets. It keeps its own copy of the public board from the frames (src/leaderboard/
 * replica.ts), so snapshots and resumes never cost the main process anything.
 *
 * Messages from the main process: `init {snapshot}`, `frame {frame}`, `adopt {url, headers, head,
 * since}` with the socket as the handle. To it: `ready`, `resync` (a frame did not apply).
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
export type FromWorker = { type: 'ready' } | { type: 'resync' } | { type: 'clients'; n: number };

function main(): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, clientTracking: false });
  let replica: Replica | undefined;
  const spectators = new Spectators({ snapshot: () => replica!.snapshot(), since: (s) => replica!.since(s) });
  const send = (m: FromWorker) => process.send?.(m);

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
        if (!handle) return;
        if (!replica) {
          handle.destroy();
          return;
        }
        // The upgrade request was read by the main process: what ws needs of it is its method, URL and headers.
        const req = { method: 'GET', url: m.url, headers: m.headers, socket: handle } as unknown as IncomingMessage;
        wss.handleUpgrade(req, handle, Buffer.from(m.head, 'base64'), (ws) => spectators.add(ws, m.since ?? undefined));
        return;
      }
    }
  });
  // The main process is gone: so are we (the sockets close, phones reconnect to the next server).
  process.on('disconnect', () => process.exit(0));
  setInterval(() => send({ type: 'clients', n: spectators.size }), 5000).unref();
  send({ type: 'ready' });
}

main();
