import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { attachToParent, escapeHtml, log, readConfig, ready } from '../lib/runtime.js';

export interface Route {
  path: string;
  service: string;
  port: number;
  /** The real port behind service:port, or null when nothing serves it (no endpoints). */
  target: number | null;
}

interface Config {
  port: number;
  routes: Route[];
}

let config = readConfig<Config>();
attachToParent((c) => {
  config = { ...config, routes: (c as Config).routes };
  log('INFO', `routes reloaded: ${describe(config.routes)}`);
});

function describe(routes: Route[]): string {
  return routes.map((r) => `${r.path} -> ${r.service}:${r.port}${r.target === null ? ' (no endpoints)' : ''}`).join(', ');
}

/** Longest prefix wins; a prefix matches whole path segments only (/api matches /api/x, not /apix). */
function match(path: string): Route | undefined {
  let best: Route | undefined;
  for (const r of config.routes) {
    const p = r.path.endsWith('/') ? r.path : `${r.path}/`;
    const hit = path === r.path || path.startsWith(p) || r.path === '/';
    if (hit && (!best || r.path.length > best.path.length)) best = r;
  }
  return best;
}

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization']);

function errorPage(res: ServerResponse, status: number, title: string, detail: string): void {
  const html = `<!doctype html><html><head><meta charset="utf-8"><title>${status} ${escapeHtml(title)}</title></head><body><h1>${status} ${escapeHtml(title)}</h1><p>${escapeHtml(detail)}</p><hr><p>chat ingress</p></body></html>\n`;
  if (res.headersSent) return void res.destroy();
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
  res.end(html);
}

function proxy(req: IncomingMessage, res: ServerResponse): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
    return void res.end('ok\n');
  }
  const route = match(path);
  if (!route) return errorPage(res, 404, 'Not Found', `no route matches ${path}`);
  if (route.target === null) {
    log('WARN', `${req.method} ${path}: no endpoints for ${route.service}:${route.port}`);
    return errorPage(res, 503, 'Service Unavailable', `no healthy upstream for ${route.path} (${route.service}:${route.port} has no endpoints)`);
  }
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k)) headers[k] = v;
  headers['x-forwarded-for'] = req.socket.remoteAddress ?? '';
  const up = request({ host: '127.0.0.1', port: route.target, method: req.method, path: req.url, headers }, (ur) => {
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !HOP.has(k)) out[k] = v;
    res.writeHead(ur.statusCode ?? 502, out);
    res.flushHeaders();
    ur.pipe(res);
  });
  // Idle timeout, not a total one: event streams stay open and send keep-alives.
  up.setTimeout(60_000, () => up.destroy(Object.assign(new Error('upstream timed out'), { code: 'ETIMEDOUT' })));
  up.on('error', (err: NodeJS.ErrnoException) => {
    log('ERROR', `${req.method} ${path} -> ${route.service}:${route.port} (127.0.0.1:${route.target}): ${err.code ?? err.message}`);
    if (err.code === 'ETIMEDOUT') return errorPage(res, 504, 'Gateway Timeout', `${route.service}:${route.port} did not answer in time`);
    errorPage(res, 502, 'Bad Gateway', `upstream ${route.service}:${route.port} is not reachable (${err.code ?? 'error'})`);
  });
  res.on('close', () => up.destroy());
  req.pipe(up);
}

/** WebSocket (and any other Upgrade) passes through as raw bytes once the head is replayed. */
function upgrade(req: IncomingMessage, sock: Duplex, head: Buffer): void {
  const path = (req.url ?? '/').split('?')[0] ?? '/';
  const route = match(path);
  if (!route || route.target === null) {
    sock.end('HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    return;
  }
  const up = connect({ host: '127.0.0.1', port: route.target }, () => {
    const lines = [`${req.method} ${req.url} HTTP/1.1`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    up.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) up.write(head);
    up.pipe(sock).pipe(up);
  });
  up.on('error', (err: NodeJS.ErrnoException) => {
    log('ERROR', `upgrade ${path} -> ${route.service}:${route.port}: ${err.code ?? err.message}`);
    sock.end('HTTP/1.1 502 Bad Gateway\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
  });
  sock.on('error', () => up.destroy());
  sock.on('close', () => up.destroy());
}

const server = createServer(proxy);
server.on('upgrade', upgrade);
server.keepAliveTimeout = 65_000;
server.listen(config.port, '127.0.0.1', () => {
  log('INFO', `ingress listening on 127.0.0.1:${config.port}; routes: ${describe(config.routes)}`);
  ready(config.port);
});
server.on('error', (err) => {
  log('ERROR', `cannot listen: ${err.message}`);
  process.exit(1);
});
