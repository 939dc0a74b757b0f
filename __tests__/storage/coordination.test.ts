import {
  ErrorCode,
  OAuthError,
  TokenManager,
  memoryStorage,
  type Token,
  type TokenSourceContext,
  type TokenStorage,
} from '../../lib/index.js';
import { deferred } from '../support/fake-api.js';

/** A token source shared by several managers, as an authorization server would be: it counts every call. */
function sharedSource(expiresIn = 3600) {
  let calls = 0;
  return jest.fn(async () => ({ accessToken: `t${++calls}`, refreshToken: `r${calls}`, expiresIn }));
}

const stored = (accessToken: string, expiresAt = Date.now() + 3_600_000, refreshToken?: string): Token => ({
  accessToken,
  tokenType: 'Bearer',
  expiresAt,
  obtainedAt: Date.now(),
  ...(refreshToken ? { refreshToken } : {}),
});

describe('managers sharing a coordinating storage', () => {
  it('fetches once for two cold managers asking at once; the second adopts the stored token', async () => {
    const storage = memoryStorage();
    const fetchToken = sharedSource();
    const a = new TokenManager({ fetchToken, storage });
    const b = new TokenManager({ fetchToken, storage });
    const tokens = await Promise.all([a.getToken(), b.getToken(), a.getToken(), b.getToken()]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['t1']));
  });

  it('refreshes once per expiry across managers', async () => {
    jest.useFakeTimers({ now: Date.UTC(2026, 0, 1) });
    try {
      const storage = memoryStorage();
      const fetchToken = sharedSource(60);
      const managers = [1, 2, 3].map(() => new TokenManager({ fetchToken, storage, refreshBufferSeconds: 0 }));
      await Promise.all(managers.map((m) => m.getToken()));
      for (let expiry = 1; expiry <= 3; expiry++) {
        await jest.advanceTimersByTimeAsync(60_000);
        await Promise.all(managers.flatMap((m) => [m.getToken(), m.getToken()]));
        expect(fetchToken).toHaveBeenCalledTimes(1 + expiry);
      }
    } finally {
      jest.useRealTimers();
    }
  });

  it('adopts a token another manager already refreshed after a 401, instead of refreshing again', async () => {
    const storage = memoryStorage();
    const fetchToken = sharedSource();
    const a = new TokenManager({ fetchToken, storage });
    const b = new TokenManager({ fetchToken, storage });
    await Promise.all([a.getToken(), b.getToken()]);
    const t2 = await a.tokenAfterRejection(a.generation); // the server revoked t1
    const adopted = await b.tokenAfterRejection(b.generation); // b's own 401 for t1 arrives later
    expect(t2.accessToken).toBe('t2');
    expect(adopted.accessToken).toBe('t2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('starts from a valid stored token without calling the source', async () => {
    const storage = memoryStorage();
    await storage.set(stored('from-storage'));
    const fetchToken = sharedSource();
    const manager = new TokenManager({ fetchToken, storage });
    expect((await manager.getToken()).accessToken).toBe('from-storage');
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it('hands the source an expired stored token, so its refresh token is redeemed after a restart', async () => {
    const storage = memoryStorage();
    await storage.set(stored('old', Date.now() - 1000, 'stored-refresh'));
    const fetchToken = jest.fn(async () => ({ accessToken: 'fresh', expiresIn: 60 }));
    const manager = new TokenManager({ fetchToken, storage });
    const token = await manager.getToken();
    expect(fetchToken).toHaveBeenCalledWith(
      expect.objectContaining({ lastToken: expect.objectContaining({ refreshToken: 'stored-refresh' }) }),
    );
    expect(token.refreshToken).toBe('stored-refresh'); // kept: the response had none (RFC 6749 §6)
    expect((await storage.get())?.accessToken).toBe('fresh');
  });

  it("never redeems its own refresh token for another realm's stored token that lacks one (rotation)", async () => {
    const storage = memoryStorage();
    const fetchToken = jest.fn(async (_ctx: TokenSourceContext) => ({ accessToken: 'next', expiresIn: 60 }));
    const manager = new TokenManager({ fetchToken, storage, initialToken: { accessToken: 'mine', refreshToken: 'r-mine', expiresIn: 60 } });
    await storage.set(stored('other-tab', Date.now() - 1)); // expired, its refresh token kept out of storage
    await manager.tokenAfterRejection(manager.generation);
    expect(fetchToken.mock.calls[0]![0]).toMatchObject({ lastToken: { accessToken: 'other-tab' } });
    expect(fetchToken.mock.calls[0]![0].lastToken?.refreshToken).toBeUndefined();
  });

  it('deletes the stored token on clear() and on a terminal invalid_grant', async () => {
    const storage = memoryStorage();
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce('t1')
      .mockRejectedValueOnce(new OAuthError({ error: 'invalid_grant' }));
    const manager = new TokenManager({ fetchToken, storage });
    await manager.getToken();
    await expect(manager.refresh()).rejects.toMatchObject({ code: ErrorCode.REFRESH_FAILED });
    await Promise.resolve();
    expect(await storage.get()).toBeNull();
    manager.setToken('again');
    await Promise.resolve();
    expect((await storage.get())?.accessToken).toBe('again');
    manager.clear();
    await Promise.resolve();
    expect(await storage.get()).toBeNull();
  });
});

describe('a storage that fails', () => {
  it('never fails a request a local refresh can serve, and reports every storage failure', async () => {
    const broken: TokenStorage = {
      get: () => Promise.reject(new Error('redis down (get)')),
      set: () => {
        throw new Error('quota exceeded (set)');
      },
      delete: () => undefined,
      withLock: () => Promise.reject(new Error('redis down (lock)')),
    };
    const onBackgroundError = jest.fn();
    const fetchToken = sharedSource();
    const manager = new TokenManager({ fetchToken, storage: broken, onBackgroundError });
    const tokens = await Promise.all([manager.getToken(), manager.getToken()]);
    expect(tokens.map((t) => t.accessToken)).toEqual(['t1', 't1']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(onBackgroundError.mock.calls.map(([e]) => (e as Error).message)).toEqual([
      'redis down (lock)',
      'redis down (get)',
      'quota exceeded (set)',
    ]);
  });

  it('keeps the token when the lock fails only to release', async () => {
    const storage = memoryStorage();
    const onBackgroundError = jest.fn();
    const leaky: TokenStorage = { ...storage, withLock: async (fn) => (await fn(), Promise.reject(new Error('release failed'))) };
    const manager = new TokenManager({ fetchToken: sharedSource(), storage: leaky, onBackgroundError });
    expect((await manager.getToken()).accessToken).toBe('t1');
    expect(onBackgroundError).toHaveBeenCalledWith(expect.objectContaining({ message: 'release failed' }));
  });

  it('gives up with ERR_TOKEN_REFRESH_TIMEOUT when the lock is never granted, and aborts the wait', async () => {
    jest.useFakeTimers();
    try {
      let waitSignal: AbortSignal | undefined;
      const stuck: TokenStorage = {
        ...memoryStorage(),
        withLock: (_fn, signal) => ((waitSignal = signal), new Promise<never>(() => undefined)),
      };
      const fetchToken = sharedSource();
      const manager = new TokenManager({ fetchToken, storage: stuck, refreshTimeoutMs: 2000 });
      const waiting = manager.getToken().catch((e: unknown) => e);
      await jest.advanceTimersByTimeAsync(2000);
      expect(await waiting).toMatchObject({ code: ErrorCode.REFRESH_TIMEOUT });
      expect(waitSignal?.aborted).toBe(true);
      expect(fetchToken).not.toHaveBeenCalled();
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('tokens stored elsewhere', () => {
  function subscribable() {
    let listener: ((token: Token | null) => void) | undefined;
    const storage: TokenStorage = { ...memoryStorage(), subscribe: (l) => ((listener = l), () => (listener = undefined)) };
    return { storage, emit: (token: Token | null) => listener?.(token), isSubscribed: () => listener !== undefined };
  }

  it('takes a token another realm stored without refreshing, and drops it when another realm deletes it', async () => {
    const { storage, emit } = subscribable();
    const fetchToken = sharedSource();
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken, storage, onTokenUpdate });
    await manager.getToken();
    emit(stored('from-other-tab'));
    expect(manager.peek()?.accessToken).toBe('from-other-tab');
    expect(onTokenUpdate).toHaveBeenLastCalledWith(expect.objectContaining({ accessToken: 'from-other-tab' }));
    emit(null);
    expect(manager.token).toBeNull();
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('lets its own refresh in flight win over a token heard meanwhile', async () => {
    const { storage, emit } = subscribable();
    const gate = deferred<string>();
    const manager = new TokenManager({ fetchToken: () => gate.promise, storage });
    const waiting = manager.getToken();
    await Promise.resolve();
    emit(stored('heard'));
    gate.resolve('mine');
    expect((await waiting).accessToken).toBe('mine');
  });

  it('unsubscribes on dispose()', () => {
    const { storage, isSubscribed } = subscribable();
    const manager = new TokenManager({ fetchToken: sharedSource(), storage });
    expect(isSubscribed()).toBe(true);
    manager.dispose();
    expect(isSubscribed()).toBe(false);
  });
});
