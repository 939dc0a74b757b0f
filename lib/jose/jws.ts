import { ALGORITHMS, type SigningAlg } from './algorithms.js';
import { base64url, base64urlText, utf8 } from './base64url.js';

/** A key ready to sign, and the algorithm it signs with (the `alg` of the JWS header). */
export interface Signer {
  alg: SigningAlg;
  key: CryptoKey;
}

/**
 * The base64url signature of a JWS signing input (`<header>.<payload>`, both already base64url). WebCrypto's ECDSA
 * signature is already the fixed-size `R || S` that JWS wants (RFC 7518 §3.4), not DER.
 * @see RFC 7515 §5.1 steps 5–6
 */
export function signInput(signer: Signer, signingInput: string): Promise<string> {
  return signatureOf(signer, signingInput).then(base64url);
}

function signatureOf(signer: Signer, signingInput: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign(ALGORITHMS[signer.alg].signParams, signer.key, utf8(signingInput));
}

/**
 * A compact JWS of a JSON payload under an already-encoded protected header (a caller that signs often with one
 * header, such as DPoP, encodes it once).
 * @see RFC 7515 §7.1
 */
export function signWithEncodedHeader(signer: Signer, encodedHeader: string, payload: object): Promise<string> {
  const signingInput = `${encodedHeader}.${base64urlText(JSON.stringify(payload))}`;
  // One promise reaction, no async frame around the signature: DPoP signs on every request.
  return signatureOf(signer, signingInput).then((signature) => `${signingInput}.${base64url(signature)}`);
}

/**
 * A compact JWS (e.g. a JWT) of `payload` with the protected `header`; its `alg` is set from the signer.
 * @see RFC 7515 §3.1, §7.1; RFC 7519 §7.1
 */
export function signCompact(signer: Signer, header: Record<string, unknown>, payload: object): Promise<string> {
  return signWithEncodedHeader(signer, encodeHeader(signer, header), payload);
}

/** The base64url protected header, with `alg` first and from the signer (a caller's `alg` cannot disagree with the key). */
export function encodeHeader(signer: Signer, header: Record<string, unknown>): string {
  return base64urlText(JSON.stringify({ ...header, alg: signer.alg }));
}
