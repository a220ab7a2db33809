import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { EventEmitter } from 'node:events';
import { attachToParent, log, readConfig, ready } from '../lib/runtime.js';
import type { ChatMessage } from '../database/protocol.js';
import { DbClient, type DbConfig } from './db-client.js';

interface Config {
  port: number;
  release: string;
  database: DbConfig;
}

export interface ReleaseTraits {
  /** How the request body's bytes become text. Anything but utf8 garbles non-ASCII text. */
  bodyEncoding: BufferEncoding;
  /** Whether a repeated clientId returns the first message (1.4.0+). */
  idempotent: boolean;
  /** Whether /api/health asks the database (1.4.0+). */
  healthChecksDatabase: boolean;
}

const ROOM = /^[A-Za-z0-9_-]{1,40}$/;
const LIMIT_BODY = 16 * 1024;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(json), 'cache-control': 'no-store' });
  res.end(json);
}

function readBody(req: IncomingMessage, encoding: BufferEncoding): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > LIMIT_BODY) {
        reject(new HttpError(413, 'too_large', 'request body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString(encoding)));
    req.on('error', reject);
  });
}

function field(body: Record<string, unknown>, name: string, max: number): string {
  const v = body[name];
  if (typeof v !== 'string' || v.trim() === '') throw new HttpError(400, 'bad_request', `${name} is required`);
  if (v.length > max) throw new HttpError(400, 'bad_request', `${name} is longer than ${max} characters`);
  return v;
}

/** The chat backend: the REST API and live stream, talking to the database through the service link. */
export function startBackend(traits: ReleaseTraits): void {
  const config = readConfig<Config>();
  attachToParent();
  const db = new DbClient(config.database);
  const feed = new EventEmitter();
  feed.setMaxListeners(0);
  let clientSeq = 0;

  async function health(res: ServerResponse) {
    if (!traits.healthChecksDatabase) return send(res, 200, { status: 'ok', release: config.release });
    try {
      await db.query({ op: 'ping' }, 1500);
      send(res, 200, { status: 'ok', release: config.release, database: 'ok' });
    } catch (err) {
      log('ERROR', `health: database check failed: ${(err as Error).message}`);
      send(res, 503, { status: 'error', release: config.release, database: (err as Error).message });
    }
  }

  async function list(url: URL, res: ServerResponse) {
    const room = url.searchParams.get('room') ?? 'lobby';
    if (!ROOM.test(room)) throw new HttpError(400, 'bad_request', 'room must be 1-40 letters, digits, - or _');
    const after = Math.max(0, Number.parseInt(url.searchParams.get('after') ?? '0', 10) || 0);
    const limit = Math.min(200, Math.max(1, Number.parseInt(url.searchParams.get('limit') ?? '50', 10) || 50));
    const r = await db.query<{ messages: ChatMessage[] }>({ op: 'list', room, after, limit }, 3000);
    send(res, 200, { messages: r.messages });
  }

  async function post(req: IncomingMessage, res: ServerResponse) {
    const raw = await readBody(req, traits.bodyEncoding);
    let body: Record<string, unknown>;
    try {
      body = JSON.parse(raw) as Record<string, unknown>;
    } catch {
      throw new HttpError(400, 'bad_request', 'body must be JSON');
    }
    if (!body || typeof body !== 'object') throw new HttpError(400, 'bad_request', 'body must be a JSON object');
    const room = field(body, 'room', 40);
    if (!ROOM.test(room)) throw new HttpError(400, 'bad_request', 'room must be 1-40 letters, digits, - or _');
    const name = field(body, 'name', 40);
    const text = field(body, 'text', 1000);
    const clientId = traits.idempotent ? field(body, 'clientId', 100) : `${process.pid}-${Date.now()}-${clientSeq++}`;
    const r = await db.query<{ message: ChatMessage; created: boolean }>({ op: 'insert', message: { room, name, text, clientId } }, 3000);
    if (r.created) feed.emit(room, r.message);
    send(res, r.created ? 201 : 200, { message: r.message });
  }

  async function stream(url: URL, req: IncomingMessage, res: ServerResponse) {
    const room = url.searchParams.get('room') ?? 'lobby';
    if (!ROOM.test(room)) throw new HttpError(400, 'bad_request', 'room must be 1-40 letters, digits, - or _');
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    res.write('retry: 2000\n\n');
    const write = (m: ChatMessage) => res.write(`id: ${m.id}\ndata: ${JSON.stringify(m)}\n\n`);
    // A reconnecting EventSource sends the last id it saw: fill the gap first.
    const last = Number.parseInt(String(req.headers['last-event-id'] ?? ''), 10);
    if (last > 0) {
      try {
        const r = await db.query<{ messages: ChatMessage[] }>({ op: 'list', room, after: last, limit: 200 }, 3000);
        r.messages.forEach(write);
      } catch (err) {
        log('WARN', `stream: could not fill the gap after ${last}: ${(err as Error).message}`);
      }
    }
    feed.on(room, write);
    const beat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(beat);
      feed.off(room, write);
    });
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://backend');
    const route = `${req.method} ${url.pathname}`;
    const work = (async () => {
      if (route === 'GET /api/health') return health(res);
      if (route === 'GET /api/messages') return list(url, res);
      if (route === 'POST /api/messages') return post(req, res);
      if (route === 'GET /api/stream') return stream(url, req, res);
      throw new HttpError(404, 'not_found', `no route for ${req.method} ${url.pathname}`);
    })();
    work.catch((err: unknown) => {
      if (err instanceof HttpError) return send(res, err.status, { error: { code: err.code, message: err.message } });
      log('ERROR', `${route}: ${(err as Error).message}`);
      if (!res.headersSent) send(res, 503, { error: { code: 'database_unavailable', message: (err as Error).message } });
      else res.end();
    });
  });
  server.keepAliveTimeout = 65_000;
  server.listen(config.port, '127.0.0.1', () => {
    log('INFO', `backend ${config.release} listening on 127.0.0.1:${config.port}; database ${config.database.endpoint} as ${config.database.user}`);
    ready(config.port);
  });
  server.on('error', (err) => {
    log('ERROR', `cannot listen: ${err.message}`);
    process.exit(1);
  });
}
