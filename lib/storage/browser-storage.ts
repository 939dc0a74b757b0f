import type { Token } from '../core/token.js';
import { durationMsOption, optionalBoolean, requireString } from '../core/validate.js';
import { createSharedBrowserStorage, type BrowserApis } from './shared-browser-storage.js';
import type { TokenStorage } from '../core/token-storage.js';

/** Options of {@link browserStorage}. */
export interface BrowserStorageOptions {
  /**
   * Names the token: every tab of the origin that uses the same key shares one token and one refresh. Use one key
   * per API and user session, e.g. `'orders-api'`.
   */
  key: string;
  /**
   * Write the refresh token to IndexedDB with the access token. `false` keeps it in the memory of the open tabs only
   * (handed from tab to tab over a BroadcastChannel): it never reaches the disk, but a tab opened when no other tab
   * is open, or a reload of the only tab, has no refresh token and must sign in again once the access token expires.
   * @default true
   */
  storeRefreshToken?: boolean;
  /** The IndexedDB database holding the tokens (one object store, `tokens`). @default 'axios-oauth-lock' */
  databaseName?: string;
  /**
   * With `storeRefreshToken: false`: how long a tab waits for another open tab to hand over the refresh token of a
   * stored access token before going on without it.
   * @default 500
   */
  refreshTokenWaitMs?: number;
}

/** What {@link browserStorage} returns: a {@link TokenStorage}, and whether it is shared between tabs. */
export interface BrowserTokenStorage extends TokenStorage {
  /**
   * `true`: tabs share the token and one refresh (Web Locks and IndexedDB are available). `false`: this browser
   * lacks one of them, so the token lives in this tab's memory only, with no `withLock` and no `subscribe`: each tab
   * refreshes on its own, as without a storage.
   */
  readonly shared: boolean;
}

/** The IndexedDB database {@link browserStorage} uses unless `databaseName` is given. */
export const DEFAULT_BROWSER_DATABASE_NAME = 'axios-oauth-lock';
/** How long a tab waits for another to hand over a memory-only refresh token, unless `refreshTokenWaitMs` is given. */
export const DEFAULT_REFRESH_TOKEN_WAIT_MS = 500;

/**
 * A token storage shared by every tab of the origin, so that all of them together make one refresh per expiry:
 * the Web Locks API serialises refreshes across tabs, the token is read under that lock from IndexedDB (whose reads
 * see what another tab just committed, unlike localStorage in Chromium), and a BroadcastChannel hands each new
 * token to the other tabs so they do not refresh at all. With single-use rotating refresh tokens this is what keeps
 * two tabs from redeeming the same refresh token and getting the token family revoked.
 *
 * Where Web Locks or IndexedDB is missing (or, with `storeRefreshToken: false`, BroadcastChannel), it falls back to
 * this tab's memory with no coordination (`shared: false`): each tab then refreshes for itself. Storage objects with
 * the same `key` and `databaseName` in one tab still share that memory.
 *
 * What is stored where: the token (access token, expiry, scope and, unless `storeRefreshToken` is `false`, the
 * refresh token) in IndexedDB under `key`, readable by any script running on the origin, as localStorage is. With
 * `attachOAuth({ dpop: true })`, the DPoP key pair too, under `['dpop-key-pair', key]`: made once by the first tab
 * that needs it, non-extractable, used by every tab (the shared token is bound to it; issue 11).
 * @example
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * attachOAuth(api, {
 *   fetchToken: refreshTokenGrant({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'spa' }),
 *   storage: browserStorage({ key: 'orders-api' }),
 * });
 * @see RFC 9700 §4.14.2 (refresh token rotation)
 */
export function browserStorage(options: BrowserStorageOptions): BrowserTokenStorage {
  const settings = validateBrowserStorageOptions(options);
  const apis = detectBrowserApis();
  // Memory-held refresh tokens travel between tabs over the channel; without one, an adopted token would be redeemed
  // with this tab's old, already rotated refresh token. Not sharing at all is the safe choice then.
  const canShare = apis !== null && (settings.storeRefreshToken || apis.BroadcastChannel !== undefined);
  if (!canShare) return localOnlyStorage(`${settings.databaseName}\u0000${settings.key}`);
  const storage = Object.assign(createSharedBrowserStorage(apis, settings), { shared: true as const });
  // Shared by tabs (issue 11): `dpop: true` then uses the key pair this storage keeps, not a per-tab one.
  Object.defineProperty(storage, Symbol.for('axios-oauth-lock.sharedAcrossProcesses'), { value: true });
  return storage;
}

function detectBrowserApis(): BrowserApis | null {
  const scope = globalThis as { navigator?: { locks?: LockManager }; indexedDB?: IDBFactory; BroadcastChannel?: typeof BroadcastChannel };
  const locks = scope.navigator?.locks;
  if (typeof locks?.request !== 'function' || typeof scope.indexedDB?.open !== 'function') return null;
  return { locks, indexedDB: scope.indexedDB, BroadcastChannel: scope.BroadcastChannel };
}

/**
 * The fallback's tokens, one per database and key, for the whole realm: every storage object with the same key sees
 * the others' writes (the sign-in line of the README writes through a second `browserStorage({ key })`; issue 9).
 */
const realmTokens = new Map<string, Token>();

/** The fallback: this tab's memory, no lock and no subscription. Copies, so the caller's object is never shared. */
function localOnlyStorage(name: string): BrowserTokenStorage {
  return {
    shared: false,
    get: () => {
      const stored = realmTokens.get(name);
      return stored === undefined ? null : { ...stored };
    },
    set: (token) => {
      realmTokens.set(name, { ...token });
    },
    delete: () => {
      realmTokens.delete(name);
    },
  };
}

function validateBrowserStorageOptions(options: BrowserStorageOptions) {
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object');
  return {
    key: requireString(options.key, 'options.key'),
    storeRefreshToken: optionalBoolean(options.storeRefreshToken, 'options.storeRefreshToken') ?? true,
    databaseName:
      options.databaseName === undefined ? DEFAULT_BROWSER_DATABASE_NAME : requireString(options.databaseName, 'options.databaseName'),
    refreshTokenWaitMs: durationMsOption(options.refreshTokenWaitMs, DEFAULT_REFRESH_TOKEN_WAIT_MS, 'options.refreshTokenWaitMs'),
  };
}
