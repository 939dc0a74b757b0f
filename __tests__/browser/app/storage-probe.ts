import { browserStorage, type BrowserStorageOptions, type BrowserTokenStorage, type Token } from '../../../lib/index.js';

/*
 * Drives browserStorage() from inside a page for the unit-level browser tests: storages, held locks and the tokens
 * each subscription received are kept here by name, so the test (in Node) can reach them across page.evaluate calls.
 */

const storages = new Map<string, BrowserTokenStorage>();
const received = new Map<string, Array<Token | null>>();
const lockLog: string[] = [];
const releases = new Map<string, (fail: boolean) => void>();
const aborts = new Map<string, AbortController>();

function storage(id: string): BrowserTokenStorage {
  const found = storages.get(id);
  if (found === undefined) throw new Error(`no storage "${id}" in this page`);
  return found;
}

export const storageProbe = {
  open(id: string, options: BrowserStorageOptions) {
    const created = browserStorage(options);
    storages.set(id, created);
    return { shared: created.shared, withLock: typeof created.withLock, subscribe: typeof created.subscribe };
  },
  get: async (id: string) => storage(id).get(),
  set: async (id: string, token: Token) => storage(id).set(token),
  delete: async (id: string) => storage(id).delete(),
  listen(id: string) {
    const tokens: Array<Token | null> = [];
    received.set(id, tokens);
    storage(id).subscribe!((token) => tokens.push(token));
  },
  received: (id: string) => received.get(id) ?? [],
  /** Asks for the lock; once granted, holds it until {@link storageProbe.release}. Outcomes land in the lock log. */
  lock(id: string, tag: string) {
    const controller = new AbortController();
    aborts.set(tag, controller);
    const held = (): Promise<void> => {
      lockLog.push(`${tag} enter`);
      return new Promise((resolve, reject) => releases.set(tag, (fail) => (fail ? reject(new Error('fn failed')) : resolve())));
    };
    storage(id).withLock!(held, controller.signal).then(
      () => lockLog.push(`${tag} released`),
      (error: Error) => lockLog.push(`${tag} rejected ${error.name}`),
    );
  },
  release(tag: string, fail = false) {
    lockLog.push(`${tag} exit`);
    releases.get(tag)!(fail);
  },
  abort: (tag: string) => aborts.get(tag)!.abort(),
  lockLog: () => lockLog.slice(),
  /** How many lock requests of this origin are waiting, from the Web Locks API's own view. */
  pendingLocks: async () => ((await navigator.locks.query()).pending ?? []).length,
  /** The record as IndexedDB holds it, read without browserStorage. */
  readRaw: (databaseName: string, key: string) =>
    new Promise<unknown>((resolve, reject) => {
      const open = indexedDB.open(databaseName);
      open.onerror = () => reject(open.error ?? new Error('indexedDB.open failed'));
      open.onsuccess = () => {
        const request = open.result.transaction('tokens').objectStore('tokens').get(key);
        request.onsuccess = () => {
          open.result.close();
          resolve(request.result);
        };
        request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
      };
    }),
};
