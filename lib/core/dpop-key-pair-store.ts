/**
 * A storage shared by tabs that also keeps the DPoP key pair, next to the token it binds: every tab then signs with
 * the key the shared token is bound to (issue 11, RFC 9449 §4.2). The storage marks itself with this symbol;
 * Symbol.for, so that any copy of the package recognises it.
 */
export const DPOP_KEY_PAIR_STORE = Symbol.for('axios-oauth-lock.dpopKeyPairStore');

/**
 * Loads the stored key pair, or stores `generate()`'s when there is none yet: once for every tab, under a lock, so
 * that two tabs starting at once do not make two keys.
 */
export type DPoPKeyPairStore = (generate: () => Promise<CryptoKeyPair>) => Promise<CryptoKeyPair>;

/** The key pair store of a storage, when it has one. */
export function dpopKeyPairStoreOf(storage: unknown): DPoPKeyPairStore | undefined {
  if (storage === null || typeof storage !== 'object') return undefined;
  const store = (storage as Record<symbol, unknown>)[DPOP_KEY_PAIR_STORE];
  return typeof store === 'function' ? (store as DPoPKeyPairStore) : undefined;
}
