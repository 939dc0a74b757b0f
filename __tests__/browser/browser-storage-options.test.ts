import { browserStorage, type BrowserStorageOptions } from '../../lib/storage';
import type { Token } from '../../lib/core/token';

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

  it("does not share one instance's token with another instance in the same realm", async () => {
    await browserStorage({ key: 'same-key' }).set(token);

    expect(await browserStorage({ key: 'same-key' }).get()).toBeNull();
  });
});
