import type { FastifyInstance } from 'fastify';
import { BadRequest, NotFound, Unauthorized } from '../errors.js';

/**
 * PagerDuty webhooks v3. The signature is an HMAC of the exact bytes sent, so this plugin (and only
 * it) keeps bodies raw. Answers 202 once the delivery is stored; processing follows. Never a 4xx for
 * a verified delivery of an unknown type: PagerDuty treats a 4xx as a permanent drop.
 */
export default async function hooksPagerduty(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.post('/hooks/pagerduty', async (req, reply) => {
    const svc = app.services.incidents;
    if (!svc?.webhooksEnabled) throw new NotFound('PagerDuty is not configured on this server');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const signature = header('x-pagerduty-signature');
    const webhookId = header('x-webhook-id');
    const outcome = await svc.receiveWebhook(raw, { ...(signature ? { signature } : {}), ...(webhookId ? { webhookId } : {}) }, req.ip);
    if (outcome.status === 'rejected') throw outcome.code === 401 ? new Unauthorized(outcome.message) : new BadRequest(outcome.message);
    return reply.status(202).send({ ok: true, duplicate: outcome.duplicate });
  });
}
