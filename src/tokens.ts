import { createHash, randomBytes } from 'node:crypto';

/** 32 random bytes, URL-safe: fits a join link. */
export const newToken = (): string => randomBytes(32).toString('base64url');

/** Events and exports hold only this hash, never the token. */
export const hashToken = (token: string): string => createHash('sha256').update(token).digest('hex');
