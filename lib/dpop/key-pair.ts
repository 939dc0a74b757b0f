import { ALGORITHMS } from '../jose/algorithms.js';

/** The algorithms a DPoP key may sign with (RFC 9449 §4.2: asymmetric only). */
export type DPoPAlg = 'ES256' | 'EdDSA' | 'RS256' | 'PS256';

const DPOP_ALGS: readonly DPoPAlg[] = ['ES256', 'EdDSA', 'RS256', 'PS256'];

/**
 * A new DPoP key pair whose private key is not extractable: it can sign, but no script can read it out (a stolen
 * token is useless without it). Store it with structured clone (IndexedDB) to keep it across page loads.
 * @default alg 'ES256' (the one every DPoP server supports)
 * @example
 * const keyPair = await generateDPoPKeyPair();
 * attachOAuth(api, { dpop: keyPair, fetchToken });
 * @see RFC 9449 §4.2, §11.4
 */
export function generateDPoPKeyPair(alg: DPoPAlg = 'ES256'): Promise<CryptoKeyPair> {
  if (!DPOP_ALGS.includes(alg)) throw new TypeError(`"alg" must be one of ${DPOP_ALGS.map((a) => `'${a}'`).join(', ')}`);
  const params = ALGORITHMS[alg].importParams as unknown as Record<string, unknown>;
  const rsa = alg === 'RS256' || alg === 'PS256' ? { modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]) } : {};
  return crypto.subtle.generateKey({ ...params, ...rsa } as EcKeyGenParams, false, ['sign', 'verify']);
}

/** The DPoP algorithm of a private key, from its WebCrypto algorithm; `undefined` when it cannot sign DPoP proofs. */
export function dpopAlgOf(privateKey: CryptoKey): DPoPAlg | undefined {
  const algorithm = privateKey.algorithm as KeyAlgorithm & { namedCurve?: string; hash?: { name?: string } };
  if (algorithm.name === 'ECDSA') return algorithm.namedCurve === 'P-256' ? 'ES256' : undefined;
  if (algorithm.name === 'Ed25519') return 'EdDSA';
  if (algorithm.hash?.name !== 'SHA-256') return undefined;
  return algorithm.name === 'RSASSA-PKCS1-v1_5' ? 'RS256' : algorithm.name === 'RSA-PSS' ? 'PS256' : undefined;
}
