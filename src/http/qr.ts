import type { FastifyInstance, FastifyRequest } from 'fastify';
import QRCode from 'qrcode';
import { QrSvg } from '../contract/results.js';

/**
 * `GET /api/qr.svg`: the spectator page's address as a QR code for the big screen, so phones in the
 * room find it. The address is `publicUrl` (what people can reach), else the address this request
 * came to. Rendered once per address and cached.
 */
export default async function qr(app: FastifyInstance) {
  const cache = new Map<string, string>();
  const spectatorUrl = (req: FastifyRequest) => `${(app.config.publicUrl ?? `${req.protocol}://${req.host}`).replace(/\/+$/, '')}/`;

  // An image, not JSON: the schema names its content type (the string is sent as is).
  app.get('/api/qr.svg', { schema: { response: { 200: { description: 'the QR code', content: { 'image/svg+xml': { schema: QrSvg } } } } } }, async (req, reply) => {
    const url = spectatorUrl(req);
    let svg = cache.get(url);
    if (!svg) {
      svg = await QRCode.toString(url, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
      // Only a few addresses ever (publicUrl, or the host names a room uses): a tiny bound suffices.
      if (cache.size > 16) cache.clear();
      cache.set(url, svg);
    }
    return reply.type('image/svg+xml; charset=utf-8').header('cache-control', 'public, max-age=300').header('x-spectator-url', url).send(svg);
  });
}
