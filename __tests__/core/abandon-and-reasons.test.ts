import { ErrorCode, OAuthError, TokenManager, type TokenSourceContext, type TokenStorage } from '../../lib/index.js';
import { deferred } from '../support/fake-api.js';

/* Behaviours mutation testing found unpinned (issue 9): the reasons a source is given, keep-fresh, abandoned refreshes. */

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
    return { accessToken: `t${calls.length}`, expiresIn: expiresIn ?? undefined };
  });
  return { fetchToken, calls };
}

describe('keep-fresh and the min interval', () => {
  it('refreshes a token seeded with initialToken at expiresAt - buffer', async () => {
    const { fetchToken, calls } = counting(600);
    const manager = new TokenManager({ fetchToken, keepFresh: true, initialToken: { accessToken: 'seed', expiresIn: 600 } });
    await jest.advanceTimersByTimeAsync(539_999);
    expect(fetchToken).not.toHaveBeenCalled();
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.reason)).toEqual(['expiring']);
    expect(calls[0]!.lastToken?.accessToken).toBe('seed');
    manager.dispose();
  });

  it('holds a background refresh back until minRefreshIntervalMs has passed since the last fetch', async () => {
    const { fetchToken, calls } = counting(10); // 10 s token: the 60 s buffer is clamped to 5 s
    const manager = new TokenManager({ fetchToken, minRefreshIntervalMs: 8000 });
    await manager.getToken();
    jest.setSystemTime(START + 7999);
    expect(manager.peek()?.accessToken).toBe('t1');
    expect(fetchToken).toHaveBeenCalledTimes(1);
    jest.setSystemTime(START + 8000);
    expect(manager.peek()?.accessToken).toBe('t1');
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'expiring']);
  });

  it('regression: keep-fresh renews a token at its expiry even when minRefreshIntervalMs is longer, with reason "expired"', async () => {
    const { fetchToken, calls } = counting(2);
    const manager = new TokenManager({ fetchToken, keepFresh: true, minRefreshIntervalMs: 5000 });
    await manager.getToken();
    await jest.advanceTimersByTimeAsync(1999);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(calls.map((c) => c.reason)).toEqual(['initial', 'expired']);
    manager.dispose();
  });
});

describe('the reason after a failure', () => {
  it('tells the source "unauthorized" again after a failed 401 refresh', async () => {
    const fetchToken = jest.fn().mockResolvedValueOnce('t1').mockRejectedValueOnce(new Error('503')).mockResolvedValueOnce('t2');
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    await expect(manager.tokenAfterRejection(manager.generation)).rejects.toMatchObject({ code: ErrorCode.REFRESH_FAILED });
    expect(manager.peek()).toBeUndefined(); // the rejected token is not handed out again
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 't2' });
    expect(fetchToken.mock.calls.map((c) => (c[0] as TokenSourceContext).reason)).toEqual(['initial', 'unauthorized', 'unauthorized']);
  });
});

describe('logout or setToken() during a refresh', () => {
  it('lets an abandoned refresh that then fails neither call onRefreshFailed nor free the new refresh slot', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const onRefreshFailed = jest.fn();
    const fetchToken = jest.fn().mockReturnValueOnce(first.promise).mockReturnValueOnce(second.promise).mockResolvedValue('extra');
    const manager = new TokenManager({ fetchToken, onRefreshFailed });
    const abandoned = manager.getToken();
    manager.clear();
    const fresh = manager.getToken();
    first.reject(new Error('late failure'));
    await expect(abandoned).rejects.toMatchObject({ code: ErrorCode.TOKEN_CLEARED });
    const joiner = manager.getToken(); // must join the second refresh, not start a third fetch
    expect(fetchToken).toHaveBeenCalledTimes(2);
    second.resolve('second');
    await expect(Promise.all([fresh, joiner])).resolves.toMatchObject([{ accessToken: 'second' }, { accessToken: 'second' }]);
    expect(onRefreshFailed).not.toHaveBeenCalled();
  });

  it('gives the waiters of a refresh abandoned by setToken() that token when the refresh then fails, without onRefreshFailed', async () => {
    const gate = deferred<string>();
    const onRefreshFailed = jest.fn();
    const manager = new TokenManager({ fetchToken: () => gate.promise, onRefreshFailed });
    const waiting = manager.getToken();
    manager.setToken('manual');
    gate.reject(new Error('late failure'));
    await expect(waiting).resolves.toMatchObject({ accessToken: 'manual' });
    expect(onRefreshFailed).not.toHaveBeenCalled();
  });

  it('regression: setToken() or clear() answers the waiters at once when the abandoned source ignores its signal', async () => {
    const hung = new TokenManager({ fetchToken: () => new Promise<never>(() => undefined), refreshTimeoutMs: 60_000 });
    const waiting = hung.getToken();
    hung.setToken({ accessToken: 'manual' });
    await expect(waiting).resolves.toMatchObject({ accessToken: 'manual' }); // not after the 60 s deadline

    const cleared = hung.refresh();
    hung.clear();
    await expect(cleared).rejects.toMatchObject({ code: ErrorCode.TOKEN_CLEARED });
  });

  it('never reuses a generation after clear(): a late 401 for the old token does not refresh the new one', async () => {
    const { fetchToken } = counting();
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    const old = manager.generation;
    manager.clear();
    await manager.getToken();
    expect(manager.generation).toBeGreaterThan(old + 1);
    await expect(manager.tokenAfterRejection(old)).resolves.toMatchObject({ accessToken: 't2' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});

describe('only invalid_grant logs the user out', () => {
  it.each(['invalid_client', 'temporarily_unavailable', 'server_error'])('keeps the tokens and the storage after %s', async (error) => {
    const storage: TokenStorage = { get: jest.fn(() => null), set: jest.fn(), delete: jest.fn() };
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 600 })
      .mockRejectedValueOnce(new OAuthError({ error, status: 400 }));
    const manager = new TokenManager({ fetchToken, storage });
    await manager.getToken();
    await expect(manager.refresh()).rejects.toMatchObject({ cause: expect.objectContaining({ error }) });
    await jest.advanceTimersByTimeAsync(0);
    expect(manager.token).toMatchObject({ accessToken: 'a1', refreshToken: 'r1' });
    expect(storage.delete).not.toHaveBeenCalled();
  });

  it('drops the tokens and deletes them from storage after invalid_grant', async () => {
    const storage: TokenStorage = { get: jest.fn(() => null), set: jest.fn(), delete: jest.fn() };
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: 'a1', refreshToken: 'r1', expiresIn: 600 })
      .mockRejectedValueOnce(new OAuthError({ error: 'invalid_grant', status: 400 }));
    const manager = new TokenManager({ fetchToken, storage });
    await manager.getToken();
    await expect(manager.refresh()).rejects.toMatchObject({ cause: expect.objectContaining({ error: 'invalid_grant' }) });
    await jest.advanceTimersByTimeAsync(0);
    expect(manager.token).toBeNull();
    expect(storage.delete).toHaveBeenCalledTimes(1);
  });
});
