import type { Token } from '../token.js';

/** What travels on `${key}:events`. `from` tells a storage its own messages apart. */
export interface RedisEvent {
  from: string;
  type: 'set' | 'delete' | 'unlock';
  token: Token | null;
}

/** The JSON kept under the key; without the refresh token when it must stay out of Redis. */
export function encodeToken(token: Token, storeRefreshToken: boolean): string {
  if (storeRefreshToken || token.refreshToken === undefined) return JSON.stringify(token);
  const { refreshToken: _kept, ...shared } = token;
  return JSON.stringify(shared);
}

/**
 * Reads a stored token back, or `null` when the value is not one. A garbled value (another program writing the
 * key, an older format) is treated as no token, so the next refresh overwrites it rather than every refresh
 * failing over it.
 */
export function decodeToken(text: unknown): Token | null {
  if (typeof text !== 'string') return null;
  try {
    return asToken(JSON.parse(text));
  } catch {
    return null;
  }
}

export function encodeEvent(event: RedisEvent): string {
  return JSON.stringify(event);
}

export function decodeEvent(text: string): RedisEvent | null {
  try {
    const value = JSON.parse(text) as Partial<RedisEvent> | null;
    if (value === null || typeof value !== 'object' || typeof value.from !== 'string') return null;
    if (value.type !== 'set' && value.type !== 'delete' && value.type !== 'unlock') return null;
    return { from: value.from, type: value.type, token: asToken(value.token) };
  } catch {
    return null;
  }
}

function asToken(value: unknown): Token | null {
  if (value === null || typeof value !== 'object') return null;
  const t = value as Record<string, unknown>;
  const valid =
    typeof t.accessToken === 'string' &&
    t.accessToken.length > 0 &&
    typeof t.tokenType === 'string' &&
    isFiniteNumber(t.obtainedAt) &&
    (t.expiresAt === undefined || isFiniteNumber(t.expiresAt)) &&
    (t.refreshToken === undefined || typeof t.refreshToken === 'string') &&
    (t.scope === undefined || typeof t.scope === 'string');
  if (!valid) return null;
  const token: Token = { accessToken: t.accessToken as string, tokenType: t.tokenType as string, obtainedAt: t.obtainedAt as number };
  if (t.expiresAt !== undefined) token.expiresAt = t.expiresAt as number;
  if (t.refreshToken !== undefined) token.refreshToken = t.refreshToken as string;
  if (t.scope !== undefined) token.scope = t.scope as string;
  return token;
}

function isFiniteNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
