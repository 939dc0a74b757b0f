import { createHmac, timingSafeEqual } from 'node:crypto';

/** The claims the simulated authority puts in every access token. `exp` is a NumericDate (seconds, may be fractional). */
export interface SimClaims {
  sub: string;
  /** Issue sequence number: revocation rejects every token below a sequence, so it is exact even within one ms. */
  seq: number;
  iat: number;
  exp: number;
}

const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url');

/** An HS256 JWT (RFC 7519), so axios-jwt can read `exp` the way it does in production. */
export function signJwt(claims: SimClaims, key: Buffer): string {
  const body = `${HEADER}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

/** The claims when the signature is valid, else `null`. Expiry and revocation are the caller's policy. */
export function verifyJwt(token: string, key: Buffer): SimClaims | null {
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0] !== HEADER) return null;
  const expected = createHmac('sha256', key).update(`${parts[0]}.${parts[1]}`).digest();
  const given = Buffer.from(parts[2]!, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  try {
    return JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as SimClaims;
  } catch {
    return null;
  }
}
