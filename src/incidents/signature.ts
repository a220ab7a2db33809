import { createHmac, timingSafeEqual } from 'node:crypto';

/** `v1=<hex>` of the raw body, keyed by the secret as a literal string (webhooks v3). */
export function sign(body: Buffer | string, secret: string): string {
  return `v1=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/**
 * Check `X-PagerDuty-Signature` (`v1=<hex>[,v1=<hex>]`) against every configured secret, so a
 * secret can be rotated without dropping deliveries. Only v1 values count; any match is enough.
 */
export function verifySignature(body: Buffer, header: string | undefined, secrets: readonly string[]): boolean {
  if (!header || secrets.length === 0) return false;
  const given = header
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.startsWith('v1='))
    .map((s) => s.slice(3))
    .filter((hex) => /^[0-9a-f]{64}$/i.test(hex))
    .map((hex) => Buffer.from(hex, 'hex'));
  if (given.length === 0) return false;
  let ok = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(body).digest();
    // Compare against every value without stopping early: the time taken says nothing about a match.
    for (const g of given) ok = timingSafeEqual(g, expected) || ok;
  }
  return ok;
}
