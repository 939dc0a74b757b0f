import { attachOAuth, TokenManager, type Token, type TokenStorage } from '../../lib/index.js';
import { createFakeApi } from '../support/fake-api.js';

/* Behaviours mutation testing found unpinned (issue 9): hooks and reports, storage sharing, revoke, token input. */

const START = Date.UTC(2026, 0, 1);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

/** A storage whose `subscribe` listener the test drives, as another tab or process would. */
function sharedStorage(initial: Token | null = null) {
  let stored = initial;
  let listener: ((token: Token | null) => void) | undefined;
  const storage = {
    get: jest.fn(() => stored),
    set: jest.fn((token: Token) => {
      stored = token;
    }),
    delete: jest.fn(() => {
      stored = null;
    }),
    subscribe: jest.fn((l: (token: Token | null) => void) => {
      listener = l;
      return () => (listener = undefined);
    }),
  } satisfies TokenStorage;
  const hear = (token: Token | null): void => listener!(token);
  return { storage, hear };
}

const otherTabs = (accessToken: string): Token => ({ accessToken, tokenType: 'Bearer', obtainedAt: START, expiresAt: START + 600_000 });

describe('onTokenUpdate and reports', () => {
  it('runs onTokenUpdate for a token installed with setToken()', () => {
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken: async () => 'unused', onTokenUpdate });
    manager.setToken({ accessToken: 'manual', expiresIn: 60 });
    expect(onTokenUpdate).toHaveBeenCalledTimes(1);
    expect(onTokenUpdate).toHaveBeenCalledWith(expect.objectContaining({ accessToken: 'manual', expiresAt: START + 60_000 }));
  });

  it('reports storage write and delete failures to onBackgroundError', async () => {
    const onBackgroundError = jest.fn();
    const storage: TokenStorage = {
      get: () => null,
      set: () => Promise.reject(new Error('quota exceeded')),
      delete: () => {
        throw new Error('delete failed');
      },
    };
    const manager = new TokenManager({ fetchToken: async () => 'fresh', storage, onBackgroundError });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'fresh' }); // a failed write fails nothing
    manager.setToken('manual');
    manager.clear();
    await jest.advanceTimersByTimeAsync(0);
    expect(onBackgroundError.mock.calls.map((c) => (c[0] as Error).message)).toEqual(['quota exceeded', 'quota exceeded', 'delete failed']);
  });

  it('reports nothing when there is no storage', async () => {
    const onBackgroundError = jest.fn();
    const manager = new TokenManager({ fetchToken: async () => 'fresh', onBackgroundError });
    await manager.getToken();
    manager.setToken('manual');
    manager.clear();
    await manager.revoke();
    await jest.advanceTimersByTimeAsync(0);
    expect(onBackgroundError).not.toHaveBeenCalled();
  });
});

describe('revoke()', () => {
  it('only clears when there is no token', async () => {
    const revoke = jest.fn(async () => undefined);
    const manager = new TokenManager({ fetchToken: Object.assign(async () => 'tok', { revoke }) });
    await expect(manager.revoke()).resolves.toBeUndefined();
    expect(revoke).not.toHaveBeenCalled();
    expect(manager.token).toBeNull();
  });

  it('only clears when the source cannot revoke', async () => {
    const { storage } = sharedStorage();
    const manager = new TokenManager({ fetchToken: async () => 'tok', storage });
    await manager.getToken();
    await expect(manager.revoke()).resolves.toBeUndefined();
    await jest.advanceTimersByTimeAsync(0);
    expect(manager.token).toBeNull();
    expect(storage.delete).toHaveBeenCalledTimes(1);
  });
});

describe('storage shared between tabs', () => {
  it('makes a fresh tab adopt the token another tab stored, with no fetch', async () => {
    const { storage } = sharedStorage(otherTabs('from-tab-a'));
    const fetchToken = jest.fn(async () => 'own');
    const manager = new TokenManager({ fetchToken, storage });
    await expect(manager.getToken()).resolves.toMatchObject({ accessToken: 'from-tab-a' });
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it('takes a token heard from another tab: onTokenUpdate runs, the generation moves', async () => {
    const { storage, hear } = sharedStorage();
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken: async () => 'own', storage, onTokenUpdate });
    await manager.getToken();
    const generation = manager.generation;
    hear(otherTabs('from-tab-b'));
    expect(manager.peek()?.accessToken).toBe('from-tab-b');
    expect(manager.generation).toBe(generation + 1);
    expect(onTokenUpdate).toHaveBeenCalledTimes(2);
  });

  it('ignores the echo of its own write: no second onTokenUpdate, no generation bump', async () => {
    const { storage, hear } = sharedStorage();
    const onTokenUpdate = jest.fn();
    const manager = new TokenManager({ fetchToken: async () => 'own', storage, onTokenUpdate });
    const token = await manager.getToken();
    const generation = manager.generation;
    hear({ ...token }); // e.g. a BroadcastChannel that also delivers to its sender
    expect(manager.generation).toBe(generation);
    expect(onTokenUpdate).toHaveBeenCalledTimes(1);
  });

  it('drops the token when another tab deletes it, and does not write the deletion back', async () => {
    const { storage, hear } = sharedStorage();
    const manager = new TokenManager({ fetchToken: async () => 'own', storage });
    await manager.getToken();
    hear(null);
    await jest.advanceTimersByTimeAsync(0);
    expect(manager.token).toBeNull();
    expect(storage.delete).not.toHaveBeenCalled();
  });
});

describe('token input', () => {
  const jwt = (payload: object): string => `eyJhbGciOiJub25lIn0.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.sig`;

  it("uses a JWT's exp as its expiry when the response gives none", async () => {
    const exp = Math.floor(START / 1000) + 120;
    const manager = new TokenManager({ fetchToken: async () => jwt({ exp }) });
    await expect(manager.getToken()).resolves.toMatchObject({ expiresAt: exp * 1000 });
  });

  it('lets expires_in win over the JWT exp, and expiresAt win over both', async () => {
    const exp = Math.floor(START / 1000) + 120;
    const manager = new TokenManager({ fetchToken: async () => ({ accessToken: jwt({ exp }), expiresIn: 30 }) });
    await expect(manager.getToken()).resolves.toMatchObject({ expiresAt: START + 30_000 });
    const installed = manager.setToken({ accessToken: 'a', expiresIn: 30, expiresAt: START + 5000 });
    expect(installed.expiresAt).toBe(START + 5000);
  });

  it.each(['Bearer x', 'Bear er', '', 'Bearer\n'])('rejects the invalid token_type %j', async (tokenType) => {
    const manager = new TokenManager({ fetchToken: async () => ({ access_token: 'a', token_type: tokenType }) });
    await expect(manager.getToken()).rejects.toMatchObject({
      code: 'ERR_INVALID_TOKEN',
      message: 'Failed to refresh token: the token type is not a valid header scheme',
    });
  });

  it("sends the bare token from getHeaders() with headerScheme ''", async () => {
    const { api } = createFakeApi();
    const handle = attachOAuth(api, { fetchToken: async () => ({ access_token: 'raw', token_type: 'MAC' }), headerScheme: '' });
    await expect(handle.getHeaders()).resolves.toEqual({ Authorization: 'raw' });
  });

  it('uses the token_type as the scheme by default, with Bearer canonical', async () => {
    const { api } = createFakeApi();
    const handle = attachOAuth(api, { fetchToken: async () => ({ access_token: 'raw', token_type: 'bEaReR' }) });
    await expect(handle.getHeaders()).resolves.toEqual({ Authorization: 'Bearer raw' });
  });
});
