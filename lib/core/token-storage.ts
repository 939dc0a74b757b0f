import type { Token } from './token.js';

/**
 * Where tokens live beyond one token manager: another tab, another process, a restart. Every method may be
 * synchronous or return a promise. A storage that throws or rejects never fails a request that a local refresh
 * can serve: the manager falls back to its own single flight and reports the failure to `onBackgroundError`.
 *
 * The optional coordination members turn the single flight of one realm into one across realms:
 * - `withLock(fn)` runs `fn` while holding a lock shared by every realm using the same storage. The manager calls
 *   it around a refresh and, inside it, **re-reads the storage first**: when another realm already refreshed, the
 *   stored token is adopted and the token source is not called.
 * - `subscribe(listener)` tells this realm about tokens written elsewhere, so it picks them up without refreshing.
 */
export interface TokenStorage {
  /** The stored token, or `null` when there is none. */
  get(): Token | null | Promise<Token | null>;
  /** Stores a new token (called once per new token, after `onTokenUpdate`'s turn). */
  set(token: Token): void | Promise<void>;
  /** Removes the token (on `clear()`, `revoke()` and a terminal `invalid_grant`). */
  delete(): void | Promise<void>;
  /**
   * Runs `fn` under a lock shared with every other realm using this storage, and resolves with its result.
   * Must release the lock however `fn` settles, and give up (reject) when `signal` aborts while waiting. A failed
   * release may reject: the manager keeps the token `fn` produced and reports the failure.
   */
  withLock?<T>(fn: () => Promise<T>, signal: AbortSignal): Promise<T>;
  /**
   * Calls `listener` with each token another realm stores (`null` when it deletes it), not with this storage
   * object's own writes. Returns an unsubscribe function.
   */
  subscribe?(listener: (token: Token | null) => void): () => void;
}
