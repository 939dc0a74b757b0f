import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import { base64url, randomId, utf8 } from '../jose/base64url.js';
import { encodeHeader, signWithEncodedHeader, type Signer } from '../jose/jws.js';
import { jwkThumbprint, publicJwk } from '../jose/thumbprint.js';
import { dpopAlgOf } from './key-pair.js';
import { NonceCache } from './nonce-cache.js';

/**
 * The proof maker of one key pair. What can be computed once is: the protected header with the public JWK (once per
 * key), `ath` (once per access token). What cannot is left per proof: `jti`, `iat`, the signature.
 * @see RFC 9449 §4.2 (the proof), §4.3 (what the server checks), §8–9 (nonces)
 */
export function createDPoPProofMaker(keys: CryptoKeyPair | Promise<CryptoKeyPair>): DPoPProofMaker {
  // `dpop: true` generates its key pair on first use (generation is async); a key pair given is used at once.
  // Duck-typed: WebCrypto's promises may come from another realm than this module's Promise.
  const pending = typeof (keys as Partial<Promise<CryptoKeyPair>>).then === 'function';
  let keyPair: CryptoKeyPair | undefined = pending ? undefined : (keys as CryptoKeyPair);
  let signer: Signer | undefined = keyPair === undefined ? undefined : signerOf(keyPair);
  let generating: Promise<CryptoKeyPair> | undefined = pending ? (keys as Promise<CryptoKeyPair>) : undefined;
  generating?.catch(() => undefined); // a failed generation is the first proof's error, not an unhandled rejection
  const ready = async (): Promise<Signer> => {
    if (signer !== undefined) return signer;
    keyPair = await generating!;
    generating = undefined;
    return (signer = signerOf(keyPair));
  };
  const nonces = new NonceCache();
  // Seconds to add to this clock for `iat`: set from a server's Date header after it refused a proof.
  let skewSeconds = 0;
  let header: Promise<string> | undefined;
  let jwk: ReturnType<typeof publicJwk> | undefined;
  let athToken: string | undefined;
  let ath: Promise<string> | undefined;
  // The settled values, so that the hot path awaits nothing but the signature.
  let headerReady: string | undefined;
  let athReady: string | undefined;

  const publicKey = (): ReturnType<typeof publicJwk> => (jwk ??= ready().then(() => publicJwk(keyPair!.publicKey)));
  const encodedHeader = (): Promise<string> =>
    (header ??= publicKey().then((key) => (headerReady = encodeHeader(signer!, { typ: 'dpop+jwt', jwk: key }))));
  const accessTokenHash = (accessToken: string): Promise<string> => {
    if (accessToken !== athToken) {
      athToken = accessToken;
      athReady = undefined;
      // RFC 9449 §4.2: ath = base64url(SHA-256(ASCII(access token))).
      const hashing = crypto.subtle.digest('SHA-256', utf8(accessToken)).then(base64url);
      ath = hashing.then((value) => (athToken === accessToken ? (athReady = value) : value));
    }
    return ath!;
  };

  // The last URL signed for and its htu (RFC 9449 §4.2: the URI without query and fragment): parsed once per URL.
  let lastUrl: string | undefined;
  let lastHtu = '';
  const htuOf = (url: string): string => {
    if (url !== lastUrl) {
      const target = new URL(url);
      lastHtu = `${target.origin}${target.pathname}`;
      lastUrl = url;
    }
    return lastHtu;
  };

  return {
    async proof(method, url, accessToken) {
      const htu = htuOf(url);
      const nonce = nonces.get(url);
      const claims: Record<string, unknown> = {
        jti: randomId(),
        htm: method.toUpperCase(),
        htu,
        iat: Math.floor(Date.now() / 1000) + skewSeconds,
      };
      if (nonce !== undefined) claims.nonce = nonce;
      if (accessToken !== undefined) {
        claims.ath = accessToken === athToken && athReady !== undefined ? athReady : await accessTokenHash(accessToken);
      }
      const encoded = headerReady ?? (await encodedHeader());
      return signWithEncodedHeader(signer!, encoded, claims);
    },
    observeNonce: (url, nonce) => nonces.set(url, nonce),
    nonceFor: (url) => nonces.get(url),
    thumbprint: async () => jwkThumbprint(await publicKey()),
    correctClock(serverNowMs) {
      // The Date header has a resolution of one second; below 5 s of difference the clock is not the problem.
      const skew = Math.round((serverNowMs - Date.now()) / 1000);
      if (!Number.isFinite(skew) || Math.abs(skew - skewSeconds) < MIN_SKEW_CORRECTION_SECONDS) return false;
      skewSeconds = Math.abs(skew) < MIN_SKEW_CORRECTION_SECONDS ? 0 : skew;
      return true;
    },
  };
}

/** A clock correction smaller than this is not made: the Date header is second-grained, servers allow some leeway. */
const MIN_SKEW_CORRECTION_SECONDS = 5;

function signerOf(keyPair: CryptoKeyPair): Signer {
  return { alg: dpopAlgOf(keyPair.privateKey)!, key: keyPair.privateKey };
}
