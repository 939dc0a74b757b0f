/*
 * A minimal IndexedDB key-value store: one object store, one connection per store object, opened on first use.
 * IndexedDB rather than localStorage because the browser process serves every tab's reads from one backing store:
 * a tab that takes the cross-tab lock right after another tab committed a rotated refresh token reads that token,
 * whereas Chromium's per-process localStorage cache can still hand back the consumed one (issue 5).
 */

const OBJECT_STORE = 'tokens';
const DB_VERSION = 1;

/** One IndexedDB database holding records by key. Every method rejects on an IndexedDB failure. */
export interface IdbStore {
  get(key: IDBValidKey): Promise<unknown>;
  put(key: IDBValidKey, value: unknown): Promise<void>;
  delete(key: IDBValidKey): Promise<void>;
}

/** A store over `databaseName`, opened on first use and reopened after another connection closed it. */
export function createIdbStore(factory: IDBFactory, databaseName: string): IdbStore {
  let connection: Promise<IDBDatabase> | null = null;
  const database = (): Promise<IDBDatabase> => {
    connection ??= open(factory, databaseName, () => {
      connection = null;
    });
    // A failed open (blocked, quota, private mode) must not poison every later call: the next one tries again.
    connection.catch(() => {
      connection = null;
    });
    return connection;
  };
  const run = async <T>(mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const db = await database();
    return transact(db, mode, action);
  };
  return {
    get: (key) => run('readonly', (store) => store.get(key)),
    put: async (key, value) => {
      await run('readwrite', (store) => store.put(value, key));
    },
    delete: async (key) => {
      await run('readwrite', (store) => store.delete(key));
    },
  };
}

function open(factory: IDBFactory, name: string, onClosed: () => void): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = factory.open(name, DB_VERSION);
    request.onupgradeneeded = () => {
      if (!request.result.objectStoreNames.contains(OBJECT_STORE)) request.result.createObjectStore(OBJECT_STORE);
    };
    request.onsuccess = () => {
      const db = request.result;
      // Another tab deleting or upgrading the database waits for every open connection: close ours, reopen later.
      db.onversionchange = () => {
        db.close();
        onClosed();
      };
      db.onclose = onClosed;
      resolve(db);
    };
    request.onerror = () => reject(request.error ?? new Error('IndexedDB open failed'));
    request.onblocked = () => reject(new Error('IndexedDB open is blocked by another connection'));
  });
}

/** Resolves once the transaction has committed, so a tab taking the lock next reads what was written here. */
function transact<T>(db: IDBDatabase, mode: IDBTransactionMode, action: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    const tx = db.transaction(OBJECT_STORE, mode);
    const request = action(tx.objectStore(OBJECT_STORE));
    tx.oncomplete = () => resolve(request.result);
    tx.onerror = () => reject(tx.error ?? request.error ?? new Error('IndexedDB transaction failed'));
    tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted'));
  });
}
