import { ErrorCode, TokenManager, TokenRefreshError, type Token, type TokenSourceContext, type TokenStorage } from '../../lib/index.js';
import { deferred } from '../support/fake-api.js';

/*
 * A refresh with a storage that coordinates realms (tabs, processes): what is read under the lock, which refresh
 * token the source is handed, and what happens when the storage or its lock fails (issue 9, "Tests that can fail";
 * RFC 9700 §4.14.2: a rotated refresh token must be redeemed once).
 */

const START = Date.UTC(2026, 0, 1);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

const token = (accessToken: string, fields: Partial<Token> = {}): Token => ({
  accessToken,
  tokenType: 'Bearer',
  obtainedAt: START,
  ...fields,
});

/** A storage another realm writes to behind our back (`stored = …`), with no subscribe: only a re-read sees it. */
function quietStorage(options: { keepRefreshTokens?: boolean } = {}) {
  const state = { stored: null as unknown };
  const storage = {
    get: jest.fn(() => state.stored as Token | null),
    set: jest.fn((t: Token) => {
      state.stored = options.keepRefreshTokens === false ? { ...t, refreshToken: undefined } : t;
    }),
    delete: jest.fn(() => {
      state.stored = null;
    }),
  } satisfies TokenStorage;
  return { storage, state };
}

/** A source that counts its calls and returns t1/r1, t2/r2, … with the given lifetime. */
function source(expiresIn = 60) {
  const calls: TokenSourceContext[] = [];
  const fetchToken = jest.fn(async (ctx: TokenSourceContext) => {
    calls.push(ctx);
    return { accessToken: `t${calls.length}`, refreshToken: `r${calls.length}`, expiresIn };
  });
  return { fetchToken, calls };
}

describe('a storage without withLock', () => {
  it('refreshes through the storage with nothing reported', async () => {
    const { storage } = quietStorage();
    const onBackgroundError = jest.fn();
    const { fetchToken } = source();
    const manager = new TokenManager({ fetchToken, storage, onBackgroundError });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't1' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(storage.set).toHaveBeenCalledTimes(1);
    expect(onBackgroundError).not.toHaveBeenCalled();
  });
});

describe('what is re-read from storage when our token expired', () => {
  async function expiredManager(storageOptions?: { keepRefreshTokens?: boolean }) {
    const { storage, state } = quietStorage(storageOptions);
    const { fetchToken, calls } = source();
    const manager = new TokenManager({ fetchToken, storage, refreshBufferSeconds: 0 });
    await manager.getToken(); // t1, expires at START + 60 s
    await jest.advanceTimersByTimeAsync(60_000);
    return { manager, state, fetchToken, calls };
  }

  it('adopts a token another realm stored, with no expiry of its own, and does not call the source', async () => {
    const { manager, state, fetchToken } = await expiredManager();
    state.stored = token('other-realm');
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'other-realm' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('does not adopt a stored token that expires at this very instant', async () => {
    const { manager, state, fetchToken } = await expiredManager();
    state.stored = token('other-realm', { expiresAt: Date.now(), refreshToken: 'r-other' });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't2' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('hands the source our own refresh token when the storage keeps refresh tokens out of our stored token', async () => {
    const { manager, state, calls } = await expiredManager({ keepRefreshTokens: false });
    expect(state.stored).toMatchObject({ accessToken: 't1', refreshToken: undefined });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't2' });
    expect(calls[1]!.lastToken).toMatchObject({ accessToken: 't1', refreshToken: 'r1' });
  });

  it('hands the source the refresh token another realm rotated, never our old one (RFC 9700 §4.14.2)', async () => {
    const { manager, state, calls } = await expiredManager();
    state.stored = token('other-realm', { expiresAt: START, refreshToken: 'r-rotated' });
    await manager.getToken();
    expect(calls[1]!.lastToken).toMatchObject({ accessToken: 'other-realm', refreshToken: 'r-rotated' });
  });

  it('hands the source the rotated refresh token stored with our own access token (a server that re-issued the same one)', async () => {
    const { manager, state, calls } = await expiredManager();
    state.stored = token('t1', { expiresAt: START + 60_000, refreshToken: 'r-rotated' });
    await manager.getToken();
    expect(calls[1]!.lastToken).toMatchObject({ accessToken: 't1', refreshToken: 'r-rotated' });
  });

  it("does not pair our refresh token with another realm's token that carries none (ours was likely rotated away)", async () => {
    const { manager, state, calls } = await expiredManager();
    state.stored = token('other-realm', { expiresAt: START });
    await manager.getToken();
    expect(calls[1]!.lastToken).toMatchObject({ accessToken: 'other-realm' });
    expect(calls[1]!.lastToken?.refreshToken).toBeUndefined();
  });
});

describe('a refresh while our own stored token is still valid', () => {
  it('is not answered with that same token: refresh() and a 401 get a new one from the source', async () => {
    const { storage } = quietStorage();
    const { fetchToken } = source(3600);
    const manager = new TokenManager({ fetchToken, storage });
    await manager.getToken(); // t1, stored, valid for an hour
    await expect(manager.refresh()).resolves.toMatchObject({ accessToken: 't2' });
    await expect(manager.tokenAfterRejection(manager.generation)).resolves.toMatchObject({ accessToken: 't3' });
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });
});

describe('a fresh realm (no token of its own) and what storage holds', () => {
  it('hands the source an expired stored token as the one to replace', async () => {
    const { storage, state } = quietStorage();
    state.stored = token('stale', { expiresAt: START - 1 });
    const { fetchToken, calls } = source();
    const manager = new TokenManager({ fetchToken, storage });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't1' });
    expect(calls[0]!.lastToken).toMatchObject({ accessToken: 'stale' });
  });

  it('treats something that is not a token as an empty storage', async () => {
    const { storage, state } = quietStorage();
    state.stored = { hello: 'world' };
    const onBackgroundError = jest.fn();
    const { fetchToken, calls } = source();
    const manager = new TokenManager({ fetchToken, storage, onBackgroundError });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't1' });
    expect(calls[0]!.lastToken).toBeNull();
    expect(onBackgroundError).not.toHaveBeenCalled();
  });

  it('reports a storage that cannot be read, and refreshes anyway', async () => {
    const readError = new Error('storage unreadable');
    const storage: TokenStorage = { get: () => Promise.reject(readError), set: () => undefined, delete: () => undefined };
    const onBackgroundError = jest.fn();
    const { fetchToken } = source();
    const manager = new TokenManager({ fetchToken, storage, onBackgroundError });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't1' });
    expect(onBackgroundError).toHaveBeenCalledTimes(1);
    expect(onBackgroundError).toHaveBeenCalledWith(readError);
  });
});

describe('the shared lock', () => {
  function lockedStorage(withLock: (fn: () => Promise<unknown>, signal: AbortSignal) => Promise<unknown>) {
    const { storage, state } = quietStorage();
    return { storage: { ...storage, withLock } as TokenStorage, state };
  }

  it('keeps the token when only releasing the lock failed, and reports the failure once', async () => {
    const releaseError = new Error('unlock failed');
    const { storage } = lockedStorage(async (fn) => {
      await fn();
      throw releaseError;
    });
    const onBackgroundError = jest.fn();
    const { fetchToken } = source();
    const manager = new TokenManager({ fetchToken, storage, onBackgroundError });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't1' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(onBackgroundError.mock.calls).toEqual([[releaseError]]);
  });

  it('refreshes locally, once, when the lock is unavailable (e.g. Redis down), and reports why', async () => {
    const lockError = new Error('lock service down');
    const { storage } = lockedStorage(() => Promise.reject(lockError));
    const onBackgroundError = jest.fn();
    const { fetchToken } = source();
    const manager = new TokenManager({ fetchToken, storage, onBackgroundError });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't1' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(onBackgroundError.mock.calls).toEqual([[lockError]]);
  });

  it('does not call a failing source a second time outside the lock', async () => {
    const { storage } = lockedStorage(async (fn) => fn());
    const onBackgroundError = jest.fn();
    const fetchToken = jest.fn(async () => Promise.reject(new Error('server says no')));
    const manager = new TokenManager({ fetchToken, storage, onBackgroundError });
    await expect(manager.getToken()).rejects.toBeInstanceOf(TokenRefreshError);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(onBackgroundError).not.toHaveBeenCalled();
  });

  it('gives up when the lock is not granted within refreshTimeoutMs, and then never calls the source', async () => {
    const { storage } = lockedStorage(
      (_fn, signal) =>
        new Promise((_, reject) => signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')))),
    );
    const onBackgroundError = jest.fn();
    const { fetchToken } = source();
    const manager = new TokenManager({ fetchToken, storage, onBackgroundError, refreshTimeoutMs: 5000 });
    const result = manager.getToken().catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(5000);
    expect(await result).toMatchObject({
      code: ErrorCode.REFRESH_TIMEOUT,
      message: 'Failed to refresh token: the token source did not answer within 5000 ms',
    });
    await jest.advanceTimersByTimeAsync(1000);
    expect(fetchToken).not.toHaveBeenCalled();
    expect(onBackgroundError).not.toHaveBeenCalled();
  });

  it('re-reads the storage inside the lock: a token another realm stored while we waited is adopted', async () => {
    const gate = deferred<void>();
    const { storage, state } = lockedStorage(async (fn) => {
      await gate.promise;
      return fn();
    });
    const { fetchToken } = source();
    const manager = new TokenManager({ fetchToken, storage });
    const pending = manager.getToken();
    state.stored = token('other-realm', { expiresAt: START + 600_000 });
    gate.resolve();
    await expect(pending).resolves.toMatchObject({ accessToken: 'other-realm' });
    expect(fetchToken).not.toHaveBeenCalled();
  });
});
