import type { Token } from './token.js';

/*
 * Tokens read back from IndexedDB or received from another tab come from outside this realm (an older version of
 * the app, another script on the origin): only a record with the shape of a Token is handed to the manager.
 */

const OPTIONAL_STRINGS = ['refreshToken', 'scope'] as const;

/** Whether `value` has the shape of a {@link Token}. */
export function isToken(value: unknown): value is Token {
  if (value === null || typeof value !== 'object') return false;
  const record = value as Record<string, unknown>;
  if (typeof record.accessToken !== 'string' || record.accessToken === '') return false;
  if (typeof record.tokenType !== 'string' || !Number.isFinite(record.obtainedAt)) return false;
  if (record.expiresAt !== undefined && !Number.isFinite(record.expiresAt)) return false;
  return OPTIONAL_STRINGS.every((field) => record[field] === undefined || typeof record[field] === 'string');
}

/** A clean copy of `value` with only the fields of a {@link Token}, or `null` when it does not have that shape. */
export function toTokenRecord(value: unknown): Token | null {
  if (!isToken(value)) return null;
  const token: Token = { accessToken: value.accessToken, tokenType: value.tokenType, obtainedAt: value.obtainedAt };
  if (value.expiresAt !== undefined) token.expiresAt = value.expiresAt;
  if (value.refreshToken !== undefined) token.refreshToken = value.refreshToken;
  if (value.scope !== undefined) token.scope = value.scope;
  return token;
}

/** A copy of `token` without its refresh token, for `storeRefreshToken: false`. */
export function withoutRefreshToken(token: Token): Token {
  const copy = { ...token };
  delete copy.refreshToken;
  return copy;
}
