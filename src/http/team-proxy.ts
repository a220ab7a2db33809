import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import replyFrom from '@fastify/reply-from';
import WebSocket, { type RawData } from 'ws';
import { BadRequest, NotFound } from '../errors.js';
import { UserTraffic } from '../probes/traffic.js';

// Firedrill's own credentials never travel to a team's service, and it never sets ours.
const PRIVATE_REQ = ['cookie', 'authorization'] as const;
const PRIVATE_RES = ['set-cookie'] as const;
const METHODS = ['DELETE', 'OPTIONS', 'PATCH', 'POST', 'PUT'] as const;

const page = (status: number, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${status}</title></head><body><h1>${status}</h1><p>${text}</p></body></html>\n`;

/**
 * The part of the raw URL after `/t/<team>`, cut at the raw (still percent-encoded) team segment:
 * the decoded id can be shorter than what the client sent (`/t/javascript%2dalert-1/`).
 */
export function upstreamPath(rawUrl: string): string {
  const m = /^\/t\/[^/?#]*/.exec(rawUrl);
  const rest = m ? rawUrl.slice(m[0].length) : rawUrl;
  return rest.startsWith('/') ? rest : `/${rest}`;
}

/**
 * Spectators reach every team's chat service through firedrill's own port: /t/<team>/… is a
 * reverse proxy (@fastify/reply-from) to the team's ingress, so what the ingress answers (a 502, a
 * 503) is what they see. Bodies stream through untouched (no parsing), so event streams work, and
 * WebSocket upgrades are passed through to the ingress.
 */
export default async function teamProxy(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  // Never parsed: the body is the raw request stream, which reply-from pipes to the upstream.
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  await app.register(replyFrom, {
    disableRequestLogging: true,
    // node:http (not undici): an idle timeout like a plain proxy; reply-from lifts it for event streams.
    http: { requestOptions: { timeout: 60_000 } },
  });

  // Spectators are users: each request they make here counts for the team (src/probes/traffic.ts).
  const traffic = new UserTraffic({
    gameTime: () => (app.gameClock.phase === 'running' ? app.gameClock.now() : null),
    slowMs: () => app.scenario.scoring.availability.slowMs,
    append: (events) => app.store.appendMany(events),
  });
  app.addHook('onResponse', async (req, reply) => {
    const team = (req.params as { team?: string } | undefined)?.team;
    // A redirect to the slash, an unknown team, a service not started: not the team's service answering.
    if (!team || !req.routeOptions.url?.startsWith('/t/:team/') || !app.teams.get(team) || reply.getHeader('x-firedrill-not-running')) return;
    traffic.record(team, { status: reply.statusCode, ms: reply.elapsedTime });
  });
  const timer = setInterval(() => void traffic.flush(), 5_000);
  timer.unref();
  app.addHook('onClose', async () => {
    clearInterval(timer);
    await traffic.flush(true);
  });

  const upstreamOf = (req: FastifyRequest): { team: string; base: string | undefined; closed?: boolean } => {
    const team = (req.params as { team: string }).team;
    const t = app.services.teams.get(team);
    if (!t) throw new NotFound(`no team '${team}'`);
    // An external team's service is reached through firedrill only when the organizer allows it (target.proxy).
    if (t.target && !t.target.proxy) return { team, base: undefined, closed: true };
    return { team, base: app.services.target.publicUrl(team) };
  };
  const notRunning = (reply: FastifyReply) => reply.status(503).header('x-firedrill-not-running', '1').type('text/html; charset=utf-8').send(page(503, 'This team’s service is not running yet.'));

  app.get('/t/:team', async (req, reply) => {
    const q = req.raw.url?.includes('?') ? req.raw.url.slice(req.raw.url.indexOf('?')) : '';
    return reply.redirect(`/t/${encodeURIComponent((req.params as { team: string }).team)}/${q}`, 308);
  });

  const http = async (req: FastifyRequest, reply: FastifyReply) => {
    const { team, base, closed } = upstreamOf(req);
    if (closed) return reply.status(403).type('text/html; charset=utf-8').send(page(403, 'This team’s service is not shared through firedrill. Ask the organizers for its address.'));
    if (!base) return notRunning(reply);
    const path = upstreamPath(req.raw.url ?? '/');
    const q = path.indexOf('?');
    const pathname = q < 0 ? path : path.slice(0, q);
    try {
      decodeURIComponent(pathname);
    } catch {
      throw new BadRequest('the path is not valid percent-encoding');
    }
    const origin = new URL(base).origin;
    // The path is relative to the team's origin (reply-from never lets it name another host);
    // the query string travels as sent (reply-from appends it).
    return reply.from(pathname, {
      getUpstream: () => origin,
      rewriteRequestHeaders: (r, headers) => {
        const out: IncomingHttpHeaders = { ...headers };
        for (const h of PRIVATE_REQ) delete out[h];
        out['x-forwarded-for'] = r.ip;
        out['x-forwarded-prefix'] = `/t/${team}`;
        return out;
      },
      rewriteHeaders: (headers) => {
        const out = { ...headers };
        for (const h of PRIVATE_RES) delete out[h];
        return out;
      },
      onError: (r, { error }) => {
        const code = (error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code ?? 'error';
        void r.status(502).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(page(502, `The team’s chat service is not reachable (${code}).`));
      },
    });
  };

  /** A WebSocket upgrade under /t/<team>/: one upstream socket per client, frames relayed both ways. */
  const ws = (client: WebSocket, req: FastifyRequest) => {
    const team = (req.params as { team: string }).team;
    const t = app.services.teams.get(team);
    const base = t && (!t.target || t.target.proxy) ? app.services.target.publicUrl(team) : undefined;
    if (!base) return void client.close(1011, 'team service not available');
    // Origin + raw path (never resolved as a URL: `//host` must not name another host).
    const url = `${new URL(base).origin.replace(/^http/, 'ws')}${upstreamPath(req.raw.url ?? '/')}`;
    const protocols = String(req.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim())
      .filter(Boolean);
    const upstream = new WebSocket(url, protocols, { headers: { 'x-forwarded-for': req.ip, 'x-forwarded-prefix': `/t/${team}` } });
    const early: Array<{ data: RawData; binary: boolean }> = [];
    client.on('message', (data, binary) => (upstream.readyState === WebSocket.OPEN ? upstream.send(data, { binary }) : early.push({ data, binary })));
    upstream.on('open', () => {
      for (const m of early.splice(0)) upstream.send(m.data, { binary: m.binary });
    });
    upstream.on('message', (data, binary) => client.readyState === WebSocket.OPEN && client.send(data, { binary }));
    // Close codes 1005/1006 cannot be sent: map them to a plain close.
    const code = (c: number) => (c === 1005 || c === 1006 ? 1000 : c);
    upstream.on('close', (c, reason) => client.readyState <= WebSocket.OPEN && client.close(code(c), reason));
    client.on('close', (c, reason) => {
      if (upstream.readyState === WebSocket.OPEN) upstream.close(code(c), reason);
      else upstream.terminate();
    });
    upstream.on('error', () => client.readyState <= WebSocket.OPEN && client.close(1011, 'team service not reachable'));
    client.on('error', () => upstream.terminate());
  };

  app.route({ method: 'GET', url: '/t/:team/*', handler: http, wsHandler: ws });
  app.route({ method: [...METHODS], url: '/t/:team/*', handler: http });
}
