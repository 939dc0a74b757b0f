import type { Token } from '../core/token.js';
import { createIdbStore } from './idb.js';
import { createBrowserDPoPKeyStore } from './browser-dpop-key.js';
import { DPOP_KEY_PAIR_STORE } from '../core/dpop-key-pair-store.js';
import { createRefreshTokenRelay, type RefreshTokenRelay } from './refresh-token-relay.js';
import { createTabChannel, type TabMessage } from './tab-channel.js';
import type { TokenStorage } from '../core/token-storage.js';
import { isToken, withoutRefreshToken } from '../core/token-record.js';

/** The browser APIs the shared mode is built on; `BroadcastChannel` is optional (no `subscribe` without it). */
export interface BrowserApis {
  locks: LockManager;
  indexedDB: IDBFactory;
  BroadcastChannel: typeof BroadcastChannel | undefined;
}

export interface SharedStorageSettings {
  key: string;
  databaseName: string;
  storeRefreshToken: boolean;
  refreshTokenWaitMs: number;
}

/**
 * The storage every tab of the origin shares: the token in IndexedDB (read under the lock), the lock from Web Locks,
 * new tokens announced over a BroadcastChannel.
 */
export function createSharedBrowserStorage(apis: BrowserApis, settings: SharedStorageSettings): TokenStorage {
  // Both names carry the database, so two storages with the same key in different databases stay apart.
  const name = `axios-oauth-lock:${settings.databaseName}:${settings.key}`;
  const store = createIdbStore(apis.indexedDB, settings.databaseName);
  const listeners = new Set<(token: Token | null) => void>();
  let relay: RefreshTokenRelay | null = null;
  const channel = apis.BroadcastChannel === undefined ? null : createTabChannel(apis.BroadcastChannel, name, (message) => receive(message));
  if (!settings.storeRefreshToken && channel !== null) relay = createRefreshTokenRelay(channel.post, settings.refreshTokenWaitMs);
  // A tab keeping refresh tokens in memory must hear `ask` from its first moment, not only once it subscribes.
  if (relay !== null) channel?.open();

  function receive(message: TabMessage): void {
    if (message.type === 'set' && message.token.refreshToken !== undefined)
      relay?.remember(message.token.accessToken, message.token.refreshToken);
    if (message.type === 'delete') relay?.forget();
    if (message.type === 'ask') relay?.answer(message.accessToken);
    if (message.type === 'share') relay?.remember(message.accessToken, message.refreshToken);
    if (message.type === 'set' || message.type === 'delete') {
      const token = message.type === 'set' ? message.token : null;
      listeners.forEach((listener) => listener(token));
    }
  }

  const storage: TokenStorage = {
    async get() {
      const record = await store.get(settings.key);
      if (!isToken(record)) return null;
      return relay === null ? record : relay.complete(record);
    },
    async set(token) {
      await store.put(settings.key, settings.storeRefreshToken ? token : withoutRefreshToken(token));
      if (token.refreshToken !== undefined) relay?.remember(token.accessToken, token.refreshToken);
      channel?.post({ type: 'set', token });
    },
    async delete() {
      await store.delete(settings.key);
      relay?.forget();
      channel?.post({ type: 'delete' });
    },
    // Web Locks releases the lock when the callback's promise settles, and rejects a request whose signal aborts.
    withLock: async (fn, signal) => await apis.locks.request(name, { mode: 'exclusive', signal }, () => fn()),
  };
  // `dpop: true` with this storage signs with the key pair kept next to the token (issue 11).
  Object.defineProperty(storage, DPOP_KEY_PAIR_STORE, { value: createBrowserDPoPKeyStore(store, apis.locks, name, settings.key) });
  if (channel !== null) {
    storage.subscribe = (listener) => {
      channel.open();
      listeners.add(listener);
      return () => void listeners.delete(listener);
    };
  }
  return storage;
}
