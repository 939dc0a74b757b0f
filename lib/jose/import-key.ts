import { ALGORITHMS, DEFAULT_ALG, type KeyFamily, type SigningAlg } from './algorithms.js';
import { utf8 } from './base64url.js';

/** A private signing key: a WebCrypto `CryptoKey`, a private JWK (with `d`), or a PKCS#8 PEM string. */
export type SigningKeyInput = CryptoKey | JsonWebKey | string;

// Object identifiers in a PKCS#8 PrivateKeyInfo (RFC 5208 §5), DER-encoded with their tag and length bytes.
const OIDS: ReadonlyArray<[number[], KeyFamily, SigningAlg?]> = [
  [[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x01], 'RSA'], // rsaEncryption (RFC 8017)
  [[0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x01, 0x0a], 'RSA', 'PS256'], // id-RSASSA-PSS
  [[0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07], 'EC P-256'], // prime256v1 (RFC 5480)
  [[0x06, 0x03, 0x2b, 0x65, 0x70], 'OKP Ed25519'], // id-Ed25519 (RFC 8410)
];
const PKCS8_PEM = /^\s*-----BEGIN PRIVATE KEY-----([A-Za-z0-9+/=\s]+)-----END PRIVATE KEY-----\s*$/;

/**
 * Checks a private key and the algorithm to sign with, without importing it (that is async, on first use), and
 * returns the algorithm: the one given, else the key's own (`alg` of a JWK, the CryptoKey's algorithm, the PEM's
 * key type: EC P-256 → ES256, RSA → RS256, Ed25519 → EdDSA). Errors name `path` and never quote the key.
 * @see RFC 7517 §4 (JWK), RFC 5208 (PKCS#8), RFC 7518 §3.1
 */
export function checkSigningKey(input: unknown, alg: SigningAlg | undefined, path: string): SigningAlg {
  const { family, own } = describeKey(input, path);
  const chosen = alg ?? own ?? DEFAULT_ALG[family];
  // A CryptoKey's algorithm (always known: describeCryptoKey refuses others) is fixed at import; within a family only
  // Ed25519's two names (EdDSA, Ed25519, RFC 9864) are one algorithm.
  if (ALGORITHMS[chosen].family !== family || (isCryptoKey(input) && own !== chosen && family !== 'OKP Ed25519')) {
    throw new TypeError(`"${path}" is ${article(family)} key, which cannot sign with ${chosen}`);
  }
  return chosen;
}

/** Imports a key checked by {@link checkSigningKey} for signing with `alg`. */
export async function importSigningKey(input: SigningKeyInput, alg: SigningAlg): Promise<CryptoKey> {
  if (isCryptoKey(input)) return input;
  const params = ALGORITHMS[alg].importParams;
  if (typeof input === 'string') return crypto.subtle.importKey('pkcs8', pemBody(input), params, false, ['sign']);
  // `alg`, `key_ops` and `use` of the JWK would make WebCrypto refuse a key we mean to use otherwise; only the key.
  const { alg: _alg, key_ops: _ops, use: _use, ...jwk } = input;
  return crypto.subtle.importKey('jwk', jwk, params, false, ['sign']);
}

/** An HMAC SHA-256 key over the UTF-8 bytes of a shared secret (`client_secret_jwt`, RFC 7523 §2.2 / OIDC Core §9). */
export function importHmacSecret(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', utf8(secret), ALGORITHMS.HS256.importParams, false, ['sign']);
}

/** Duck-typed: a CryptoKey from another realm (an iframe, a worker's structured clone) is not `instanceof` ours. */
export function isCryptoKey(value: unknown): value is CryptoKey {
  if (value === null || typeof value !== 'object') return false;
  const key = value as Partial<CryptoKey>;
  return typeof key.type === 'string' && typeof key.algorithm === 'object' && Array.isArray(key.usages);
}

function describeKey(input: unknown, path: string): { family: KeyFamily; own?: SigningAlg } {
  if (isCryptoKey(input)) return describeCryptoKey(input, path);
  if (typeof input === 'string') return describePem(input, path);
  if (input !== null && typeof input === 'object' && !Array.isArray(input)) return describeJwk(input, path);
  throw new TypeError(`"${path}" must be a CryptoKey, a private JWK or a PKCS#8 PEM string`);
}

function describeCryptoKey(key: CryptoKey, path: string): { family: KeyFamily; own: SigningAlg } {
  if (key.type !== 'private' && key.type !== 'secret') throw new TypeError(`"${path}" must be a private key, not a ${key.type} one`);
  if (!key.usages.includes('sign')) throw new TypeError(`"${path}" must be a CryptoKey with the 'sign' usage`);
  const algorithm = key.algorithm as KeyAlgorithm & { namedCurve?: string; hash?: { name?: string } };
  const sha256 = algorithm.hash === undefined || algorithm.hash.name === 'SHA-256';
  const own: SigningAlg | undefined =
    algorithm.name === 'ECDSA' && algorithm.namedCurve === 'P-256'
      ? 'ES256'
      : algorithm.name === 'RSASSA-PKCS1-v1_5' && sha256
        ? 'RS256'
        : algorithm.name === 'RSA-PSS' && sha256
          ? 'PS256'
          : algorithm.name === 'Ed25519'
            ? 'EdDSA'
            : algorithm.name === 'HMAC' && sha256
              ? 'HS256'
              : undefined;
  if (own === undefined) throw new TypeError(`"${path}" is a CryptoKey of an unsupported algorithm (ES256, RS256, PS256, EdDSA)`);
  return { family: ALGORITHMS[own].family, own };
}

function describeJwk(jwk: JsonWebKey, path: string): { family: KeyFamily; own?: SigningAlg } {
  const family: KeyFamily | undefined =
    jwk.kty === 'EC' && jwk.crv === 'P-256'
      ? 'EC P-256'
      : jwk.kty === 'RSA'
        ? 'RSA'
        : jwk.kty === 'OKP' && jwk.crv === 'Ed25519'
          ? 'OKP Ed25519'
          : jwk.kty === 'oct'
            ? 'oct'
            : undefined;
  if (family === undefined) throw new TypeError(`"${path}" is a JWK of an unsupported key type (EC P-256, RSA, OKP Ed25519)`);
  if (family !== 'oct' && typeof jwk.d !== 'string') throw new TypeError(`"${path}" is a public JWK; the private key (with "d") is needed`);
  const own = jwk.alg === undefined ? undefined : (Object.keys(ALGORITHMS) as SigningAlg[]).find((a) => a === jwk.alg);
  if (jwk.alg !== undefined && own === undefined) throw new TypeError(`"${path}.alg" is not one of ES256, RS256, PS256, EdDSA`);
  return { family, ...(own === undefined ? {} : { own }) };
}

function describePem(pem: string, path: string): { family: KeyFamily; own?: SigningAlg } {
  if (/-----BEGIN (RSA |EC |ENCRYPTED )PRIVATE KEY-----/.test(pem)) {
    throw new TypeError(`"${path}" must be an unencrypted PKCS#8 PEM ("BEGIN PRIVATE KEY"); convert it with openssl pkcs8 -topk8 -nocrypt`);
  }
  if (!PKCS8_PEM.test(pem)) throw new TypeError(`"${path}" is a string but not a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")`);
  const der = new Uint8Array(pemBody(pem));
  const found = OIDS.find(([oid]) => indexOf(der, oid) >= 0);
  if (found === undefined) throw new TypeError(`"${path}" is a PKCS#8 key of an unsupported type (EC P-256, RSA, Ed25519)`);
  return { family: found[1], ...(found[2] === undefined ? {} : { own: found[2] }) };
}

function pemBody(pem: string): ArrayBuffer {
  const body = PKCS8_PEM.exec(pem)![1]!.replace(/\s+/g, '');
  const binary = atob(body);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes.buffer;
}

function indexOf(haystack: Uint8Array, needle: readonly number[]): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}

function article(family: KeyFamily): string {
  return family === 'oct' ? 'a symmetric (oct)' : `an ${family}`;
}
