import type { DPoPKeyPairStore } from '../core/dpop-key-pair-store.js';
import type { IdbStore } from './idb.js';

/**
 * The DPoP key pair of a shared browserStorage, in its IndexedDB database under `['dpop-key-pair', key]` (an array
 * key: no string key of a token can be equal to it). Structured clone keeps a non-extractable key non-extractable,
 * so the private key never leaves the browser's key store as bytes (RFC 9449 §11.4).
 *
 * The first tab to need it makes it under a Web Lock of its own: two tabs starting at once make one key. Not the
 * token's lock: a refresh holds that one while it signs its token request, and waits for the key (no deadlock).
 * @see RFC 9449 §4.2
 */
export function createBrowserDPoPKeyStore(store: IdbStore, locks: LockManager, lockName: string, key: string): DPoPKeyPairStore {
  const recordKey = ['dpop-key-pair', key];
  let loading: Promise<CryptoKeyPair> | undefined;
  const load = async (generate: () => Promise<CryptoKeyPair>): Promise<CryptoKeyPair> => {
    const stored = await store.get(recordKey);
    if (isKeyPair(stored)) return stored;
    const pair = await generate();
    await store.put(recordKey, pair);
    return pair;
  };
  return (generate) => {
    if (loading !== undefined) return loading;
    const started = (async () => await locks.request(`${lockName}:dpop-key-pair`, { mode: 'exclusive' }, () => load(generate)))();
    // A failed load (IndexedDB refused) is forgotten: the proof maker's next proof calls here again (issue 11).
    // Trying again cannot leave two tabs with two keys: `load` reads the stored pair under the lock before making
    // one, and a pair it made but could not store is dropped, never used. Nor is there a fallback to a pair of this
    // tab's own: the shared token is bound to the stored key, so a tab without it can only fail, and try again.
    started.catch(() => (loading = undefined));
    return (loading = started);
  };
}

function isKeyPair(value: unknown): value is CryptoKeyPair {
  if (value === null || typeof value !== 'object') return false;
  const { privateKey, publicKey } = value as Partial<CryptoKeyPair>;
  return isCryptoKey(privateKey, 'private') && isCryptoKey(publicKey, 'public');
}

function isCryptoKey(value: unknown, type: KeyType): boolean {
  return (
    value !== null && typeof value === 'object' && (value as CryptoKey).type === type && typeof (value as CryptoKey).algorithm === 'object'
  );
}
