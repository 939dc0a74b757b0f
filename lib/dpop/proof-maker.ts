import { DPoPKeyError } from '../core/dpop-key-error.js';
import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import { base64url, randomId, utf8 } from '../jose/base64url.js';
import { encodeHeader, signWithEncodedHeader, type Signer } from '../jose/jws.js';
import { jwkThumbprint, publicJwk } from '../jose/thumbprint.js';
import { dpopAlgOf } from './key-pair.js';
import { NonceCache } from './nonce-cache.js';

/** How the proof maker gets its key pair when it is not given one: generates it, or loads it from a storage. */
export type ObtainDPoPKeyPair = () => Promise<CryptoKeyPair>;

/**
 * The proof maker of one key pair. What can be computed once is: the protected header with the public JWK (once per
 * key), `ath` (once per access token). What cannot is left per proof: `jti`, `iat`, the signature.
 *
 * `keys` is the key pair, or how to obtain it (`dpop: true`: generate it; a shared browserStorage: load it from
 * IndexedDB, or make and store it). The first attempt starts at once; a failure does not stick: that attempt's
 * proofs reject with a {@link DPoPKeyError} (its `cause` the failure), and the next proof asks `keys` again, one
 * attempt at a time, as the token manager does after a failed refresh (DESIGN rule 1). Asking again cannot give tabs
 * different keys: browserStorage's loader reads the stored pair under its Web Lock before it makes one, and a pair it
 * could not store is never used (see lib/storage/browser-dpop-key.ts).
 * @see RFC 9449 §4.2 (the proof), §4.3 (what the server checks), §8–9 (nonces)
 */
export function createDPoPProofMaker(keys: CryptoKeyPair | ObtainDPoPKeyPair): DPoPProofMaker {
  const obtain = typeof keys === 'function' ? keys : undefined;
  let keyPair: CryptoKeyPair | undefined = obtain === undefined ? (keys as CryptoKeyPair) : undefined;
  let signer: Signer | undefined = keyPair === undefined ? undefined : signerOf(keyPair);
  // The first attempt starts now (key generation is async; a storage's lock is requested at attach time). A
  // synchronous throw of that first call (no WebCrypto at all) is attach's error, as it always was.
  let attempt: Promise<CryptoKeyPair> | undefined = obtain?.();
  attempt?.catch(() => undefined); // a failed attempt is the first proof's error, not an unhandled rejection
  const nonces = new NonceCache();
  // Seconds to add to this clock for `iat`: set from a server's Date header after it refused a proof.
  let skewSeconds = 0;
  let athToken: string | undefined;
  let ath: Promise<string> | undefined;
  // The settled values, so that the hot path awaits nothing but the signature.
  let jwkReady: Awaited<ReturnType<typeof publicJwk>> | undefined;
  let headerReady: string | undefined;
  let athReady: string | undefined;

  // The key pair, the public JWK and the encoded protected header, once; a failed attempt is forgotten, so that the
  // next proof tries again, and every proof waiting meanwhile shares the one attempt.
  let preparing: Promise<void> | undefined;
  const prepare = (): Promise<void> =>
    (preparing ??= (async () => {
      if (keyPair === undefined) {
        const pending = attempt ?? obtain!();
        attempt = undefined;
        keyPair = await pending;
        signer = signerOf(keyPair);
      }
      const jwk = await publicJwk(keyPair.publicKey);
      headerReady = encodeHeader(signer!, { typ: 'dpop+jwt', jwk });
      jwkReady = jwk;
    })().catch((error: unknown) => {
      preparing = undefined; // a key pair obtained stays (only what failed after it is done again)
      throw new DPoPKeyError({ cause: error });
    }));
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

  // A proof once the key and the token's ath are at hand: no await of ours, only the signature's (issue 11: the
  // hot path of a DPoP request is its one signature; each extra async hop is a promise and microtasks per request).
  const signProof = (method: string, url: string, ath: string | undefined): Promise<string> => {
    const claims: Record<string, unknown> = {
      jti: randomId(),
      htm: method.toUpperCase(),
      htu: htuOf(url),
      iat: Math.floor(Date.now() / 1000) + skewSeconds,
    };
    const nonce = nonces.get(url);
    if (nonce !== undefined) claims.nonce = nonce;
    if (ath !== undefined) claims.ath = ath;
    return signWithEncodedHeader(signer!, headerReady!, claims);
  };
  // The first proof of a key or of a token: waits for what the next ones find ready.
  const firstProof = async (method: string, url: string, accessToken: string | undefined): Promise<string> => {
    const ath = accessToken === undefined ? undefined : await accessTokenHash(accessToken);
    if (headerReady === undefined) await prepare();
    return signProof(method, url, ath);
  };

  return {
    proof(method, url, accessToken) {
      if (headerReady === undefined || (accessToken !== undefined && (accessToken !== athToken || athReady === undefined))) {
        return firstProof(method, url, accessToken);
      }
      try {
        return signProof(method, url, accessToken === undefined ? undefined : athReady);
      } catch (error) {
        return Promise.reject(error); // a URL that does not parse rejects, as an async proof() always did
      }
    },
    observeNonce: (url, nonce) => nonces.set(url, nonce),
    nonceFor: (url) => nonces.get(url),
    async thumbprint() {
      if (jwkReady === undefined) await prepare();
      return jwkThumbprint(jwkReady!);
    },
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
