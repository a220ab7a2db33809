import { createServer, type Socket } from 'node:net';
import { timingSafeEqual, createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { attachToParent, log, readConfig, ready } from '../lib/runtime.js';
import type { ChatMessage, Reply, Request } from './protocol.js';

interface Config {
  port: number;
  file: string;
  user: string;
  password: string;
}

let config = readConfig<Config>();
// Credentials can be rotated live: only new connections see the new ones (as in a real database,
// where an authenticated session outlives a password change).
attachToParent((c) => {
  const next = c as Config;
  if (next.user !== config.user || next.password !== config.password) log('INFO', `credentials for new connections changed (user ${next.user})`);
  config = { ...config, user: next.user, password: next.password };
});

const db = new Database(config.file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.exec(`CREATE TABLE IF NOT EXISTS messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  room TEXT NOT NULL,
  name TEXT NOT NULL,
  text TEXT NOT NULL,
  client_id TEXT NOT NULL UNIQUE,
  at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS messages_room ON messages (room, id);`);

const insert = db.prepare('INSERT INTO messages (room, name, text, client_id, at) VALUES (?, ?, ?, ?, ?) ON CONFLICT (client_id) DO NOTHING');
const byClientId = db.prepare('SELECT id, room, name, text, client_id AS clientId, at FROM messages WHERE client_id = ?');
const list = db.prepare('SELECT id, room, name, text, client_id AS clientId, at FROM messages WHERE room = ? AND id > ? ORDER BY id DESC LIMIT ?');

const digest = (s: string) => createHash('sha256').update(s).digest();
const same = (a: string, b: string) => timingSafeEqual(digest(a), digest(b));

function handle(req: Request): unknown {
  switch (req.op) {
    case 'ping':
      return { pong: true };
    case 'insert': {
      const m = req.message;
      const r = insert.run(m.room, m.name, m.text, m.clientId, new Date().toISOString());
      return { message: byClientId.get(m.clientId) as ChatMessage, created: r.changes === 1 };
    }
    case 'list':
      return { messages: (list.all(req.room, req.after, req.limit) as ChatMessage[]).reverse() };
    default:
      throw new Error(`unknown op ${(req as { op: string }).op}`);
  }
}

function serve(sock: Socket): void {
  const peer = `${sock.remoteAddress}:${sock.remotePort}`;
  let authed = false;
  let buf = '';
  sock.setEncoding('utf8');
  sock.on('error', () => sock.destroy());
  sock.on('data', (chunk: string) => {
    buf += chunk;
    if (buf.length > 1_000_000) return sock.destroy();
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      let msg: Record<string, unknown>;
      try {
        msg = JSON.parse(line) as Record<string, unknown>;
      } catch {
        log('WARN', `${peer}: malformed request, closing`);
        return sock.destroy();
      }
      if (!authed) {
        if (msg.type === 'auth' && msg.user === config.user && typeof msg.password === 'string' && same(msg.password, config.password)) {
          authed = true;
          sock.write(`${JSON.stringify({ type: 'auth', ok: true })}\n`);
        } else {
          log('ERROR', `${peer}: password authentication failed for user "${String(msg.user)}"`);
          sock.end(`${JSON.stringify({ type: 'auth', ok: false, error: `password authentication failed for user "${String(msg.user)}"` })}\n`);
          return;
        }
        continue;
      }
      const req = msg as unknown as Request;
      let reply: Reply;
      try {
        reply = { id: req.id, ok: true, result: handle(req) };
      } catch (err) {
        reply = { id: req.id, ok: false, error: (err as Error).message };
        log('ERROR', `${peer}: ${req.op} failed: ${(err as Error).message}`);
      }
      sock.write(`${JSON.stringify(reply)}\n`);
    }
  });
}

const server = createServer(serve);
server.listen(config.port, '127.0.0.1', () => {
  log('INFO', `database listening on 127.0.0.1:${config.port} (file ${config.file})`);
  ready(config.port);
});
server.on('error', (err) => {
  log('ERROR', `cannot listen: ${err.message}`);
  process.exit(1);
});
