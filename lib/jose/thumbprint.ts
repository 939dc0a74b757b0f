import { base64url, utf8 } from './base64url.js';

/** The public members of a JWK: what a DPoP proof's `jwk` header carries and what a thumbprint hashes. */
export type PublicJwk = Pick<JsonWebKey, 'kty' | 'crv' | 'x' | 'y' | 'n' | 'e'>;

// RFC 7638 §3.2: the required members of each key type, in lexicographic order.
const REQUIRED: Readonly<Record<string, readonly (keyof JsonWebKey)[]>> = {
  EC: ['crv', 'kty', 'x', 'y'],
  RSA: ['e', 'kty', 'n'],
  OKP: ['crv', 'kty', 'x'],
  oct: ['k', 'kty'],
};

/**
 * The RFC 7638 SHA-256 thumbprint of a JWK, base64url: the hash of its required members only, in lexicographic
 * order, with no whitespace. DPoP's `jkt` (RFC 9449 §6.1) is this value.
 * @see RFC 7638 §3
 */
export async function jwkThumbprint(jwk: JsonWebKey): Promise<string> {
  const members = REQUIRED[jwk.kty ?? ''];
  if (members === undefined) throw new TypeError('JWK thumbprint: unsupported key type');
  const canonical: Record<string, string> = {};
  for (const name of members) {
    const value = jwk[name];
    if (typeof value !== 'string') throw new TypeError(`JWK thumbprint: the "${name}" member is missing`);
    canonical[name] = value;
  }
  // JSON.stringify keeps insertion order, which is the lexicographic order above; the values are base64url or ASCII.
  return base64url(await crypto.subtle.digest('SHA-256', utf8(JSON.stringify(canonical))));
}

/**
 * The public JWK of a public CryptoKey, with only its public members (no `key_ops`, `ext` or `alg`). WebCrypto
 * exports a public key whether or not its private half is extractable.
 * @see RFC 7517 §4, RFC 9449 §4.2 (`jwk` must not contain a private key)
 */
export async function publicJwk(publicKey: CryptoKey): Promise<PublicJwk> {
  const jwk = await crypto.subtle.exportKey('jwk', publicKey);
  const members = REQUIRED[jwk.kty ?? ''];
  if (members === undefined || jwk.kty === 'oct') throw new TypeError('publicJwk: not an asymmetric public key');
  const out: Record<string, string> = {};
  for (const name of members) out[name] = jwk[name] as string;
  return out;
}
