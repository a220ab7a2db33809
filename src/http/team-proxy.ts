import { request } from 'node:http';
import type { FastifyInstance } from 'fastify';

const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authorization', 'host']);
// Firedrill's own credentials never travel to a team's service, and it never sets ours.
const PRIVATE_REQ = new Set(['cookie', 'authorization']);
const PRIVATE_RES = new Set(['set-cookie']);

const page = (status: number, text: string) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${status}</title></head><body><h1>${status}</h1><p>${text}</p></body></html>\n`;

/**
 * Spectators reach every team's chat service through firedrill's own port: /t/<team>/… is a plain
 * reverse proxy to the team's ingress, so what the ingress answers (a 502, a 503) is what they see.
 * Bodies stream through untouched (no parsing), so event streams work too.
 */
export default async function teamProxy(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, _payload, done) => done(null));

  app.get('/t/:team', async (req, reply) => {
    const q = req.raw.url?.includes('?') ? req.raw.url.slice(req.raw.url.indexOf('?')) : '';
    return reply.redirect(`/t/${encodeURIComponent((req.params as { team: string }).team)}/${q}`, 308);
  });

  app.all('/t/:team/*', async (req, reply) => {
    const teamId = (req.params as { team: string }).team;
    const platform = app.services.platform;
    if (!app.services.teams.get(teamId) || !platform?.has(teamId)) {
      return reply.status(404).send({ error: { code: 'not_found', message: `no team '${teamId}'` } });
    }
    const base = platform.publicUrl(teamId);
    if (!base) return reply.status(503).type('text/html; charset=utf-8').send(page(503, 'This team’s service is not running yet.'));
    const url = req.raw.url ?? '/';
    const path = url.slice(`/t/${teamId}`.length) || '/';
    const target = new URL(base);
    const headers: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(req.headers)) if (v !== undefined && !HOP.has(k) && !PRIVATE_REQ.has(k)) headers[k] = v;
    headers['x-forwarded-for'] = req.ip;
    headers['x-forwarded-prefix'] = `/t/${teamId}`;

    reply.hijack();
    const res = reply.raw;
    const up = request({ host: target.hostname, port: target.port, method: req.method, path, headers }, (ur) => {
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(ur.headers)) if (v !== undefined && !HOP.has(k) && !PRIVATE_RES.has(k)) out[k] = v;
      res.writeHead(ur.statusCode ?? 502, out);
      res.flushHeaders();
      ur.pipe(res);
    });
    up.setTimeout(60_000, () => up.destroy(new Error('timed out')));
    up.on('error', (err: NodeJS.ErrnoException) => {
      if (res.headersSent) return void res.destroy();
      const body = page(502, `The team’s chat service is not reachable (${err.code ?? 'error'}).`);
      res.writeHead(502, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(body);
    });
    res.on('close', () => up.destroy());
    req.raw.pipe(up);
  });
}
