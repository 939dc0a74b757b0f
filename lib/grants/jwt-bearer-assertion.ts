import { isSigningAlg } from '../jose/algorithms.js';
import { randomId } from '../jose/base64url.js';
import { checkSigningKey, importSigningKey, type SigningKeyInput } from '../jose/import-key.js';
import { encodeHeader, signWithEncodedHeader, type Signer } from '../jose/jws.js';
import { requireWellFormedString } from '../core/validate.js';

/** The claims of a JWT bearer grant assertion (RFC 7523 §3); `jti`, `iat` and `exp` are set per token request. */
export interface JwtBearerClaims {
  /** The issuer: for a Google service account, its `client_email`. */
  iss: string;
  /** The subject: the user to act for (domain-wide delegation); defaults to `iss` at most servers. @default none */
  sub?: string;
  /** The audience: the token endpoint, e.g. `https://oauth2.googleapis.com/token`. */
  aud: string;
  /** Space-delimited scopes in the assertion, as Google wants them (not the `scope` request parameter). @default none */
  scope?: string;
  /** Any other claim, e.g. Google's `target_audience`. */
  [claim: string]: unknown;
}

/** Google refuses an assertion that lives longer than an hour; so do we, for every server. */
export const MAX_JWT_BEARER_LIFETIME_SECONDS = 3600;
/** @see MAX_JWT_BEARER_LIFETIME_SECONDS */
export const DEFAULT_JWT_BEARER_LIFETIME_SECONDS = 3600;

const SET_PER_REQUEST = ['jti', 'iat', 'exp'];

/** The key form of jwtBearerGrant, as the user gave it. */
export interface JwtBearerKeyOptions {
  privateKey: unknown;
  keyId?: unknown;
  signingAlg?: unknown;
  claims?: unknown;
  assertionLifetimeSeconds?: unknown;
}

/**
 * Checks the key form of the JWT bearer grant at creation (naming the option, never quoting the key) and returns the
 * function that signs a fresh assertion per token request: the claims given, a new `jti`, `iat` now and `exp` =
 * `iat` + the lifetime.
 * @see RFC 7523 §2.1, §3
 */
export function jwtBearerAssertion(options: JwtBearerKeyOptions): () => Promise<string> {
  const { signingAlg, keyId } = options;
  if (signingAlg !== undefined && (!isSigningAlg(signingAlg) || signingAlg === 'HS256')) {
    throw new TypeError(`"options.signingAlg" must be one of 'ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519'`);
  }
  const alg = checkSigningKey(options.privateKey, signingAlg, 'options.privateKey');
  if (alg === 'HS256') throw new TypeError('"options.privateKey" must be a private key, not a symmetric one');
  const header: Record<string, string> = { typ: 'JWT' };
  if (keyId !== undefined) header.kid = requireWellFormedString(keyId, 'options.keyId');
  const claims = claimsOption(options.claims);
  const lifetime = lifetimeOption(options.assertionLifetimeSeconds);
  const key = options.privateKey as SigningKeyInput;
  let signer: Promise<Signer> | undefined;
  let encodedHeader: string | undefined;
  return async () => {
    // Imported once, on first use (import is async); a failed import is tried again next time.
    signer ??= importSigningKey(key, alg).then((cryptoKey) => ({ alg, key: cryptoKey }));
    signer.catch(() => (signer = undefined));
    const ready = await signer;
    encodedHeader ??= encodeHeader(ready, header);
    const iat = Math.floor(Date.now() / 1000);
    return signWithEncodedHeader(ready, encodedHeader, { ...claims, jti: randomId(), iat, exp: iat + lifetime });
  };
}

function claimsOption(value: unknown): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new TypeError('"options.claims" must be an object with "iss" and "aud" (required with "options.privateKey")');
  }
  const claims = value as Record<string, unknown>;
  requireWellFormedString(claims.iss, 'options.claims.iss');
  requireWellFormedString(claims.aud, 'options.claims.aud');
  if (claims.sub !== undefined) requireWellFormedString(claims.sub, 'options.claims.sub');
  if (claims.scope !== undefined) requireWellFormedString(claims.scope, 'options.claims.scope');
  const fixed = SET_PER_REQUEST.find((name) => claims[name] !== undefined);
  if (fixed !== undefined) throw new TypeError(`"options.claims.${fixed}" is set per token request and cannot be given`);
  // Serialised now: a claim JSON cannot carry (a BigInt, a cycle) fails at creation, not at the first refresh.
  try {
    return JSON.parse(JSON.stringify(claims)) as Record<string, unknown>;
  } catch {
    throw new TypeError('"options.claims" must be JSON-serialisable');
  }
}

function lifetimeOption(value: unknown): number {
  if (value === undefined) return DEFAULT_JWT_BEARER_LIFETIME_SECONDS;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_JWT_BEARER_LIFETIME_SECONDS) {
    throw new RangeError(`"options.assertionLifetimeSeconds" must be an integer from 1 to ${MAX_JWT_BEARER_LIFETIME_SECONDS}`);
  }
  return value;
}
