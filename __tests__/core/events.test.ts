import { attachOAuth, memoryStorage, OAuthError, TokenManager, type TokenInput } from '../../lib/index.js';
import axios from 'axios';
import { deferred, flushPromises } from '../support/fake-api.js';
import { manualClock, recordEvents } from '../support/events.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';

const ACCESS = 'access-Tok3n-first';
const ACCESS_2 = 'access-Tok3n-second';
const REFRESH = 'refresh-Tok3n-secret';
const SECRETS = [ACCESS, ACCESS_2, REFRESH];

describe('onEvent: refreshes as the token manager sees them', () => {
  it('tells a storm of 50 callers as one refresh:start and one refresh:end with 50 waiters', async () => {
    const clock = manualClock();
    const gate = deferred<TokenInput>();
    const fetchToken = jest.fn(() => gate.promise);
    const { events, onEvent } = recordEvents();
    const manager = new TokenManager({ fetchToken, now: clock.now, onEvent });

    const all = Promise.all(Array.from({ length: 50 }, () => manager.getToken()));
    clock.advance(250);
    gate.resolve({ accessToken: ACCESS, refreshToken: REFRESH, expiresIn: 3600 });
    await all;

    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(events).toEqual([
      { type: 'refresh:start', reason: 'initial', generation: 0 },
      { type: 'refresh:end', reason: 'initial', outcome: 'fetched', durationMs: 250, waiters: 50 },
    ]);
    expectNoSecrets(events, SECRETS);
  });

  it('tells a background refresh that fails as refresh:end "failed" with no waiter, then one background-error', async () => {
    const clock = manualClock();
    const onBackgroundError = jest.fn();
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce({ accessToken: ACCESS, refreshToken: REFRESH, expiresIn: 3600 })
      .mockRejectedValueOnce(new Error(`endpoint down while redeeming ${REFRESH}`));
    const { events, onEvent } = recordEvents();
    const manager = new TokenManager({ fetchToken, now: clock.now, onEvent, onBackgroundError });
    await manager.getToken();
    events.length = 0;

    clock.advance(3_550_000); // inside the 60 s buffer
    expect(manager.peek()?.accessToken).toBe(ACCESS); // still served; the refresh runs in the background
    await flushPromises();

    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(onBackgroundError).toHaveBeenCalledTimes(1);
    expect(events).toEqual([
      { type: 'refresh:start', reason: 'expiring', generation: 1 },
      { type: 'refresh:end', reason: 'expiring', outcome: 'failed', durationMs: 0, waiters: 0, error: { name: 'Error' } },
      { type: 'background-error', error: { name: 'TokenRefreshError', code: 'ERR_TOKEN_REFRESH_FAILED' } },
    ]);
    expectNoSecrets(events, SECRETS);
  });

  it('counts a refresh() that joins a background refresh as a waiter', async () => {
    const clock = manualClock();
    const gate = deferred<TokenInput>();
    const fetchToken = jest.fn().mockResolvedValueOnce({ accessToken: ACCESS, expiresIn: 3600 }).mockReturnValueOnce(gate.promise);
    const { ofType, onEvent } = recordEvents();
    const manager = new TokenManager({ fetchToken, now: clock.now, onEvent });
    await manager.getToken();
    clock.advance(3_550_000);
    manager.peek();
    const forced = manager.refresh();
    gate.resolve({ accessToken: ACCESS_2, expiresIn: 3600 });
    await forced;
    expect(ofType('refresh:end').at(-1)).toEqual({
      type: 'refresh:end',
      reason: 'expiring',
      outcome: 'fetched',
      durationMs: 0,
      waiters: 1,
    });
  });

  it('tells an OAuth error by its RFC 6749 code, and a timeout by its error code', async () => {
    jest.useFakeTimers({ doNotFake: ['setImmediate'] });
    try {
      const { ofType, onEvent } = recordEvents();
      const rejecting = new TokenManager({ fetchToken: () => Promise.reject(new OAuthError({ error: 'invalid_grant' })), onEvent });
      await expect(rejecting.getToken()).rejects.toMatchObject({ code: 'ERR_TOKEN_REFRESH_FAILED' });
      const hanging = new TokenManager({ fetchToken: () => new Promise<never>(() => undefined), refreshTimeoutMs: 1000, onEvent });
      const waiting = hanging.getToken().catch((error: unknown) => error);
      await jest.advanceTimersByTimeAsync(1000);
      await expect(waiting).resolves.toMatchObject({ code: 'ERR_TOKEN_REFRESH_TIMEOUT' });

      expect(ofType('refresh:end').map((e) => [e.outcome, e.durationMs, e.error])).toEqual([
        ['failed', 0, { name: 'OAuthError', code: 'ERR_OAUTH_ERROR', oauthError: 'invalid_grant' }],
        ['failed', 1000, { name: 'TokenRefreshError', code: 'ERR_TOKEN_REFRESH_TIMEOUT' }],
      ]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('tells a refresh overtaken by clear() as "abandoned"', async () => {
    const gate = deferred<TokenInput>();
    const { ofType, onEvent } = recordEvents();
    const manager = new TokenManager({ fetchToken: () => gate.promise, onEvent });
    const waiting = manager.getToken().catch((error: unknown) => error);
    manager.clear();
    await expect(waiting).resolves.toMatchObject({ code: 'ERR_TOKEN_CLEARED' }); // at once, not when the source settles
    expect(ofType('refresh:end')).toEqual([]); // the source's call has not ended yet
    gate.resolve({ accessToken: ACCESS });
    await flushPromises();
    expect(ofType('refresh:end')).toEqual([expect.objectContaining({ outcome: 'abandoned', waiters: 1 })]);
    expect(ofType('refresh:end')[0]).not.toHaveProperty('error');
  });

  it('tells a token adopted from a shared storage as "adopted", with no call to the token source', async () => {
    const storage = memoryStorage();
    const first = new TokenManager({ fetchToken: async () => ({ accessToken: ACCESS, expiresIn: 3600 }), storage });
    await first.getToken();
    const fetchToken = jest.fn();
    const { events, onEvent } = recordEvents();
    const second = new TokenManager({ fetchToken, storage, onEvent });
    await expect(second.getToken()).resolves.toMatchObject({ accessToken: ACCESS });
    expect(fetchToken).not.toHaveBeenCalled();
    expect(events).toEqual([
      { type: 'refresh:start', reason: 'initial', generation: 0 },
      { type: 'refresh:end', reason: 'initial', outcome: 'adopted', durationMs: expect.any(Number), waiters: 1 },
    ]);
  });

  it('reports a storage failure as a background-error event, by name and code only', async () => {
    const failing = new Error(`redis down, token ${ACCESS}`);
    const { ofType, onEvent } = recordEvents();
    const storage = { get: () => Promise.reject(failing), set: () => undefined, delete: () => undefined };
    const manager = new TokenManager({ fetchToken: async () => ({ accessToken: ACCESS }), storage, onEvent });
    await manager.getToken();
    expect(ofType('background-error')).toEqual([{ type: 'background-error', error: { name: 'Error' } }]);
  });
});

describe('onEvent: a listener that throws', () => {
  it('never breaks a refresh: each throw goes to onBackgroundError, and raises no event of its own', async () => {
    const bug = new Error('listener bug');
    const onBackgroundError = jest.fn();
    const onEvent = jest.fn(() => {
      throw bug;
    });
    const manager = new TokenManager({ fetchToken: async () => ({ accessToken: ACCESS }), onEvent, onBackgroundError });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: ACCESS });
    expect(onEvent).toHaveBeenCalledTimes(2); // start, end: no background-error event for the listener's own failure
    expect(onBackgroundError.mock.calls).toEqual([[bug], [bug]]);
  });

  it('never breaks a request either, when onBackgroundError throws too', async () => {
    const api = axios.create({
      baseURL: 'https://api.example.com',
      adapter: async (config) => ({ data: 'ok', status: 200, statusText: 'OK', headers: {}, config }),
    });
    const onEvent = (): void => {
      // eslint-disable-next-line @typescript-eslint/only-throw-error -- a listener may throw anything
      throw 'not even an Error';
    };
    const onBackgroundError = (): void => {
      throw new Error('reporter bug');
    };
    attachOAuth(api, { fetchToken: async () => ({ accessToken: ACCESS }), onEvent, onBackgroundError });
    await expect(api.get('/x')).resolves.toMatchObject({ data: 'ok' });
  });
});

describe('the onEvent option', () => {
  it('must be a function, on a TokenManager and on attachOAuth', () => {
    const fetchToken = async () => ACCESS;
    expect(() => new TokenManager({ fetchToken, onEvent: 'log' as never })).toThrow(new TypeError('"options.onEvent" must be a function'));
    expect(() => attachOAuth(axios.create({ baseURL: 'https://api.example.com' }), { fetchToken, onEvent: 1 as never })).toThrow(
      new TypeError('"options.onEvent" must be a function'),
    );
  });

  it('belongs to the shared manager when there is one', () => {
    const tokenManager = new TokenManager({ fetchToken: async () => ACCESS });
    expect(() => attachOAuth(axios.create({ baseURL: 'https://api.example.com' }), { tokenManager, onEvent: () => undefined })).toThrow(
      new TypeError('"options.onEvent" cannot be combined with "options.tokenManager": set it on the shared manager'),
    );
  });
});
