import { existsSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fastifyStatic from '@fastify/static';
import helmet from '@fastify/helmet';
import { NotFound } from '../errors.js';
import { fromRoot } from '../paths.js';
import { ensureBrowserId } from './comms.js';

/** Paths that belong to the API: a miss there stays a JSON 404, never an HTML page. */
const API_PREFIXES = ['/api/', '/ws/', '/hooks/', '/t/'];
const API_EXACT = new Set(['/api', '/ws', '/hooks', '/t', '/healthz', '/metrics', '/join']);

export function isApiPath(url: string): boolean {
  const path = url.split('?')[0] ?? url;
  return API_EXACT.has(path) || API_PREFIXES.some((p) => path.startsWith(p));
}

/** Which page a browser path belongs to: /team… → war room, /admin… → organizer console, else spectator. */
export function pageFor(path: string): 'index.html' | 'team.html' | 'admin.html' {
  if (path === '/team' || path.startsWith('/team/')) return 'team.html';
  if (path === '/admin' || path.startsWith('/admin/')) return 'admin.html';
  return 'index.html';
}

/** Paths that are a page of the front end: the spectator page, and the war room's and console's own paths. */
export function isPagePath(path: string): boolean {
  return path === '/' || pageFor(path) !== 'index.html';
}

/**
 * What a browser gets for a page URL that is not one (a typo, an old link): a page in both
 * languages that says so and links to the three real ones. Static text only, no script.
 */
export const NOT_FOUND_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page not found · firedrill</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<style>body{font-family:system-ui,sans-serif;background:#0b0f14;color:#e6edf3;max-width:36em;margin:12vh auto;padding:0 1em;line-height:1.5}a{color:#58a6ff}h1{font-size:1.6em}</style>
</head>
<body>
<h1>Page not found <span lang="ja">ページが見つかりません</span></h1>
<p>There is no page at this address. <span lang="ja">このアドレスにページはありません。</span></p>
<ul>
<li><a href="/">Scoreboard <span lang="ja">スコアボード</span></a></li>
<li><a href="/team">War room <span lang="ja">作戦室</span></a></li>
<li><a href="/admin">Organizer console <span lang="ja">運営コンソール</span></a></li>
</ul>
</body>
</html>
`;

// Defence in depth: whatever a person typed is rendered as text, and even a slip could not load
// a foreign script. Only these directives (helmet's defaults are off: no upgrade-insecure-requests,
// which would break a drill served over plain HTTP on a LAN). The chat service's own pages (/t/…)
// are not served from here, so none of this reaches them.
export const CSP_DIRECTIVES = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'", 'ws:', 'wss:'],
  frameSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'none'"],
  frameAncestors: ["'self'"],
};

/**
 * The built front end (web/dist): spectator `/`, war room `/team`, organizer console `/admin`.
 * Hashed assets are cached for a year; HTML is revalidated every time so a new build shows at once.
 * Registered last: the HTML fallback only answers GETs that are not API paths and accept HTML.
 */
export default async function staticWeb(app: FastifyInstance, opts: { root?: string } = {}) {
  const root = opts.root ?? fromRoot('web/dist');
  const built = existsSync(`${root}/index.html`);

  // Security headers on every page and asset of this plugin (nosniff, CSP, frame and referrer
  // policies...). HSTS stays off: firedrill is often served over plain HTTP, and behind TLS the
  // terminating proxy owns that decision.
  await app.register(helmet, {
    contentSecurityPolicy: { useDefaults: false, directives: CSP_DIRECTIVES },
    referrerPolicy: { policy: 'same-origin' },
    strictTransportSecurity: false,
  });

  if (built) {
    await app.register(fastifyStatic, {
      root,
      wildcard: false,
      index: false,
      cacheControl: false,
      setHeaders(res, path) {
        if (path.endsWith('.html')) res.setHeader('cache-control', 'no-cache');
        else if (path.includes('/assets/')) res.setHeader('cache-control', 'public, max-age=31536000, immutable');
        else res.setHeader('cache-control', 'public, max-age=3600');
      },
    });
  }

  const page = (file: 'index.html' | 'team.html' | 'admin.html') => async (req: FastifyRequest, reply: FastifyReply) => {
    // A spectator's browser gets its id on the first visit (the per-browser report limit, src/http/comms.ts).
    if (file === 'index.html') ensureBrowserId(req, reply);
    if (!built) {
      return reply
        .status(503)
        .type('text/plain; charset=utf-8')
        .send('The web front end is not built. Run `npm run build:web` (npm install does it for you).\n');
    }
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').sendFile(file);
  };

  app.get('/', page('index.html'));
  app.get('/team', page('team.html'));
  app.get('/admin', page('admin.html'));

  // Deep links and reloads of pages (e.g. /team/ops) get their page; everything else keeps the
  // JSON 404 shape of the API.
  app.get('/*', async (req, reply) => {
    const path = req.url.split('?')[0] ?? '/';
    const wantsHtml = (req.headers.accept ?? '').includes('text/html');
    if (isApiPath(path) || !wantsHtml || /\.[a-z0-9]+$/i.test(path)) throw new NotFound(`no route for GET ${path}`);
    if (!isPagePath(path)) return reply.status(404).header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(NOT_FOUND_HTML);
    return page(pageFor(path))(req, reply);
  });
}
