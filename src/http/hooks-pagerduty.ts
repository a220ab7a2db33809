import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { BadRequest, NotFound, Unauthorized } from '../errors.js';
import { WebhookAccepted } from '../contract/hooks.js';

/** How many rejected deliveries per minute become events: a flood of bad requests must not flood the log. */
const REJECTIONS_RECORDED_PER_MINUTE = 6;

/**
 * PagerDuty webhooks v3. The signature is an HMAC of the exact bytes sent, so this plugin (and only
 * it) keeps bodies raw. Answers 202 once the delivery is stored; processing follows. Never a 4xx for
 * a verified delivery of an unknown type: PagerDuty treats a 4xx as a permanent drop.
 */
export default async function hooksPagerduty(app: FastifyInstance) {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Every rejection is answered (401/400); only the first few a minute, from all senders together,
  // are recorded. Counted by @fastify/rate-limit, consumed only when a delivery is rejected.
  if (!app.hasDecorator('createRateLimit')) await app.register(rateLimit, { global: false });
  const recordRejection = app.createRateLimit({ max: REJECTIONS_RECORDED_PER_MINUTE, timeWindow: 60_000, keyGenerator: () => 'pagerduty-webhook-rejections' });

  app.post('/hooks/pagerduty', { schema: { response: { 202: WebhookAccepted } } }, async (req, reply) => {
    const svc = app.services.incidents;
    if (!svc?.webhooksEnabled) throw new NotFound('PagerDuty is not configured on this server');
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const header = (name: string) => {
      const v = req.headers[name];
      return Array.isArray(v) ? v.join(',') : v;
    };
    const signature = header('x-pagerduty-signature');
    const webhookId = header('x-webhook-id');
    const outcome = await svc.receiveWebhook(raw, { ...(signature ? { signature } : {}), ...(webhookId ? { webhookId } : {}) });
    if (outcome.status === 'rejected') {
      const limit = await recordRejection(req);
      if (limit.isAllowed || !limit.isExceeded) await svc.recordRejection(outcome.reason, req.ip);
      throw outcome.code === 401 ? new Unauthorized(outcome.message) : new BadRequest(outcome.message);
    }
    return reply.status(202).send({ ok: true as const, duplicate: outcome.duplicate });
  });
}
