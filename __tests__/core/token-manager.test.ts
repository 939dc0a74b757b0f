import { ErrorCode, OAuthError, TokenManager, TokenRefreshError, type TokenSourceContext } from '../../lib/index.js';
import { deferred } from '../support/fake-api.js';

const START = Date.UTC(2026, 0, 1);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

function counting(expiresIn: number | null = 3600) {
  const calls: TokenSourceContext[] = [];
  const fetchToken = jest.fn(async (ctx: TokenSourceContext) => {
    calls.push(ctx);
    return { accessToken: `t${calls.length}`, expiresIn: expiresIn ?? undefined, refreshToken: `r${calls.length}` };
  });
  return { fetchToken, calls };
}

describe('single flight', () => {
  it.each([1, 10, 1000])('gives %i concurrent callers one fetch and the same token', async (n) => {
    const { fetchToken } = counting();
    const manager = new TokenManager({ fetchToken });
    const tokens = await Promise.all(Array.from({ length: n }, () => manager.getToken()));
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(new Set(tokens.map((t) => t.accessToken))).toEqual(new Set(['t1']));
  });

  it('tells the source why it is called and hands it the last token', async () => {
    const { fetchToken, calls } = counting(120);
    const manager = new TokenManager({ fetchToken, refreshBufferSeconds: 10 });
    await manager.getToken();
    await jest.advanceTimersByTimeAsync(121_000);
    await manager.getToken();
    await manager.refresh();
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'expired', 'manual']);
    expect(calls[1]!.lastToken?.refreshToken).toBe('r1');
    expect(calls[0]!.signal).toBeInstanceOf(AbortSignal);
  });

  it('releases the lock after success: a later expiry fetches again', async () => {
    const { fetchToken } = counting(60);
    const manager = new TokenManager({ fetchToken, refreshBufferSeconds: 0 });
    await manager.getToken();
    await jest.advanceTimersByTimeAsync(60_000);
    await Promise.all([manager.getToken(), manager.getToken()]);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('releases the lock after failure: every waiter rejects, the next call recovers', async () => {
    const fetchToken = jest.fn().mockRejectedValueOnce(new Error('token endpoint down')).mockResolvedValue('good');
    const manager = new TokenManager({ fetchToken });
    const waiters = await Promise.allSettled([manager.getToken(), manager.getToken(), manager.getToken()]);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    for (const w of waiters) {
      expect(w.status).toBe('rejected');
      const reason = (w as PromiseRejectedResult).reason as TokenRefreshError;
      expect(reason).toBeInstanceOf(TokenRefreshError);
      expect(reason.code).toBe(ErrorCode.REFRESH_FAILED);
      expect(reason.message).toBe('Failed to refresh token: Error: token endpoint down');
      expect((reason.cause as Error).message).toBe('token endpoint down');
    }
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'good' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('makes refresh() join a refresh already in flight', async () => {
    const gate = deferred<string>();
    const fetchToken = jest.fn(() => gate.promise);
    const manager = new TokenManager({ fetchToken });
    const first = manager.getToken();
    const forced = manager.refresh();
    gate.resolve('only');
    await expect(Promise.all([first, forced])).resolves.toHaveLength(2);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('turns a synchronous throw in the source into a rejected refresh', async () => {
    const manager = new TokenManager({
      fetchToken: () => {
        throw new Error('sync boom');
      },
    });
    await expect(manager.getToken()).rejects.toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.REFRESH_FAILED });
  });
});

describe('proactive refresh', () => {
  it('reuses the token until expiresAt - buffer, then refreshes in the background without blocking', async () => {
    const gate = deferred<{ accessToken: string; expiresIn: number }>();
    const fetchToken = jest.fn().mockResolvedValueOnce({ accessToken: 'old', expiresIn: 600 }).mockReturnValueOnce(gate.promise);
    const manager = new TokenManager({ fetchToken, refreshBufferSeconds: 60 });
    await manager.getToken();
    jest.setSystemTime(START + 540_000 - 1); // one tick before the buffer
    expect(manager.peek()?.accessToken).toBe('old');
    expect(fetchToken).toHaveBeenCalledTimes(1);
    jest.setSystemTime(START + 540_000); // inside the buffer
    expect(manager.peek()?.accessToken).toBe('old'); // not blocked
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(fetchToken.mock.calls[1][0].reason).toBe('expiring');
    expect((await manager.getToken()).accessToken).toBe('old'); // still served while the refresh runs
    gate.resolve({ accessToken: 'new', expiresIn: 600 });
    await jest.advanceTimersByTimeAsync(0);
    expect(manager.peek()?.accessToken).toBe('new');
  });

  it('keeps serving a valid token when the background refresh fails, and retries after retryIntervalMs', async () => {
    const onBackgroundError = jest.fn();
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: 'old', expiresIn: 600 })
      .mockRejectedValueOnce(new Error('503'))
      .mockResolvedValueOnce({ accessToken: 'new', expiresIn: 600 });
    const manager = new TokenManager({ fetchToken, retryIntervalMs: 5000, onBackgroundError });
    await manager.getToken();
    jest.setSystemTime(START + 550_000);
    expect(manager.peek()?.accessToken).toBe('old');
    await jest.advanceTimersByTimeAsync(0);
    expect(onBackgroundError).toHaveBeenCalledWith(expect.objectContaining({ code: ErrorCode.REFRESH_FAILED }));
    jest.setSystemTime(START + 554_999);
    expect(manager.peek()?.accessToken).toBe('old');
    expect(fetchToken).toHaveBeenCalledTimes(2); // no retry before the interval
    jest.setSystemTime(START + 555_000);
    manager.peek();
    await jest.advanceTimersByTimeAsync(0);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    expect(manager.peek()?.accessToken).toBe('new');
  });

  it('clamps the buffer to half the lifetime, so a token shorter than the buffer does not loop', async () => {
    const { fetchToken } = counting(30); // 30 s token, 60 s buffer
    const manager = new TokenManager({ fetchToken, refreshBufferSeconds: 60 });
    await manager.getToken();
    jest.setSystemTime(START + 14_999);
    manager.peek();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    jest.setSystemTime(START + 15_000);
    manager.peek();
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('calls the source at most once per minRefreshIntervalMs when expires_in is 0', async () => {
    const { fetchToken } = counting(0);
    const manager = new TokenManager({ fetchToken, minRefreshIntervalMs: 1000 });
    for (let ms = 0; ms < 10_000; ms += 100) {
      jest.setSystemTime(START + ms);
      await manager.getToken();
    }
    expect(fetchToken).toHaveBeenCalledTimes(10);
  });

  it('treats a token with no expiry as valid until a 401 says otherwise', async () => {
    const { fetchToken } = counting(null);
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    jest.setSystemTime(START + 365 * 86_400_000);
    expect(manager.peek()?.accessToken).toBe('t1');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('refreshes when the clock is turned back before the moment the token was requested', async () => {
    const { fetchToken } = counting(3600);
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    jest.setSystemTime(START - 3_600_000);
    expect(manager.peek()).toBeUndefined();
    await manager.getToken();
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});

describe('keepFresh timer', () => {
  it('refreshes with no traffic at expiresAt - buffer and leaves no timer after dispose()', async () => {
    const { fetchToken } = counting(600);
    const manager = new TokenManager({ fetchToken, keepFresh: true, refreshBufferSeconds: 60 });
    await manager.getToken();
    await jest.advanceTimersByTimeAsync(539_999);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    manager.dispose();
    expect(jest.getTimerCount()).toBe(0);
    await jest.advanceTimersByTimeAsync(3_600_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('does not fire early or loop for a lifetime beyond 2^31-1 ms', async () => {
    const { fetchToken } = counting(365 * 86_400); // one year
    const manager = new TokenManager({ fetchToken, keepFresh: true });
    await manager.getToken();
    await jest.advanceTimersByTimeAsync(30 * 86_400_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(335 * 86_400_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    manager.dispose();
  });

  it.each([0, 1, 30])('makes a bounded number of fetches over 10 minutes for expires_in %i', async (expiresIn) => {
    const { fetchToken } = counting(expiresIn);
    const manager = new TokenManager({ fetchToken, keepFresh: true, refreshBufferSeconds: 60, minRefreshIntervalMs: 1000 });
    await manager.getToken();
    await jest.advanceTimersByTimeAsync(600_000);
    expect(fetchToken.mock.calls.length).toBeLessThanOrEqual(601);
    expect(fetchToken.mock.calls.length).toBeGreaterThan(1);
    manager.dispose();
  });

  it('retries a failed timer refresh after retryIntervalMs while the token is valid', async () => {
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: 'a', expiresIn: 600 })
      .mockRejectedValueOnce(new Error('down'))
      .mockResolvedValue({ accessToken: 'b', expiresIn: 600 });
    const manager = new TokenManager({ fetchToken, keepFresh: true, retryIntervalMs: 3000 });
    await manager.getToken();
    await jest.advanceTimersByTimeAsync(540_000);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(2_999);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(fetchToken).toHaveBeenCalledTimes(3);
    expect(manager.token?.accessToken).toBe('b');
    manager.dispose();
  });
});

describe('failure handling', () => {
  it('rejects every waiter with ERR_TOKEN_REFRESH_TIMEOUT when the source never answers, and aborts its signal', async () => {
    let signal: AbortSignal | undefined;
    const manager = new TokenManager({
      fetchToken: (ctx) => {
        signal = ctx.signal;
        return new Promise<never>(() => undefined);
      },
      refreshTimeoutMs: 5000,
    });
    const waiters = Promise.allSettled([manager.getToken(), manager.getToken()]);
    await jest.advanceTimersByTimeAsync(5000);
    const results = await waiters;
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((results[0] as PromiseRejectedResult).reason).toMatchObject({ code: ErrorCode.REFRESH_TIMEOUT });
    expect(signal?.aborted).toBe(true);
  });

  it.each([
    ['null', null, 'the token source returned null instead of a token'],
    ['an empty object', {}, 'the access token is missing or not a non-empty string'],
    ['a number token', { accessToken: 42 }, 'the access token is missing or not a non-empty string'],
    [
      'a token with a newline',
      'abc\r\nX-Evil: 1',
      'the access token has characters not allowed in an Authorization header (RFC 6750 §2.1)',
    ],
    ['garbage expires_in', { access_token: 'a', expires_in: 'soon' }, 'expires_in is not a number of seconds'],
  ])('rejects a source that returns %s with ERR_INVALID_TOKEN', async (_label, value, reason) => {
    const manager = new TokenManager({ fetchToken: async () => value as never });
    const error = await manager.getToken().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TokenRefreshError);
    expect(error).toMatchObject({ code: ErrorCode.INVALID_TOKEN, message: `Failed to refresh token: ${reason}` });
  });

  it('calls onRefreshFailed once per failed refresh, not once per waiter, and uses the token it returns', async () => {
    const onRefreshFailed = jest.fn(async () => ({ accessToken: 'from-hook', expiresIn: 60 }));
    const manager = new TokenManager({ fetchToken: async () => Promise.reject(new Error('x')), onRefreshFailed });
    const tokens = await Promise.all([manager.getToken(), manager.getToken(), manager.getToken()]);
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(onRefreshFailed).toHaveBeenCalledWith(expect.any(TokenRefreshError));
    expect(tokens.map((t) => t.accessToken)).toEqual(['from-hook', 'from-hook', 'from-hook']);
  });

  it('rejects the waiters when onRefreshFailed returns nothing or throws, and reports the throw', async () => {
    const onBackgroundError = jest.fn();
    const hookError = new Error('hook broke');
    const manager = new TokenManager({
      fetchToken: async () => Promise.reject(new Error('x')),
      onRefreshFailed: jest.fn().mockReturnValueOnce(undefined).mockRejectedValueOnce(hookError),
      onBackgroundError,
    });
    await expect(manager.getToken()).rejects.toBeInstanceOf(TokenRefreshError);
    await expect(manager.getToken()).rejects.toBeInstanceOf(TokenRefreshError);
    expect(onBackgroundError).toHaveBeenCalledWith(hookError);
  });
});

describe('token lifecycle', () => {
  it('runs onTokenUpdate once per new token and survives a throwing or rejecting hook', async () => {
    const onBackgroundError = jest.fn();
    const onTokenUpdate = jest
      .fn()
      .mockImplementationOnce(() => {
        throw new Error('persist failed');
      })
      .mockRejectedValueOnce(new Error('async persist failed'));
    const { fetchToken } = counting(60);
    const manager = new TokenManager({ fetchToken, onTokenUpdate, onBackgroundError, refreshBufferSeconds: 0 });
    await Promise.all([manager.getToken(), manager.getToken()]);
    await manager.refresh();
    await jest.advanceTimersByTimeAsync(0);
    expect(onTokenUpdate).toHaveBeenCalledTimes(2);
    expect(onTokenUpdate.mock.calls[0][0]).toMatchObject({ accessToken: 't1', expiresAt: START + 60_000 });
    expect(onBackgroundError).toHaveBeenCalledTimes(2);
  });

  it('keeps the old refresh token when a refresh omits one, and takes a rotated one (RFC 6749 §6)', async () => {
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: 'a1', refreshToken: 'r1' })
      .mockResolvedValueOnce({ accessToken: 'a2' })
      .mockResolvedValueOnce({ accessToken: 'a3', refreshToken: 'r2' });
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    expect((await manager.refresh()).refreshToken).toBe('r1');
    expect((await manager.refresh()).refreshToken).toBe('r2');
  });

  it('seeds from initialToken without calling the source or onTokenUpdate', async () => {
    const { fetchToken } = counting();
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken, onTokenUpdate, initialToken: { access_token: 'seed', expires_in: 3600 } });
    expect((await manager.getToken()).accessToken).toBe('seed');
    expect(fetchToken).not.toHaveBeenCalled();
    expect(onTokenUpdate).not.toHaveBeenCalled();
    expect(manager.generation).toBe(1);
  });

  it('rejects the waiters of a refresh abandoned by clear(), and fetches afresh afterwards', async () => {
    const gate = deferred<string>();
    const fetchToken = jest.fn().mockReturnValueOnce(gate.promise).mockResolvedValue('after-clear');
    const manager = new TokenManager({ fetchToken });
    const waiting = manager.getToken();
    manager.clear();
    gate.resolve('stale');
    await expect(waiting).rejects.toMatchObject({ code: ErrorCode.TOKEN_CLEARED });
    expect(manager.token).toBeNull();
    expect((await manager.getToken()).accessToken).toBe('after-clear');
  });

  it('hands waiters of an abandoned refresh the token setToken() installed', async () => {
    const gate = deferred<string>();
    const manager = new TokenManager({ fetchToken: () => gate.promise });
    const waiting = manager.getToken();
    manager.setToken('manual');
    gate.resolve('late');
    expect((await waiting).accessToken).toBe('manual');
    expect(manager.token?.accessToken).toBe('manual');
  });

  it('revokes through the source, then clears even when revocation fails', async () => {
    const revoke = jest.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValue(undefined);
    const fetchToken = Object.assign(
      jest.fn(async () => 'tok'),
      { revoke },
    );
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    await expect(manager.revoke()).rejects.toThrow('503');
    expect(manager.token).toBeNull();
    await manager.getToken();
    await manager.revoke();
    expect(revoke).toHaveBeenLastCalledWith(expect.objectContaining({ accessToken: 'tok' }));
  });
});

describe('401 handling', () => {
  it('refreshes once for the current generation and not at all for an older one', async () => {
    const { fetchToken } = counting();
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    const generation = manager.generation;
    const [a, b] = await Promise.all([manager.tokenAfterRejection(generation), manager.tokenAfterRejection(generation)]);
    expect(a.accessToken).toBe('t2');
    expect(b.accessToken).toBe('t2');
    const late = await manager.tokenAfterRejection(generation); // arrives after the refresh finished
    expect(late.accessToken).toBe('t2');
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(fetchToken.mock.calls[1]![0].reason).toBe('unauthorized');
  });

  it('makes new callers wait for the refresh once a 401 invalidated the token', async () => {
    const gate = deferred<string>();
    const fetchToken = jest.fn().mockResolvedValueOnce('old').mockReturnValueOnce(gate.promise);
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    void manager.tokenAfterRejection(manager.generation);
    expect(manager.peek()).toBeUndefined();
    const waiting = manager.getToken();
    gate.resolve('new');
    expect((await waiting).accessToken).toBe('new');
  });
});

describe('invalid_grant', () => {
  it('is terminal even during a background refresh: the tokens are dropped, onRefreshFailed runs once', async () => {
    const onRefreshFailed = jest.fn();
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: 'a1', refreshToken: 'dead', expiresIn: 600 })
      .mockRejectedValueOnce(new OAuthError({ error: 'invalid_grant', status: 400 }));
    const manager = new TokenManager({ fetchToken, onRefreshFailed });
    await manager.getToken();
    jest.setSystemTime(START + 550_000); // inside the buffer, access token still valid
    expect(manager.peek()?.accessToken).toBe('a1');
    await jest.advanceTimersByTimeAsync(0);
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(manager.token).toBeNull();
    expect(manager.peek()).toBeUndefined();
  });
});

describe('expired token while a refresh runs', () => {
  it('makes callers wait for the refresh in flight instead of handing out the expired token', async () => {
    const gate = deferred<{ accessToken: string; expiresIn: number }>();
    const fetchToken = jest.fn().mockResolvedValueOnce({ accessToken: 'old', expiresIn: 60 }).mockReturnValueOnce(gate.promise);
    const manager = new TokenManager({ fetchToken, refreshBufferSeconds: 0, minRefreshIntervalMs: 10_000 });
    await manager.getToken();
    jest.setSystemTime(START + 60_000);
    const first = manager.getToken(); // starts the refresh
    expect(manager.peek()).toBeUndefined(); // regression: within minRefreshIntervalMs this used to return 'old'
    const second = manager.getToken();
    gate.resolve({ accessToken: 'new', expiresIn: 60 });
    expect((await first).accessToken).toBe('new');
    expect((await second).accessToken).toBe('new');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});
