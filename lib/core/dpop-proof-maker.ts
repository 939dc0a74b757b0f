/**
 * Signs DPoP proofs with one key pair (RFC 9449), and remembers each origin's last `DPoP-Nonce`. The token source
 * gets it as `ctx.dpop` when `attachOAuth({ dpop })` is on, so that a custom source signs its own token requests.
 * @see RFC 9449 §4
 */
export interface DPoPProofMaker {
  /**
   * A fresh proof (new `jti`, current `iat`) for one request: `htm` the method, `htu` the URL without query and
   * fragment, `ath` the hash of `accessToken` when given (at a resource server), and the origin's last nonce.
   */
  proof(method: string, url: string, accessToken?: string): Promise<string>;
  /** Remembers the `DPoP-Nonce` a response from `url`'s origin carried (ignores `undefined`). */
  observeNonce(url: string, nonce: string | undefined): void;
  /** The last nonce seen from `url`'s origin. */
  nonceFor(url: string): string | undefined;
  /** The RFC 7638 thumbprint of the public key: the `jkt` a bound token's `cnf` carries. */
  thumbprint(): Promise<string>;
  /**
   * Takes the server's clock (its `Date` header, epoch ms) for the `iat` of later proofs, after the server refused a
   * proof (`invalid_dpop_proof`). True when that changed the correction (this clock is off by 5 s or more): a retry
   * may then succeed; false when it did not, and a retry would fail the same way.
   */
  correctClock?(serverNowMs: number): boolean;
}
