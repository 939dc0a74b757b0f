import { createBrowserDPoPKeyStore } from '../../lib/storage/browser-dpop-key';
import type { IdbStore } from '../../lib/storage/idb';
import { generateDPoPKeyPair } from '../../lib/dpop/key-pair';

/** One origin's IndexedDB database: records by key (array keys compared by their JSON, as IndexedDB compares them). */
function fakeDatabase(failPuts = 0) {
  const records = new Map<string, unknown>();
  const store: IdbStore = {
    get: async (key) => records.get(JSON.stringify(key)),
    put: async (key, value) => {
      if (failPuts-- > 0) throw new Error('QuotaExceededError');
      records.set(JSON.stringify(key), value);
    },
    delete: async (key) => void records.delete(JSON.stringify(key)),
  };
  return { records, store };
}

/** Web Locks for one origin: exclusive, granted in request order, released when the callback settles. */
function fakeLocks() {
  const tails = new Map<string, Promise<unknown>>();
  const names: string[] = [];
  const locks = {
    request(name: string, _options: unknown, callback: () => Promise<unknown>) {
      names.push(name);
      const granted = (tails.get(name) ?? Promise.resolve()).then(callback);
      tails.set(
        name,
        granted.catch(() => undefined),
      );
      return granted;
    },
  } as unknown as LockManager;
  return { locks, names };
}

describe('the DPoP key pair of a shared browserStorage (issue 11)', () => {
  it('makes one key pair for two tabs that start at once, and both sign with it', async () => {
    const { records, store } = fakeDatabase();
    const { locks, names } = fakeLocks();
    const tabA = createBrowserDPoPKeyStore(store, locks, 'axios-oauth-lock:db:api', 'api');
    const tabB = createBrowserDPoPKeyStore(store, locks, 'axios-oauth-lock:db:api', 'api');
    const generate = jest.fn(() => generateDPoPKeyPair());

    const [a, b] = await Promise.all([tabA(generate), tabB(generate)]);

    expect(generate).toHaveBeenCalledTimes(1);
    expect(b).toBe(a);
    expect(a.privateKey.extractable).toBe(false);
    expect([...records.keys()]).toEqual(['["dpop-key-pair","api"]']);
    expect(names).toEqual(['axios-oauth-lock:db:api:dpop-key-pair', 'axios-oauth-lock:db:api:dpop-key-pair']);
  });

  it('loads a key pair stored earlier (a reload) and generates nothing', async () => {
    const { store } = fakeDatabase();
    const stored = await generateDPoPKeyPair();
    await store.put(['dpop-key-pair', 'api'], stored);
    const generate = jest.fn(() => generateDPoPKeyPair());

    const loaded = await createBrowserDPoPKeyStore(store, fakeLocks().locks, 'lock', 'api')(generate);

    expect(loaded).toBe(stored);
    expect(generate).not.toHaveBeenCalled();
  });

  it('keeps one key pair per storage key, apart from the token records', async () => {
    const { records, store } = fakeDatabase();
    const { locks } = fakeLocks();
    await store.put('api', { accessToken: 'at' });
    const orders = await createBrowserDPoPKeyStore(store, locks, 'lock:orders', 'orders')(generateDPoPKeyPair);
    const billing = await createBrowserDPoPKeyStore(store, locks, 'lock:billing', 'billing')(generateDPoPKeyPair);
    expect(orders).not.toBe(billing);
    expect(records.get('"api"')).toEqual({ accessToken: 'at' });
  });

  it('rejects when IndexedDB refuses the key pair, and the next call tries again', async () => {
    const { store } = fakeDatabase(1);
    const keyStore = createBrowserDPoPKeyStore(store, fakeLocks().locks, 'lock', 'api');
    const generate = jest.fn(() => generateDPoPKeyPair());

    await expect(keyStore(generate)).rejects.toThrow('QuotaExceededError');
    const pair = await keyStore(generate);

    expect(generate).toHaveBeenCalledTimes(2);
    expect(await keyStore(generate)).toBe(pair);
  });
});
