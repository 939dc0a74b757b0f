import { CanceledError } from 'axios';
import {
  attachOAuth,
  ErrorCode,
  isSignInError,
  isTokenRefreshError,
  OAuthError,
  SignInError,
  TokenManager,
  type Token,
  type TokenInput,
  type TokenSourceContext,
} from '../../lib/index.js';
import { createFakeApi, deferred, flushPromises } from '../support/fake-api.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';

const START = Date.UTC(2026, 0, 1);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

/** A sign-in source the test finishes: it records its context and returns the deferred's value. */
function heldSignIn() {
  const gate = deferred<TokenInput>();
  const contexts: TokenSourceContext[] = [];
  const source = jest.fn((context: TokenSourceContext) => (contexts.push(context), gate.promise));
  return { gate, contexts, source };
}

const signedIn = { accessToken: 'at-signed-in', refreshToken: 'rt-signed-in', expiresIn: 600 };

function storageSpy() {
  let stored: Token | null = null;
  return {
    get: jest.fn(() => stored),
    set: jest.fn((token: Token) => void (stored = token)),
    delete: jest.fn(() => void (stored = null)),
  };
}

describe('signIn()', () => {
  it('holds the requests made during the sign-in and sends them with its token, never calling fetchToken', async () => {
    const { api, valid, seen } = createFakeApi();
    const fetchToken = jest.fn(async () => 'from-fetch-token');
    const auth = attachOAuth(api, { fetchToken });
    const { gate, source } = heldSignIn();
    const signIn = auth.signIn(source);
    const requests = [api.get('/orders'), api.get('/orders'), api.get('/orders')];
    await flushPromises();
    expect(seen).toHaveLength(0);
    valid.add('at-signed-in');
    gate.resolve(signedIn);
    await expect(signIn).resolves.toMatchObject({ accessToken: 'at-signed-in' });
    const responses = await Promise.all(requests);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(seen.map((s) => s.authorization)).toEqual(Array(3).fill('Bearer at-signed-in'));
    expect(fetchToken).toHaveBeenCalledTimes(0);
    expect(source).toHaveBeenCalledTimes(1);
  });

  it('calls the source once, with no last token and a live signal', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    const { gate, contexts, source } = heldSignIn();
    const done = manager.signIn(source);
    await flushPromises();
    expect(contexts).toHaveLength(1);
    expect(contexts[0]).toMatchObject({ reason: 'initial', lastToken: null });
    expect(contexts[0]!.signal.aborted).toBe(false);
    gate.resolve(signedIn);
    await done;
  });

  it('installs and stores the token like any new one: onTokenUpdate once, storage.set', async () => {
    const onTokenUpdate = jest.fn();
    const storage = storageSpy();
    const manager = new TokenManager({ fetchToken: jest.fn(), onTokenUpdate, storage });
    const token = await manager.signIn(() => signedIn);
    expect(onTokenUpdate).toHaveBeenCalledTimes(1);
    expect(onTokenUpdate).toHaveBeenCalledWith(token);
    await flushPromises();
    expect(storage.set).toHaveBeenCalledTimes(1);
    expect(storage.set.mock.calls[0]![0]).toMatchObject({ accessToken: 'at-signed-in', refreshToken: 'rt-signed-in' });
    expect(manager.token).toBe(token);
    expect(manager.generation).toBeGreaterThan(0);
  });

  it('lets later renewals call fetchToken with the refresh token the sign-in obtained', async () => {
    const fetchToken = jest.fn(async (_ctx: TokenSourceContext) => ({ accessToken: 'at-renewed', expiresIn: 600 }));
    const manager = new TokenManager({ fetchToken, refreshBufferSeconds: 0 });
    await manager.signIn(() => signedIn);
    await jest.advanceTimersByTimeAsync(600_000);
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'at-renewed', refreshToken: 'rt-signed-in' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(fetchToken.mock.calls[0]![0]).toMatchObject({ reason: 'expired', lastToken: { refreshToken: 'rt-signed-in' } });
  });

  it('counts expiresIn from when the source settled, not from its start (a device sign-in takes minutes)', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    const { gate, source } = heldSignIn();
    const done = manager.signIn(source);
    await jest.advanceTimersByTimeAsync(300_000);
    gate.resolve(signedIn);
    const token = await done;
    expect(token.obtainedAt).toBe(START + 300_000);
    expect(token.expiresAt).toBe(START + 300_000 + 600_000);
  });

  it('is not bounded by refreshTimeoutMs: waiters still get the token after ten minutes', async () => {
    const fetchToken = jest.fn();
    const manager = new TokenManager({ fetchToken, refreshTimeoutMs: 1_000 });
    const { gate, source } = heldSignIn();
    const done = manager.signIn(source);
    const waiter = manager.getToken();
    await jest.advanceTimersByTimeAsync(600_000);
    gate.resolve(signedIn);
    await expect(Promise.all([done, waiter])).resolves.toEqual([
      expect.objectContaining({ accessToken: 'at-signed-in' }),
      expect.anything(),
    ]);
    expect((await waiter).accessToken).toBe('at-signed-in');
    expect(fetchToken).toHaveBeenCalledTimes(0);
  });

  it('lets a waiting request leave on its own signal while the sign-in goes on', async () => {
    const { api, valid } = createFakeApi();
    const auth = attachOAuth(api, { fetchToken: jest.fn() });
    const { gate, source } = heldSignIn();
    const signIn = auth.signIn(source);
    const controller = new AbortController();
    const leaving = api.get('/orders', { signal: controller.signal });
    const staying = api.get('/orders');
    await flushPromises();
    controller.abort();
    await expect(leaving).rejects.toBeInstanceOf(CanceledError);
    valid.add('at-signed-in');
    gate.resolve(signedIn);
    await expect(staying).resolves.toMatchObject({ status: 200 });
    await signIn;
  });

  it('drops the current token at once: requests wait for the new session instead of going out as the old one', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn(), initialToken: { accessToken: 'at-old-user', expiresIn: 3600 } });
    const { gate, source } = heldSignIn();
    const done = manager.signIn(source);
    expect(manager.peek()).toBeUndefined();
    expect(manager.token).toBeNull();
    const waiter = manager.getToken();
    gate.resolve(signedIn);
    await expect(waiter).resolves.toMatchObject({ accessToken: 'at-signed-in' });
    await done;
  });

  it('refuses a second signIn() while one runs (ERR_SIGN_IN_IN_PROGRESS) and leaves the first alone', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    const first = heldSignIn();
    const second = jest.fn(() => 'at-second');
    const running = manager.signIn(first.source);
    const refused = await manager.signIn(second).catch((error: unknown) => error as SignInError);
    expect(refused).toBeInstanceOf(SignInError);
    expect((refused as SignInError).code).toBe(ErrorCode.SIGN_IN_IN_PROGRESS);
    expect(second).toHaveBeenCalledTimes(0);
    expect(first.contexts[0]!.signal.aborted).toBe(false);
    first.gate.resolve(signedIn);
    await expect(running).resolves.toMatchObject({ accessToken: 'at-signed-in' });
    await expect(manager.signIn(second)).resolves.toMatchObject({ accessToken: 'at-second' });
  });

  it('rejects the sign-in and every waiter with one SignInError whose cause is the real error, and leaves no token', async () => {
    const storage = storageSpy();
    const onRefreshFailed = jest.fn();
    const fetchToken = jest.fn(async () => 'at-later');
    const manager = new TokenManager({ fetchToken, onRefreshFailed, storage, initialToken: 'at-before' });
    const { gate, source } = heldSignIn();
    const done = manager.signIn(source);
    const waiters = [manager.getToken(), manager.refresh()];
    const denied = new OAuthError({ error: 'access_denied', errorDescription: 'The user said no', status: 400 });
    gate.reject(denied);
    const errors = await Promise.all([done, ...waiters].map((p) => p.catch((error: unknown) => error)));
    expect(new Set(errors).size).toBe(1);
    const error = errors[0] as SignInError;
    expect(error).toBeInstanceOf(SignInError);
    expect(isSignInError(error) && isTokenRefreshError(error)).toBe(true);
    expect(error.code).toBe(ErrorCode.SIGN_IN_FAILED);
    expect(error.cause).toBe(denied);
    expect(error.message).toBe('Sign-in failed: OAuthError: Authorization server answered "access_denied": The user said no');
    expect(manager.token).toBeNull();
    await flushPromises();
    expect(storage.delete).toHaveBeenCalledTimes(1);
    expect(onRefreshFailed).toHaveBeenCalledTimes(0);
    expect(fetchToken).toHaveBeenCalledTimes(0);
    // The lock is free again: the next request calls fetchToken.
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'at-later' });
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('supersedes a refresh in flight: the refresh is aborted and its waiters get the sign-in token', async () => {
    const refreshGate = deferred<string>();
    const refreshContexts: TokenSourceContext[] = [];
    const fetchToken = jest.fn((ctx: TokenSourceContext) => {
      refreshContexts.push(ctx);
      ctx.signal.addEventListener('abort', () => refreshGate.reject(ctx.signal.reason));
      return refreshGate.promise;
    });
    const manager = new TokenManager({ fetchToken });
    const refreshWaiter = manager.getToken();
    await flushPromises();
    expect(fetchToken).toHaveBeenCalledTimes(1);
    const { gate, source } = heldSignIn();
    const done = manager.signIn(source);
    expect(refreshContexts[0]!.signal.aborted).toBe(true);
    await flushPromises();
    const later = manager.getToken();
    gate.resolve(signedIn);
    await expect(Promise.all([done, refreshWaiter, later])).resolves.toEqual(
      Array(3).fill(expect.objectContaining({ accessToken: 'at-signed-in' })),
    );
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(source).toHaveBeenCalledTimes(1);
  });

  it('aborts on its signal: the source sees the abort, the sign-in and its waiters reject at once', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    const { contexts, source } = heldSignIn(); // never settles: the abort alone must end it
    const controller = new AbortController();
    const done = manager.signIn(source, { signal: controller.signal });
    const waiter = manager.getToken();
    await flushPromises();
    controller.abort(new Error('user closed the dialog'));
    const error = (await done.catch((e: unknown) => e)) as SignInError;
    expect(error.code).toBe(ErrorCode.SIGN_IN_FAILED);
    expect((error.cause as Error).message).toBe('user closed the dialog');
    await expect(waiter).rejects.toBe(error);
    expect(contexts[0]!.signal.aborted).toBe(true);
    expect(manager.token).toBeNull();
  });

  it('rejects with ERR_TOKEN_CLEARED when clear() runs during the sign-in, and installs nothing', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    const { gate, contexts, source } = heldSignIn();
    const done = manager.signIn(source);
    await flushPromises();
    manager.clear();
    expect(contexts[0]!.signal.aborted).toBe(true);
    gate.resolve(signedIn);
    await expect(done).rejects.toMatchObject({ code: ErrorCode.TOKEN_CLEARED });
    expect(manager.token).toBeNull();
  });

  it('turns an answer that is not a token into a SignInError', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    const error = (await manager.signIn(() => ({}) as TokenInput).catch((e: unknown) => e)) as SignInError;
    expect(error.code).toBe(ErrorCode.SIGN_IN_FAILED);
    expect((error.cause as { code?: string }).code).toBe(ErrorCode.INVALID_TOKEN);
  });

  it('keeps the secrets of a failed token request out of its error', async () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    const leaky = Object.assign(new Error('request failed'), {
      config: {
        data: 'grant_type=authorization_code&code=code-S3cretValue&code_verifier=verifier-S3cret',
        headers: { Authorization: 'Basic Y2xpZW50OnNlY3JldC12YWx1ZQ==' },
      },
    });
    const error = await manager.signIn(() => Promise.reject(leaky)).catch((e: unknown) => e);
    expectNoSecrets(error, ['code-S3cretValue', 'verifier-S3cret', 'Y2xpZW50OnNlY3JldC12YWx1ZQ==']);
  });

  it('checks its arguments when called', () => {
    const manager = new TokenManager({ fetchToken: jest.fn() });
    expect(() => manager.signIn('nope' as never)).toThrow(new TypeError('"source" must be a function'));
    expect(() => manager.signIn(() => 'x', { signal: 'soon' as never })).toThrow(new TypeError('"options.signal" must be an AbortSignal'));
    expect(() => manager.signIn(() => 'x', null as never)).toThrow(new TypeError('"options" must be an object'));
  });
});
