import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';

/**
 * A local Slack at the network boundary, speaking the real shapes: the Web API over HTTP
 * (form-encoded bodies, `{ ok, ... }` answers, 429 with `Retry-After`) and Socket Mode over a real
 * WebSocket (`hello`, envelopes `{ envelope_id, type, payload, accepts_response_payload,
 * retry_attempt, retry_reason }`, acks `{ envelope_id, payload }`, `disconnect`). Envelopes not
 * acknowledged when a socket drops are redelivered on the next connection, as Slack does.
 */

export interface ApiCall {
  method: string;
  args: Record<string, unknown>;
  auth: string | undefined;
}

interface Envelope {
  envelope_id: string;
  type: string;
  payload: unknown;
  accepts_response_payload: boolean;
  retry_attempt: number;
  retry_reason: string;
}

export class FakeSlack {
  readonly calls: ApiCall[] = [];
  readonly acks: Array<{ envelope_id: string; payload: unknown }> = [];
  /** The next N chat.postMessage calls answer 429 with this Retry-After (seconds). */
  rateLimit = { count: 0, retryAfter: 1 };
  connections = 0;
  /** Called at each ack, before it is recorded (a test checks what was stored by then). */
  onAck: ((envelopeId: string) => void) | undefined;
  /** Acks arrive but are lost (the envelope stays owed and is redelivered on the next connection). */
  loseAcks = false;
  users: Record<string, { name: string; real_name: string; display_name: string }> = {};
  private server!: Server;
  private wss!: WebSocketServer;
  private socket: WebSocket | undefined;
  private readonly unacked = new Map<string, Envelope>();
  private tsCounter = 1_700_000_000;
  private channelCounter = 1;
  private envelopeCounter = 1;
  private waiters: Array<() => void> = [];
  port = 0;

  get apiUrl(): string {
    return `http://127.0.0.1:${this.port}/api/`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => void this.api(req, res));
    this.wss = new WebSocketServer({ server: this.server, path: '/link' });
    this.wss.on('connection', (ws) => {
      this.connections++;
      this.socket = ws;
      ws.on('message', (raw) => {
        const m = JSON.parse(String(raw)) as { envelope_id: string; payload: unknown };
        this.onAck?.(m.envelope_id);
        this.acks.push(m);
        if (!this.loseAcks) this.unacked.delete(m.envelope_id);
        this.notify();
      });
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'applink-fake', approximate_connection_time: 18060 }, connection_info: { app_id: 'A0FIREDRILL' } }));
      // Slack retries what was not acknowledged on the connection that dropped.
      for (const e of this.unacked.values()) {
        e.retry_attempt += 1;
        e.retry_reason = 'timeout';
        ws.send(JSON.stringify(e));
      }
      this.notify();
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  private notify(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves when `cond` holds (checked on every ack, call and connection). */
  async until(cond: () => boolean, what = 'condition', ms = 10_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`fake Slack: timed out waiting for ${what}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 20);
      });
    }
  }

  posts(): Array<Record<string, unknown>> {
    return this.calls.filter((c) => c.method === 'chat.postMessage' && c.args.ok !== false).map((c) => c.args);
  }

  private async api(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0]!;
    const body = Buffer.concat(chunks).toString('utf8');
    const type = req.headers['content-type'] ?? '';
    const args: Record<string, unknown> = type.includes('json') ? (JSON.parse(body || '{}') as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(body));
    const json = (status: number, o: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', ...headers });
      res.end(JSON.stringify(o));
    };
    if (method === 'chat.postMessage' && this.rateLimit.count > 0) {
      this.rateLimit.count--;
      this.calls.push({ method, args: { ...args, ok: false }, auth: req.headers.authorization });
      this.notify();
      return json(429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(this.rateLimit.retryAfter) });
    }
    this.calls.push({ method, args, auth: req.headers.authorization });
    this.notify();
    switch (method) {
      case 'apps.connections.open':
        return json(200, { ok: true, url: `ws://127.0.0.1:${this.port}/link?ticket=t${this.connections + 1}&app_id=A0FIREDRILL` });
      case 'chat.postMessage': {
        const ts = `${this.tsCounter++}.000100`;
        // With message.channels subscribed, Slack also sends the app its own post back as an event.
        if (this.socket) {
          const ev = { type: 'message', subtype: 'bot_message', text: args.text, ts, username: args.username, bot_id: 'B0FIREDRILL', channel: args.channel, event_ts: ts, channel_type: 'channel', ...(args.thread_ts ? { thread_ts: args.thread_ts } : {}) };
          setTimeout(() => this.sendEvent(ev, `Ev0BOT${ts}`), 0);
        }
        return json(200, { ok: true, channel: args.channel, ts, message: { type: 'message', subtype: 'bot_message', text: args.text, ts, username: args.username, bot_id: 'B0FIREDRILL' } });
      }
      case 'conversations.create': {
        const id = `C0NEW${this.channelCounter++}`;
        return json(200, { ok: true, channel: { id, name: args.name, is_channel: true, is_private: args.is_private === 'true', created: 1_700_000_000 } });
      }
      case 'conversations.invite':
        return json(200, { ok: true, channel: { id: args.channel } });
      case 'users.info': {
        const u = this.users[String(args.user)];
        if (!u) return json(200, { ok: false, error: 'user_not_found' });
        return json(200, { ok: true, user: { id: args.user, name: u.name, real_name: u.real_name, profile: { display_name: u.display_name, real_name: u.real_name } } });
      }
      case 'views.open':
        return json(200, { ok: true, view: { id: `V0${this.envelopeCounter++}`, ...(JSON.parse(String(args.view)) as object) } });
      default:
        return json(200, { ok: false, error: 'unknown_method' });
    }
  }

  /** Send an envelope over the current socket; returns its envelope id. */
  send(type: string, payload: unknown, opts: { envelopeId?: string; acceptsResponse?: boolean } = {}): string {
    const e: Envelope = {
      envelope_id: opts.envelopeId ?? `env-${this.envelopeCounter++}`,
      type,
      payload,
      accepts_response_payload: opts.acceptsResponse ?? false,
      retry_attempt: 0,
      retry_reason: '',
    };
    this.unacked.set(e.envelope_id, e);
    // Without a connection it waits for the next one, as Slack's queue does.
    this.socket?.send(JSON.stringify(e));
    return e.envelope_id;
  }

  /** An `events_api` envelope with one event (an event id repeats on Slack's retries). */
  sendEvent(event: Record<string, unknown>, eventId: string, envelopeId?: string): string {
    return this.send(
      'events_api',
      { token: 'verification', team_id: 'T0FIRE', api_app_id: 'A0FIREDRILL', event, type: 'event_callback', event_id: eventId, event_time: 1_700_000_000, authorizations: [{ team_id: 'T0FIRE', user_id: 'U0BOT', is_bot: true }], is_ext_shared_channel: false },
      { ...(envelopeId ? { envelopeId } : {}) },
    );
  }

  acked(envelopeId: string): boolean {
    return this.acks.some((a) => a.envelope_id === envelopeId);
  }

  /** Slack asks the app to reconnect (`disconnect` envelope). */
  askToReconnect(): void {
    this.socket?.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'applink-fake' } }));
  }

  /** The socket drops without a word. */
  drop(): void {
    this.socket?.terminate();
    this.socket = undefined;
  }

  async close(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
}
