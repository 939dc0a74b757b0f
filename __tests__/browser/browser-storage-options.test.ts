import { browserStorage, type BrowserStorageOptions } from '../../lib/storage';
import type { Token } from '../../lib/core/token';
import { TokenManager } from '../../lib/core/token-manager';

// Runs in Node, which has neither Web Locks nor IndexedDB: exactly the environment of the memory fallback.

const token: Token = { accessToken: 'access', tokenType: 'Bearer', refreshToken: 'refresh', expiresAt: 2e12, obtainedAt: 1e12 };

describe('browserStorage options', () => {
  it.each<[string, unknown, ErrorConstructor, string]>([
    ['no options', undefined, TypeError, '"options" must be an object'],
    ['a missing key', {}, TypeError, '"options.key" must be a non-empty string'],
    ['an empty key', { key: '' }, TypeError, '"options.key" must be a non-empty string'],
    ['a non-boolean storeRefreshToken', { key: 'k', storeRefreshToken: 'no' }, TypeError, '"options.storeRefreshToken" must be a boolean'],
    ['an empty databaseName', { key: 'k', databaseName: '' }, TypeError, '"options.databaseName" must be a non-empty string'],
    ['a string refreshTokenWaitMs', { key: 'k', refreshTokenWaitMs: '5' }, TypeError, '"options.refreshTokenWaitMs" must be a number'],
    [
      'a negative refreshTokenWaitMs',
      { key: 'k', refreshTokenWaitMs: -1 },
      RangeError,
      '"options.refreshTokenWaitMs" must be a finite number >= 0',
    ],
    [
      'an infinite refreshTokenWaitMs',
      { key: 'k', refreshTokenWaitMs: Infinity },
      RangeError,
      '"options.refreshTokenWaitMs" must be a finite number >= 0',
    ],
  ])('rejects %s, naming the option', (_case, options, ErrorClass, message) => {
    const create = () => browserStorage(options as BrowserStorageOptions);
    expect(create).toThrow(ErrorClass);
    expect(create).toThrow(message);
  });

  it('regression: refuses a refreshTokenWaitMs that setTimeout would overflow (it fired at once)', () => {
    const create = () => browserStorage({ key: 'k', refreshTokenWaitMs: 2 ** 31 });
    expect(create).toThrow(RangeError);
    expect(create).toThrow('"options.refreshTokenWaitMs" must be a finite number >= 0 and <= 2147483647');
  });
});

describe('browserStorage without Web Locks and IndexedDB', () => {
  it('keeps the token in memory, with neither lock nor subscribe, and says it is not shared', async () => {
    const storage = browserStorage({ key: 'fallback' });

    expect(storage.shared).toBe(false);
    expect(['withLock', 'subscribe'].filter((member) => member in storage)).toEqual([]);
    expect(await storage.get()).toBeNull();
    await storage.set(token);
    expect(await storage.get()).toEqual(token);
    await storage.delete();
    expect(await storage.get()).toBeNull();
  });

  it('hands out copies, so a caller changing its token does not change the stored one', async () => {
    const storage = browserStorage({ key: 'copies' });
    const mine = { ...token };
    await storage.set(mine);
    mine.accessToken = 'changed';
    (await storage.get())!.refreshToken = 'changed too';

    expect(await storage.get()).toEqual(token);
  });

  it('regression: a token stored through a second browserStorage({ key }) object in the same tab was lost', async () => {
    const used = browserStorage({ key: 'sign-in' }); // the one attachOAuth was given
    await browserStorage({ key: 'sign-in' }).set(token); // the README's sign-in line

    expect(await used.get()).toEqual(token);
    await browserStorage({ key: 'sign-in' }).delete();
    expect(await used.get()).toBeNull();
  });

  it('keeps storages of other keys or other databases apart', async () => {
    await browserStorage({ key: 'apart' }).set(token);

    expect(await browserStorage({ key: 'apart-2' }).get()).toBeNull();
    expect(await browserStorage({ key: 'apart', databaseName: 'other-db' }).get()).toBeNull();
    expect(await browserStorage({ key: 'apart' }).get()).toEqual(token);
  });

  it('regression: a token manager adopts the token signed in through a second storage object, without fetching', async () => {
    const fetchToken = jest.fn(async () => ({ accessToken: 'fetched', expiresIn: 3600 }));
    const manager = new TokenManager({ fetchToken, storage: browserStorage({ key: 'manager-sign-in' }) });
    await browserStorage({ key: 'manager-sign-in' }).set(token);

    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'access', refreshToken: 'refresh' });
    expect(fetchToken).not.toHaveBeenCalled();
    manager.dispose();
  });
});

/** Stands in for the browser: Web Locks that grant at once, and an IndexedDB whose every open fails. */
function withFailingBrowserApis(channel: boolean, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    const scope = globalThis as Record<string, unknown>;
    const saved = { navigator: scope.navigator, indexedDB: scope.indexedDB, BroadcastChannel: scope.BroadcastChannel };
    const failingOpen = () => {
      const request: Record<string, unknown> = { error: new Error('QuotaExceededError: the disk is full') };
      setTimeout(() => (request.onerror as () => void)());
      return request;
    };
    const locks = { request: (_name: string, _options: unknown, fn: () => Promise<unknown>) => fn() };
    Object.defineProperty(globalThis, 'navigator', { value: { locks }, configurable: true, writable: true });
    scope.indexedDB = { open: failingOpen };
    // A stand-in channel: a real one would keep Node's event loop (and jest) alive.
    if (channel)
      scope.BroadcastChannel = class {
        postMessage(): void {}
      };
    else delete scope.BroadcastChannel;
    try {
      await body();
    } finally {
      Object.defineProperty(globalThis, 'navigator', { value: saved.navigator, configurable: true, writable: true });
      if (saved.indexedDB === undefined) delete scope.indexedDB;
      else scope.indexedDB = saved.indexedDB;
      scope.BroadcastChannel = saved.BroadcastChannel;
    }
  };
}

describe('browserStorage with Web Locks and IndexedDB', () => {
  it(
    'with storeRefreshToken false and no BroadcastChannel, falls back to one memory for the whole tab',
    withFailingBrowserApis(false, async () => {
      const used = browserStorage({ key: 'no-channel', storeRefreshToken: false });
      await browserStorage({ key: 'no-channel', storeRefreshToken: false }).set(token);

      expect(used.shared).toBe(false);
      expect(await used.get()).toEqual(token);
    }),
  );

  it(
    'reports a failed write and a failed delete to onBackgroundError, and the token still serves this tab',
    withFailingBrowserApis(true, async () => {
      const storage = browserStorage({ key: 'failing-idb' });
      expect(storage.shared).toBe(true);
      const reported: Error[] = [];
      const manager = new TokenManager({
        fetchToken: jest.fn(async () => ({ accessToken: 'fetched', expiresIn: 3600 })),
        storage,
        onBackgroundError: (error) => reported.push(error),
      });

      manager.setToken({ accessToken: 'signed-in', expiresIn: 3600 });
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(reported.map((e) => e.message)).toEqual(['QuotaExceededError: the disk is full']);
      expect(manager.token?.accessToken).toBe('signed-in');

      manager.clear();
      await new Promise((resolve) => setTimeout(resolve, 10));
      expect(reported.map((e) => e.message)).toEqual(['QuotaExceededError: the disk is full', 'QuotaExceededError: the disk is full']);
      manager.dispose();
    }),
  );
});
