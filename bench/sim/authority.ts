import { randomBytes } from 'node:crypto';
import { signJwt, verifyJwt, type SimClaims } from './jwt.js';

/** RFC 6749 §5.1 token response, as the simulated token endpoint answers it. */
export interface TokenJson {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  refresh_token: string;
}

export type Verdict = 'ok' | 'missing' | 'invalid' | 'expired' | 'revoked';

/** A verdict and the issue sequence of the token it was about (0 when there was no readable token). */
export interface Check {
  verdict: Verdict;
  seq: number;
}

/** Verified signatures are cached like an introspection cache; expiry and revocation are still checked every time. */
const CACHE_LIMIT = 50_000;

/**
 * The simulated authorization server's token logic: issues HS256 JWTs with a TTL, verifies them for the API, and
 * can revoke everything issued so far. It knows nothing about transports.
 */
export class SimAuthority {
  readonly #key = randomBytes(32);
  readonly #cache = new Map<string, SimClaims>();
  #seq = 0;
  /** Tokens with a sequence below this are revoked. */
  #revokedBelow = 0;

  constructor(readonly ttlSeconds: number) {}

  /** A new token that lives `ttlSeconds` from now (negative: already expired). */
  issue(ttlSeconds = this.ttlSeconds): TokenJson {
    const now = Date.now() / 1000;
    this.#seq += 1;
    const claims: SimClaims = { sub: 'bench-client', seq: this.#seq, iat: now, exp: now + ttlSeconds };
    return {
      access_token: signJwt(claims, this.#key),
      token_type: 'Bearer',
      expires_in: ttlSeconds,
      refresh_token: `rt-${this.#seq}`,
    };
  }

  /** Every token issued so far stops working at once (a server-side revocation). */
  revokeAll(): void {
    this.#revokedBelow = this.#seq + 1;
  }

  /** The sequence of the newest token issued: a 401 for an older one is "stale" (the client already has a newer one). */
  get latestSeq(): number {
    return this.#seq;
  }

  /**
   * Checks an `Authorization` header value the way a resource server would (RFC 6750 §2.1). A `DPoP` token is
   * checked the same way; its proof is not verified: the bench times the client's signing, not a server's checks.
   */
  verify(authorization: string | undefined): Check {
    const scheme = /^(Bearer|DPoP) /.exec(authorization ?? '');
    if (scheme === null) return { verdict: 'missing', seq: 0 };
    const token = authorization!.slice(scheme[0].length);
    const claims = this.#cache.get(token) ?? this.#verifySignature(token);
    if (claims === null) return { verdict: 'invalid', seq: 0 };
    if (claims.seq < this.#revokedBelow) return { verdict: 'revoked', seq: claims.seq };
    return { verdict: Date.now() / 1000 < claims.exp ? 'ok' : 'expired', seq: claims.seq };
  }

  #verifySignature(token: string): SimClaims | null {
    const claims = verifyJwt(token, this.#key);
    if (claims === null) return null;
    if (this.#cache.size >= CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(token, claims);
    return claims;
  }
}
