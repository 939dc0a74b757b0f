import type { Token } from '../core/token.js';
import { toTokenRecord, withoutRefreshToken } from '../core/token-record.js';

/** What travels on `${key}:events`. `from` tells a storage its own messages apart. */
export interface RedisEvent {
  from: string;
  type: 'set' | 'delete' | 'unlock';
  token: Token | null;
}

/** The JSON kept under the key; without the refresh token when it must stay out of Redis. */
export function encodeToken(token: Token, storeRefreshToken: boolean): string {
  return JSON.stringify(storeRefreshToken ? token : withoutRefreshToken(token));
}

/**
 * Reads a stored token back, or `null` when the value is not one. A garbled value (another program writing the
 * key, an older format) is treated as no token, so the next refresh overwrites it rather than every refresh
 * failing over it.
 */
export function decodeToken(text: unknown): Token | null {
  if (typeof text !== 'string') return null;
  try {
    return toTokenRecord(JSON.parse(text));
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
    return { from: value.from, type: value.type, token: toTokenRecord(value.token) };
  } catch {
    return null;
  }
}
