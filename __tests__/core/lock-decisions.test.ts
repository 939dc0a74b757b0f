import {
  ErrorCode,
  InsufficientScopeError,
  OAuthError,
  TokenManager,
  type DPoPProofMaker,
  type Token,
  type TokenFields,
  type TokenSourceContext,
  type TokenStorage,
} from '../../lib/index.js';
import { deferred, flushPromises } from '../support/fake-api.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';

/*
 * Issue 9, "tests that can fail": decisions of the lock that the mutation run (`npm run test:mutation -- lock`) found
 * no test for. Each test states what a user relies on.
 */

const START = Date.UTC(2026, 0, 1);

beforeEach(() => jest.useFakeTimers({ now: START }));
afterEach(() => jest.useRealTimers());

/** A source that issues `tok-1`, `tok-2`, … with the given lifetime (`null`: none) and the scope it was asked for. */
function issuing(expiresIn: number | null = 3600) {
  let issued = 0;
  const contexts: TokenSourceContext[] = [];
  const fetchToken = jest.fn(async (context: TokenSourceContext): Promise<TokenFields> => {
    contexts.push(context);
    issued++;
    return { accessToken: `tok-${issued}`, ...(expiresIn === null ? {} : { expiresIn }), scope: context.scope?.join(' ') };
  });
  return { fetchToken, contexts };
}

describe('when a token is renewed', () => {
  it('never refreshes a token without expiry, even when the clock goes back', async () => {
    const { fetchToken } = issuing(null);
    const manager = new TokenManager({ fetchToken, keepFresh: true });
    await manager.getToken();
    jest.setSystemTime(START - 3_600_000);
    expect(manager.peek()?.accessToken).toBe('tok-1');
    await jest.advanceTimersByTimeAsync(24 * 3_600_000);
    expect(manager.peek()?.accessToken).toBe('tok-1');
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('hands out the current token inside the refresh buffer while one background refresh runs', async () => {
    const { fetchToken } = issuing(120);
    const manager = new TokenManager({ fetchToken, refreshBufferSeconds: 60 });
    await manager.getToken();
    jest.setSystemTime(START + 61_000);
    expect(manager.peek()?.accessToken).toBe('tok-1');
    expect(manager.peek()?.accessToken).toBe('tok-1');
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(fetchToken.mock.calls[1]![0].reason).toBe('expiring');
    await flushPromises();
    expect(manager.peek()?.accessToken).toBe('tok-2');
  });

  it('refreshes a token that expired before the min interval passed instead of sending it', async () => {
    const { fetchToken } = issuing(2);
    const manager = new TokenManager({ fetchToken, minRefreshIntervalMs: 60_000 });
    await manager.getToken();
    jest.setSystemTime(START + 3_000);
    expect(manager.peek()).toBeUndefined();
    expect((await manager.getToken()).accessToken).toBe('tok-2');
    expect(fetchToken.mock.calls[1]![0].reason).toBe('expired');
  });

  it('sends a token that arrived expired until the min interval passes, but refreshes when the clock went back past its fetch', async () => {
    const { fetchToken } = issuing(0);
    const manager = new TokenManager({ fetchToken, minRefreshIntervalMs: 60_000 });
    await manager.getToken();
    jest.setSystemTime(START + 1_000);
    expect(manager.peek()?.accessToken).toBe('tok-1'); // no loop on expires_in: 0
    jest.setSystemTime(START - 10_000);
    expect(manager.peek()).toBeUndefined();
    expect((await manager.getToken()).accessToken).toBe('tok-2');
  });

  it('keepFresh wakes up for a token with no expiry never', async () => {
    const { fetchToken } = issuing(null);
    const manager = new TokenManager({ fetchToken, keepFresh: true, initialToken: { accessToken: 'seeded' } });
    await jest.advanceTimersByTimeAsync(10 * 3_600_000);
    expect(fetchToken).not.toHaveBeenCalled();
    manager.dispose();
  });

  it('keepFresh inside the buffer makes a background refresh: its failure is reported, the token stays, no onRefreshFailed', async () => {
    const fetchToken = jest.fn().mockRejectedValue(new Error('503 from the token endpoint'));
    const onRefreshFailed = jest.fn();
    const onBackgroundError = jest.fn();
    const manager = new TokenManager({
      fetchToken,
      keepFresh: true,
      refreshBufferSeconds: 60,
      onRefreshFailed,
      onBackgroundError,
      initialToken: { accessToken: 'seeded', expiresIn: 600 },
    });
    await jest.advanceTimersByTimeAsync(541_000);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(fetchToken.mock.calls[0]![0].reason).toBe('expiring');
    expect(onRefreshFailed).not.toHaveBeenCalled();
    expect(onBackgroundError).toHaveBeenCalledTimes(1);
    expect(manager.peek()?.accessToken).toBe('seeded');
    manager.dispose();
  });

  it('a background refresh that fails at the instant the token expires is a failed refresh, not the old token', async () => {
    const gate = deferred<TokenFields>();
    const fetchToken = jest.fn(() => gate.promise);
    const onRefreshFailed = jest.fn();
    const manager = new TokenManager({ fetchToken, onRefreshFailed, initialToken: { accessToken: 'seeded', expiresIn: 120 } });
    jest.setSystemTime(START + 90_000);
    expect(manager.peek()?.accessToken).toBe('seeded'); // starts the background refresh
    jest.setSystemTime(START + 120_000);
    gate.reject(new Error('503'));
    await flushPromises();
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
    expect(manager.peek()).toBeUndefined();
  });

  it('dispose() without keepFresh is harmless', () => {
    const manager = new TokenManager({ fetchToken: issuing().fetchToken });
    expect(() => manager.dispose()).not.toThrow();
  });
});

describe('what the source is given', () => {
  it('passes the DPoP proof maker as ctx.dpop, and no dpop key at all without one', async () => {
    const dpop = { proof: jest.fn() } as unknown as DPoPProofMaker;
    const withDPoP = issuing();
    const bound = new TokenManager({ fetchToken: withDPoP.fetchToken, dpop });
    expect(bound.dpop).toBe(dpop);
    await bound.getToken();
    expect(withDPoP.contexts[0]!.dpop).toBe(dpop);
    const plain = issuing();
    await new TokenManager({ fetchToken: plain.fetchToken }).getToken();
    expect('dpop' in plain.contexts[0]!).toBe(false);
  });
});

describe('claims challenges and step-ups', () => {
  it('a claims challenge invalidates the token at once: other callers wait for the refresh with claims', async () => {
    const gate = deferred<TokenFields>();
    const fetchToken = jest.fn((context: TokenSourceContext) =>
      context.claims === undefined ? Promise.resolve({ accessToken: 'first', expiresIn: 3600 }) : gate.promise,
    );
    const manager = new TokenManager({ fetchToken });
    await manager.getToken();
    const withClaims = manager.tokenWithClaims(manager.generation, '{"access_token":{"acrs":{"essential":true}}}');
    expect(manager.peek()).toBeUndefined();
    const other = manager.getToken();
    gate.resolve({ accessToken: 'with-claims', expiresIn: 3600 });
    expect((await withClaims).accessToken).toBe('with-claims');
    expect((await other).accessToken).toBe('with-claims');
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('a claims refresh never adopts a token another realm stored', async () => {
    const storage: TokenStorage = {
      get: () => ({ accessToken: 'from-another-tab', tokenType: 'Bearer', obtainedAt: START, expiresAt: START + 3_600_000 }),
      set: () => undefined,
      delete: () => undefined,
      withLock: (fn) => fn(),
    };
    const { fetchToken } = issuing();
    const manager = new TokenManager({ fetchToken, storage, initialToken: { accessToken: 'mine', expiresIn: 3600 } });
    const token = await manager.tokenWithClaims(manager.generation, '{"id_token":{"auth_time":{"essential":true}}}');
    expect(token.accessToken).toBe('tok-1');
  });

  it('after a step-up every later refresh asks for the stepped-up scope too', async () => {
    const { fetchToken, contexts } = issuing();
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'base-token', expiresIn: 3600, scope: 'base' } });
    expect((await manager.tokenForScope(manager.generation, ['extra'])).scope).toBe('base extra');
    await manager.refresh();
    expect(contexts.map((c) => [c.reason, c.scope])).toEqual([
      ['step-up', ['base', 'extra']],
      ['manual', ['base', 'extra']],
    ]);
  });

  it('remembers only what the server granted of a step-up', async () => {
    const fetchToken = jest.fn(async (context: TokenSourceContext): Promise<TokenFields> =>
      context.reason === 'step-up'
        ? { accessToken: 'stepped', expiresIn: 3600, scope: 'base extra' }
        : { accessToken: 'later', expiresIn: 3600 },
    );
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'base-token', expiresIn: 3600, scope: 'base' } });
    await manager.tokenForScope(manager.generation, ['extra', 'more']).catch(() => undefined);
    await manager.refresh();
    expect(fetchToken.mock.calls[1]![0].scope).toEqual(['base', 'extra']);
  });

  it('remembers all it asked for when the server does not say what it granted', async () => {
    const fetchToken = jest.fn(async (_context: TokenSourceContext): Promise<TokenFields> => ({
      accessToken: `t-${fetchToken.mock.calls.length}`,
      expiresIn: 3600,
    }));
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'base-token', expiresIn: 3600, scope: 'base' } });
    const stepped = await manager.tokenForScope(manager.generation, ['extra']);
    expect(stepped.accessToken).toBe('t-1');
    await manager.refresh();
    expect(fetchToken.mock.calls[1]![0]).toMatchObject({ reason: 'manual', scope: ['base', 'extra'] });
  });

  it('a step-up the server grants less than asked rejects with InsufficientScopeError (not-granted)', async () => {
    const fetchToken = jest.fn(async (): Promise<TokenFields> => ({ accessToken: 'less', expiresIn: 3600, scope: 'base' }));
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'base-token', expiresIn: 3600, scope: 'base' } });
    const error = await manager.tokenForScope(manager.generation, ['extra']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InsufficientScopeError);
    expect(error).toMatchObject({ code: ErrorCode.INSUFFICIENT_SCOPE, reason: 'not-granted', requiredScope: ['extra'] });
  });

  it('a step-up refused with invalid_scope rejects its caller only: no onRefreshFailed, the tokens stay', async () => {
    const fetchToken = jest.fn().mockRejectedValue(new OAuthError({ error: 'invalid_scope', status: 400 }));
    const onRefreshFailed = jest.fn();
    const manager = new TokenManager({
      fetchToken,
      onRefreshFailed,
      initialToken: { accessToken: 'base-token', expiresIn: 3600, scope: 'base' },
    });
    const error = await manager.tokenForScope(manager.generation, ['admin']).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'InsufficientScopeError', reason: 'refused' });
    expect(onRefreshFailed).not.toHaveBeenCalled();
    expect(manager.peek()?.accessToken).toBe('base-token');
  });

  it('a request sent with an older token gets the current one when it already has the scope: no token request', async () => {
    const { fetchToken } = issuing();
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'old', expiresIn: 3600, scope: 'base' } });
    const oldGeneration = manager.generation;
    manager.setToken({ accessToken: 'new', expiresIn: 3600, scope: 'base extra' });
    expect((await manager.tokenForScope(oldGeneration, ['extra'])).accessToken).toBe('new');
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it('a request sent with an older token is refused when the current token was asked for that scope and granted less', async () => {
    const fetchToken = jest.fn(async (context: TokenSourceContext): Promise<TokenFields> =>
      context.reason === 'step-up'
        ? { accessToken: 'stepped', expiresIn: 3600, scope: 'base extra' }
        : { accessToken: 'x', expiresIn: 3600 },
    );
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'old', expiresIn: 3600, scope: 'base' } });
    const oldGeneration = manager.generation;
    await manager.tokenForScope(oldGeneration, ['extra']);
    // Another request sent with the old token wants `admin` too; the current token was requested with `base extra`.
    const error = await manager.tokenForScope(oldGeneration, ['extra', 'admin']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('a token installed by setToken() has no requested scope: a stale request that needs more steps up', async () => {
    const { fetchToken } = issuing();
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'old', expiresIn: 3600, scope: 'base' } });
    const oldGeneration = manager.generation;
    manager.setToken({ accessToken: 'set', expiresIn: 3600 });
    const token = await manager.tokenForScope(oldGeneration, ['extra']);
    expect(token.accessToken).toBe('tok-1');
    expect(fetchToken.mock.calls[0]![0]).toMatchObject({ reason: 'step-up', scope: ['extra'] });
  });
});

describe('onRefreshFailed and what it leaves', () => {
  it('a hook that refresh()es and returns nothing: the waiters get the token its refresh installed', async () => {
    const fetchToken = jest.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValue({ accessToken: 'from-retry', expiresIn: 60 });
    const manager: TokenManager = new TokenManager({
      fetchToken,
      onRefreshFailed: async () => {
        await manager.refresh();
      },
    });
    expect((await manager.getToken()).accessToken).toBe('from-retry');
  });

  it('a hook that refresh()es and then returns another token: that token is installed and handed out', async () => {
    const fetchToken = jest.fn().mockRejectedValueOnce(new Error('503')).mockResolvedValue({ accessToken: 'from-retry', expiresIn: 60 });
    const onTokenUpdate = jest.fn();
    const manager: TokenManager = new TokenManager({
      fetchToken,
      onTokenUpdate,
      onRefreshFailed: async () => {
        await manager.refresh();
        return { accessToken: 'from-hook', expiresIn: 60 };
      },
    });
    expect((await manager.getToken()).accessToken).toBe('from-hook');
    expect(onTokenUpdate.mock.calls.map(([token]: [Token]) => token.accessToken)).toEqual(['from-retry', 'from-hook']);
  });
});

describe('sign-in abandoned by clear() or setToken()', () => {
  it('a sign-in that ignores its abort and settles after clear() installs nothing; its caller learns it was cleared', async () => {
    const gate = deferred<TokenFields>();
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken: issuing().fetchToken, onTokenUpdate });
    const signIn = manager.signIn(() => gate.promise).catch((e: unknown) => e);
    manager.clear();
    gate.resolve({ accessToken: 'late-sign-in', expiresIn: 3600 });
    const error = await signIn;
    expect(error).toMatchObject({ code: ErrorCode.TOKEN_CLEARED, message: expect.stringContaining('cleared') });
    expect(manager.token).toBeNull();
    expect(onTokenUpdate).not.toHaveBeenCalled();
  });

  it('a late end of an abandoned sign-in does not free the slot of the refresh that replaced it (one fetch at a time)', async () => {
    const signInGate = deferred<TokenFields>();
    const refreshGate = deferred<TokenFields>();
    const fetchToken = jest.fn(() => refreshGate.promise);
    const manager = new TokenManager({ fetchToken });
    const signIn = manager.signIn(() => signInGate.promise).catch(() => undefined);
    manager.setToken({ accessToken: 'set', expiresIn: 3600 });
    const first = manager.tokenAfterRejection(manager.generation);
    signInGate.resolve({ accessToken: 'late', expiresIn: 3600 });
    await signIn;
    const second = manager.refresh();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    refreshGate.resolve({ accessToken: 'refreshed', expiresIn: 3600 });
    expect((await first).accessToken).toBe('refreshed');
    expect((await second).accessToken).toBe('refreshed');
  });
});

describe('tokens heard from storage', () => {
  function subscribable() {
    let listener: ((token: Token | null) => void) | undefined;
    const storage: TokenStorage = {
      get: () => null,
      set: () => undefined,
      delete: () => undefined,
      subscribe: (fn) => {
        listener = fn;
        return () => (listener = undefined);
      },
    };
    return { storage, hear: (token: Token | null) => listener!(token) };
  }

  it('a manager with no token yet adopts a token another realm stored', () => {
    const { storage, hear } = subscribable();
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken: issuing().fetchToken, storage, onTokenUpdate });
    hear({ accessToken: 'from-elsewhere', tokenType: 'Bearer', obtainedAt: START, expiresAt: START + 3_600_000 });
    expect(manager.peek()?.accessToken).toBe('from-elsewhere');
    expect(onTokenUpdate).toHaveBeenCalledTimes(1);
  });

  it('a token heard while our own refresh runs is ignored: our refresh result wins', async () => {
    const { storage, hear } = subscribable();
    const gate = deferred<TokenFields>();
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken: () => gate.promise, storage, onTokenUpdate });
    const pending = manager.getToken();
    hear({ accessToken: 'from-elsewhere', tokenType: 'Bearer', obtainedAt: START, expiresAt: START + 3_600_000 });
    expect(manager.token).toBeNull();
    gate.resolve({ accessToken: 'ours', expiresIn: 3600 });
    expect((await pending).accessToken).toBe('ours');
    expect(onTokenUpdate.mock.calls.map(([token]: [Token]) => token.accessToken)).toEqual(['ours']);
  });
});

describe('what a refused step-up carries', () => {
  it.each([
    ['with a refresh token', { refreshToken: 'rt-secret-4567' }],
    ['without one', {}],
  ])(
    'regression: scrubs from the challenge it carries the token the step-up replaced and the current tokens (%s)',
    async (_label, extra) => {
      const fetchToken = jest.fn(async (): Promise<TokenFields> => ({ accessToken: 'at-stepped-9876', expiresIn: 3600, scope: 'base' }));
      const manager = new TokenManager({
        fetchToken,
        initialToken: { accessToken: 'at-base-1234', expiresIn: 3600, scope: 'base', ...extra },
      });
      const echo = 'at-base-1234 rt-secret-4567 at-stepped-9876';
      const challenge = { scheme: 'bearer', params: { error: 'insufficient_scope', scope: 'extra', error_description: echo } };
      const error = await manager.tokenForScope(manager.generation, ['extra'], challenge).catch((e: unknown) => e);
      expect(error).toMatchObject({ name: 'InsufficientScopeError', reason: 'not-granted' });
      expect((error as InsufficientScopeError).challenge?.params.error).toBe('insufficient_scope');
      expectNoSecrets(error, ['at-base-1234', 'at-stepped-9876', ...('refreshToken' in extra ? ['rt-secret-4567'] : [])]);
    },
  );
});

describe('more step-up and sign-in edges', () => {
  it('a stale request needing a scope the current token was asked for and not granted is refused with no token request', async () => {
    const fetchToken = jest.fn(async (): Promise<TokenFields> => ({ accessToken: 'granted-less', expiresIn: 3600, scope: 'base' }));
    const manager = new TokenManager({ fetchToken, initialToken: { accessToken: 'old', expiresIn: 3600, scope: 'base' } });
    const oldGeneration = manager.generation;
    await expect(manager.tokenForScope(oldGeneration, ['extra'])).rejects.toMatchObject({ reason: 'not-granted' });
    // Another request sent with the old token hits the same wall: the current token was requested with `extra`.
    await expect(manager.tokenForScope(oldGeneration, ['extra'])).rejects.toMatchObject({ reason: 'not-granted' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('invalid_scope on a plain refresh is a failed refresh: onRefreshFailed is called', async () => {
    const fetchToken = jest.fn().mockRejectedValue(new OAuthError({ error: 'invalid_scope', status: 400 }));
    const onRefreshFailed = jest.fn();
    const manager = new TokenManager({ fetchToken, onRefreshFailed });
    await expect(manager.getToken()).rejects.toMatchObject({ name: 'TokenRefreshError' });
    expect(onRefreshFailed).toHaveBeenCalledTimes(1);
  });

  it('a sign-in that fails after setToken() replaced it leaves the token setToken() installed', async () => {
    const gate = deferred<TokenFields>();
    const manager = new TokenManager({ fetchToken: issuing().fetchToken });
    const signIn = manager.signIn(() => gate.promise).catch((e: unknown) => e);
    manager.setToken({ accessToken: 'installed', expiresIn: 3600 });
    gate.reject(new Error('the user closed the window'));
    await signIn;
    expect(manager.peek()?.accessToken).toBe('installed');
  });
});
