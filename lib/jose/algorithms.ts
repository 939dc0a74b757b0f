/**
 * JWS algorithms this package signs with, all through WebCrypto (`crypto.subtle`).
 * - `'ES256'`: ECDSA P-256 with SHA-256 (RFC 7518 §3.4)
 * - `'RS256'`: RSASSA-PKCS1-v1_5 with SHA-256 (RFC 7518 §3.3)
 * - `'PS256'`: RSASSA-PSS with SHA-256, salt of 32 bytes (RFC 7518 §3.5)
 * - `'EdDSA'` / `'Ed25519'`: Ed25519 (RFC 8037 §3.1; `Ed25519` is the fully specified name of RFC 9864)
 * - `'HS256'`: HMAC SHA-256 (RFC 7518 §3.2), for `client_secret_jwt`
 * @see RFC 7518 §3.1
 */
export type SigningAlg = 'ES256' | 'RS256' | 'PS256' | 'EdDSA' | 'Ed25519' | 'HS256';

export const SIGNING_ALGS: readonly SigningAlg[] = ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519', 'HS256'];

/** The JWK `kty` (and `crv`) a key for each algorithm has. */
export type KeyFamily = 'EC P-256' | 'RSA' | 'OKP Ed25519' | 'oct';

interface AlgorithmParams {
  family: KeyFamily;
  /** For `importKey` and `generateKey`. */
  importParams: AlgorithmIdentifier | RsaHashedImportParams | EcKeyImportParams | HmacImportParams;
  /** For `sign`. */
  signParams: AlgorithmIdentifier | EcdsaParams | RsaPssParams;
}

export const ALGORITHMS: Readonly<Record<SigningAlg, AlgorithmParams>> = {
  ES256: {
    family: 'EC P-256',
    importParams: { name: 'ECDSA', namedCurve: 'P-256' },
    signParams: { name: 'ECDSA', hash: 'SHA-256' },
  },
  RS256: {
    family: 'RSA',
    importParams: { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' },
    signParams: { name: 'RSASSA-PKCS1-v1_5' },
  },
  PS256: { family: 'RSA', importParams: { name: 'RSA-PSS', hash: 'SHA-256' }, signParams: { name: 'RSA-PSS', saltLength: 32 } },
  EdDSA: { family: 'OKP Ed25519', importParams: { name: 'Ed25519' }, signParams: { name: 'Ed25519' } },
  Ed25519: { family: 'OKP Ed25519', importParams: { name: 'Ed25519' }, signParams: { name: 'Ed25519' } },
  HS256: { family: 'oct', importParams: { name: 'HMAC', hash: 'SHA-256' }, signParams: { name: 'HMAC' } },
};

/** The algorithm a key of this family signs with when none is named. */
export const DEFAULT_ALG: Readonly<Record<KeyFamily, SigningAlg>> = {
  'EC P-256': 'ES256',
  RSA: 'RS256',
  'OKP Ed25519': 'EdDSA',
  oct: 'HS256',
};

export function isSigningAlg(value: unknown): value is SigningAlg {
  // includes() compares with ===, so a non-string is never found: no typeof check needed.
  return (SIGNING_ALGS as readonly unknown[]).includes(value);
}
