import { ErrorCode, TokenManager, TokenRefreshError, type Token } from '../../lib/index.js';
import { deferred } from '../support/fake-api.js';

/*
 * Issue 9 items 6 and 14: hooks that call back into the manager, or never settle, must not wedge it, and whatever a
 * hook installs is what the waiters get.
 */

const START = Date.UTC(2026, 0, 1);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

type Outcome<T> = { status: 'pending' } | { status: 'fulfilled'; value: T } | { status: 'rejected'; reason: unknown };

/** Watches a promise without awaiting it, so a test can assert "still pending" instead of hanging on a deadlock. */
function track<T>(promise: Promise<T>): { readonly outcome: Outcome<T> } {
  const box: { outcome: Outcome<T> } = { outcome: { status: 'pending' } };
  promise.then(
    (value) => (box.outcome = { status: 'fulfilled', value }),
    (reason: unknown) => (box.outcome = { status: 'rejected', reason }),
  );
  return box;
}

const accessTokenOf = (outcome: Outcome<Token>): string | undefined =>
  outcome.status === 'fulfilled' ? outcome.value.accessToken : undefined;

describe('onRefreshFailed calling back into the manager', () => {
  it('regression: a "retry once" with refresh() inside onRefreshFailed does not deadlock: it starts a new attempt', async () => {
    const fetchToken = jest.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValue({ accessToken: 'retried', expiresIn: 60 });
    const onTokenUpdate = jest.fn();
    const onRefreshFailed = jest.fn((): Promise<Token> => manager.refresh());
    const manager: TokenManager = new TokenManager({ fetchToken, onRefreshFailed, onTokenUpdate });
    const waiters = [track(manager.getToken()), track(manager.getToken())];
    await jest.advanceTimersByTimeAsync(0);
    expect(waiters.map((w) => accessTokenOf(w.outcome))).toEqual(['retried', 'retried']);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(fetchToken.mock.calls[1][0].reason).toBe('manual');
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(onTokenUpdate).toHaveBeenCalledTimes(1); // the token the hook returned was already installed by its refresh()
    expect(manager.generation).toBe(1);
    // And the lock is free again: a later refresh() is an ordinary one.
    await expect(manager.refresh()).resolves.toMatchObject({ accessToken: 'retried' });
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });

  it('regression: does not call onRefreshFailed again when its own retry fails: the waiters reject with the first failure', async () => {
    const fetchToken = jest.fn().mockRejectedValueOnce(new Error('first')).mockRejectedValueOnce(new Error('second'));
    const onBackgroundError = jest.fn();
    const onRefreshFailed = jest.fn((): Promise<Token> => manager.refresh());
    const manager: TokenManager = new TokenManager({ fetchToken, onRefreshFailed, onBackgroundError });
    const waiter = track(manager.getToken());
    await jest.advanceTimersByTimeAsync(0);
    expect(waiter.outcome).toMatchObject({ status: 'rejected', reason: { message: 'Failed to refresh token: Error: first' } });
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(onBackgroundError).toHaveBeenCalledWith(expect.objectContaining({ message: 'Failed to refresh token: Error: second' }));
  });

  it('regression: an onRefreshFailed that never settles is cut off at refreshTimeoutMs, and the next call starts afresh', async () => {
    const fetchToken = jest.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValue('later');
    const onBackgroundError = jest.fn();
    const manager: TokenManager = new TokenManager({
      fetchToken,
      refreshTimeoutMs: 5000,
      onRefreshFailed: () => new Promise<never>(() => undefined),
      onBackgroundError,
    });
    const waiter = track(manager.getToken());
    await jest.advanceTimersByTimeAsync(4999);
    expect(waiter.outcome.status).toBe('pending');
    await jest.advanceTimersByTimeAsync(1);
    expect(waiter.outcome).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.REFRESH_FAILED } });
    expect(onBackgroundError).toHaveBeenCalledWith(
      expect.objectContaining({
        code: ErrorCode.REFRESH_TIMEOUT,
        message: 'onRefreshFailed did not settle within 5000 ms; the waiters reject',
      }),
    );
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'later' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('regression: bounds a getToken() awaited inside onRefreshFailed (it joins the failing refresh) by refreshTimeoutMs', async () => {
    const fetchToken = jest.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValue('later');
    const manager: TokenManager = new TokenManager({
      fetchToken,
      refreshTimeoutMs: 2000,
      onRefreshFailed: (): Promise<Token> => manager.getToken(),
    });
    const waiter = track(manager.getToken());
    await jest.advanceTimersByTimeAsync(2000);
    expect(waiter.outcome.status).toBe('rejected');
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'later' });
  });

  it('regression: onRefreshFailed that installs a token with setToken() hands it to every waiter', async () => {
    const onTokenUpdate = jest.fn();
    const onRefreshFailed = jest.fn((): void => {
      manager.setToken({ accessToken: 'from-login', expiresIn: 60 });
    });
    const manager: TokenManager = new TokenManager({ fetchToken: () => Promise.reject(new Error('x')), onRefreshFailed, onTokenUpdate });
    const waiters = await Promise.all([manager.getToken(), manager.getToken()]);
    expect(waiters.map((t) => t.accessToken)).toEqual(['from-login', 'from-login']);
    expect(onTokenUpdate).toHaveBeenCalledTimes(1);
    expect(onTokenUpdate).toHaveBeenCalledWith(expect.objectContaining({ accessToken: 'from-login' }));
  });

  it('runs onTokenUpdate with the token onRefreshFailed returns', async () => {
    const onTokenUpdate = jest.fn();
    const manager: TokenManager = new TokenManager({
      fetchToken: () => Promise.reject(new Error('x')),
      onRefreshFailed: () => 'from-hook',
      onTokenUpdate,
    });
    await manager.getToken();
    expect(onTokenUpdate).toHaveBeenCalledTimes(1);
    expect(onTokenUpdate).toHaveBeenCalledWith(expect.objectContaining({ accessToken: 'from-hook' }));
  });

  it('regression: a token onRefreshFailed returns after clear() ran is not installed, and the waiters reject', async () => {
    const hook = deferred<string>();
    const onTokenUpdate = jest.fn();
    const manager: TokenManager = new TokenManager({
      fetchToken: () => Promise.reject(new Error('x')),
      onRefreshFailed: () => hook.promise,
      onTokenUpdate,
    });
    const waiter = track(manager.getToken());
    await jest.advanceTimersByTimeAsync(0);
    manager.clear(); // the user logged out while the hook was, say, showing a sign-in dialog
    hook.resolve('too-late');
    await jest.advanceTimersByTimeAsync(0);
    expect(waiter.outcome).toMatchObject({ status: 'rejected', reason: expect.any(TokenRefreshError) });
    expect(manager.token).toBeNull();
    expect(onTokenUpdate).not.toHaveBeenCalled();
  });
});

describe('onTokenUpdate calling back into the manager', () => {
  it('gets the new token from getToken() and refresh() without a deadlock or a second fetch', async () => {
    const fetchToken = jest.fn(async () => ({ accessToken: 'fresh', expiresIn: 60 }));
    const inside: Array<{ readonly outcome: Outcome<Token> }> = [];
    const onTokenUpdate = jest.fn((): void => {
      if (inside.length === 0) inside.push(track(manager.getToken()), track(manager.refresh()));
    });
    const manager: TokenManager = new TokenManager({ fetchToken, onTokenUpdate });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'fresh' });
    await jest.advanceTimersByTimeAsync(0);
    expect(inside.map((w) => accessTokenOf(w.outcome))).toEqual(['fresh', 'fresh']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });
});

describe('refresh() always means a new token', () => {
  it('regression: refresh() that joins a failing background refresh rejects instead of resolving with the old token', async () => {
    const gate = deferred<string>();
    const onRefreshFailed = jest.fn();
    const fetchToken = jest.fn().mockResolvedValueOnce({ accessToken: 'old', expiresIn: 600 }).mockReturnValueOnce(gate.promise);
    const manager: TokenManager = new TokenManager({ fetchToken, onRefreshFailed });
    await manager.getToken();
    jest.setSystemTime(START + 550_000); // inside the buffer: peek() starts a background refresh
    expect(manager.peek()?.accessToken).toBe('old');
    const forced = track(manager.refresh());
    gate.reject(new Error('503'));
    await jest.advanceTimersByTimeAsync(0);
    expect(forced.outcome).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.REFRESH_FAILED } });
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(manager.peek()?.accessToken).toBe('old'); // the old token still works for everyone else
  });

  it('resolves refresh() that joins a background refresh with the new token', async () => {
    const gate = deferred<string>();
    const fetchToken = jest.fn().mockResolvedValueOnce({ accessToken: 'old', expiresIn: 600 }).mockReturnValueOnce(gate.promise);
    const manager: TokenManager = new TokenManager({ fetchToken });
    await manager.getToken();
    jest.setSystemTime(START + 550_000);
    manager.peek();
    const forced = manager.refresh();
    gate.resolve('new');
    await expect(forced).resolves.toMatchObject({ accessToken: 'new' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('does not hand out the expired token when a background refresh fails after the token expired', async () => {
    const gate = deferred<string>();
    const fetchToken = jest.fn().mockResolvedValueOnce({ accessToken: 'old', expiresIn: 600 }).mockReturnValueOnce(gate.promise);
    const manager: TokenManager = new TokenManager({ fetchToken });
    await manager.getToken();
    jest.setSystemTime(START + 550_000);
    manager.peek(); // the background refresh starts
    jest.setSystemTime(START + 600_000); // ... and is still running when the token expires
    expect(manager.peek()).toBeUndefined();
    const waiter = track(manager.getToken());
    gate.reject(new Error('503'));
    await jest.advanceTimersByTimeAsync(0);
    expect(waiter.outcome).toMatchObject({ status: 'rejected', reason: { code: ErrorCode.REFRESH_FAILED } });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});
