import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import { dpopKeyPairStoreOf } from '../core/dpop-key-pair-store.js';
import { isCryptoKey } from '../jose/import-key.js';
import { dpopAlgOf, generateDPoPKeyPair } from './key-pair.js';
import { createDPoPProofMaker } from './proof-maker.js';

/** Marks a storage shared by processes or tabs (redisStorage, a shared browserStorage); Symbol.for: any package copy. */
const SHARED_ACROSS_PROCESSES = Symbol.for('axios-oauth-lock.sharedAcrossProcesses');

/**
 * The proof maker for `attachOAuth({ dpop })`, checked at attach time: `true` makes a key pair for this manager
 * (generated on first use: key generation is async), a CryptoKeyPair is used as it is. With a storage that keeps
 * DPoP keys (a shared browserStorage), `true` uses the one key pair stored there, made by the first tab that needs it.
 * A per-process key with any other storage that processes share would share a token no other process can use (it
 * is bound to this process's key): that is refused.
 * @see RFC 9449 §4.2
 */
export function resolveDPoPOption(value: unknown, storage: unknown, path: string): DPoPProofMaker | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) {
    const keyPairStore = dpopKeyPairStoreOf(storage);
    // Each attempt asks the store again (a failed load is retried by the next proof); see createDPoPProofMaker.
    if (keyPairStore !== undefined) return createDPoPProofMaker(() => keyPairStore(() => generateDPoPKeyPair()));
    if (storage !== null && typeof storage === 'object' && (storage as Record<symbol, unknown>)[SHARED_ACROSS_PROCESSES] === true) {
      throw new TypeError(
        `"${path}" true makes a key per process (or tab), but "options.storage" is shared by processes or tabs: a token bound to one key is useless to the others. Pass one key pair to every process (dpop: keyPair, the same CryptoKeyPair in each)`,
      );
    }
    return createDPoPProofMaker(() => generateDPoPKeyPair());
  }
  if (
    value === null ||
    typeof value !== 'object' ||
    !isCryptoKey((value as CryptoKeyPair).privateKey) ||
    !isCryptoKey((value as CryptoKeyPair).publicKey)
  ) {
    throw new TypeError(`"${path}" must be true or a CryptoKeyPair (see generateDPoPKeyPair())`);
  }
  const pair = value as CryptoKeyPair;
  if (pair.privateKey.type !== 'private' || !pair.privateKey.usages.includes('sign') || pair.publicKey.type !== 'public') {
    throw new TypeError(`"${path}" must be a key pair whose private key may 'sign'`);
  }
  if (dpopAlgOf(pair.privateKey) === undefined) throw new TypeError(`"${path}" must be an ES256, EdDSA, RS256 or PS256 key pair`);
  return createDPoPProofMaker(pair);
}
