import { hash, randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe: fits a join link. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** Events and exports hold only this hash, never the token. One-shot `crypto.hash` (Node ≥ 20.12):
 * the same digest as createHash().update().digest() without a Hash object per request (issue 18). */
export const hashToken = (token: string): string => hash('sha256', token, 'hex');
