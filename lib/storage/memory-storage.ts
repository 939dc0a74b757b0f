import { abortReason, settleOrAbort } from '../core/abortable.js';
import type { Token } from '../core/token.js';
import type { TokenStorage } from '../core/token-storage.js';

/**
 * A storage in this process's memory, with an in-process lock: share one between token managers that cannot share
 * a `TokenManager` (separate modules, separate configurations) so they still refresh once. Also the reference
 * implementation of the {@link TokenStorage} contract.
 * @example
 * const shared = memoryStorage();
 * attachOAuth(apiA, { fetchToken, storage: shared });
 * attachOAuth(apiB, { fetchToken, storage: shared });
 */
export function memoryStorage(): TokenStorage {
  let stored: Token | null = null;
  let tail: Promise<void> = Promise.resolve();
  return {
    get: () => stored,
    set: (token) => {
      stored = token;
    },
    delete: () => {
      stored = null;
    },
    async withLock<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T> {
      const previous = tail;
      let release!: () => void;
      const mine = new Promise<void>((resolve) => (release = resolve));
      // Chained on `previous`, so a waiter that gives up early never lets the next one overlap the holder.
      tail = previous.then(() => mine);
      try {
        await settleOrAbort(previous, signal, () => abortReason(signal));
        return await fn();
      } finally {
        release();
      }
    },
  };
}
