import Type, { type Static } from 'typebox';

/** POST /hooks/pagerduty (202): the delivery is stored; `duplicate` when its X-Webhook-Id was seen before. */
export const WebhookAccepted = Type.Object({ ok: Type.Literal(true), duplicate: Type.Boolean() }, { additionalProperties: false });
export type WebhookAccepted = Static<typeof WebhookAccepted>;
