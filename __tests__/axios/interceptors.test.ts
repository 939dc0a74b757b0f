import axios, { AxiosError, CanceledError } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { Readable } from 'node:stream';
import { attachOAuth, ErrorCode, TokenRefreshError } from '../../lib/index.js';
import { BASE_URL, countingSource, createFakeApi, deferred, flushPromises } from '../support/fake-api.js';

describe('attaching the token', () => {
  it.each([1, 10, 1000])('sends %i concurrent requests from cold with one token fetch, all carrying it', async (n) => {
    const { api, valid, seen } = createFakeApi();
    const fetchToken = countingSource(valid);
    attachOAuth(api, { fetchToken });
    const responses = await Promise.all(Array.from({ length: n }, (_, i) => api.get(`/orders/${i}`)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(new Set(seen.map((s) => s.authorization))).toEqual(new Set(['Bearer t1']));
  });

  it('uses the token type the server gave as the scheme, and a custom header and scheme when asked', async () => {
    const { api, seen } = createFakeApi();
    attachOAuth(api, { fetchToken: async () => ({ access_token: 'abc', token_type: 'bearer' }) });
    await api.get('/a').catch(() => undefined);
    expect(seen[0]!.authorization).toBe('Bearer abc');

    const other = createFakeApi();
    attachOAuth(other.api, { fetchToken: async () => 'key123', headerName: 'X-Api-Token', headerScheme: '' });
    await other.api.get('/a').catch(() => undefined);
    expect(other.seen[0]!.config.headers['X-Api-Token']).toBe('key123');
    expect(other.seen[0]!.authorization).toBeUndefined();
  });

  it('leaves a caller-set Authorization header alone and never refreshes for it', async () => {
    const { api, seen } = createFakeApi();
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    const error = await api.get('/a', { headers: { Authorization: 'Basic mine' } }).catch((e: AxiosError) => e);
    expect(seen.map((s) => s.authorization)).toEqual(['Basic mine']);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it('sends a skipAuth request bare and never refreshes for it', async () => {
    const { api, seen } = createFakeApi();
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    await expect(api.get('/public', { skipAuth: true })).rejects.toMatchObject({ response: { status: 401 } });
    expect(seen[0]!.authorization).toBeUndefined();
    expect(fetchToken).not.toHaveBeenCalled();
  });
});

describe('origins', () => {
  it.each([
    ['an absolute URL to another host', 'https://evil.example/steal', {}],
    ['a protocol-relative URL', '//evil.example/steal', {}],
    ['the same host on another port', 'https://api.example.com:8443/x', {}],
    ['an http downgrade of the API origin', 'http://api.example.com/x', {}],
    ['a per-request baseURL elsewhere', '/x', { baseURL: 'https://evil.example' }],
  ])('sends no token and makes no refresh for %s', async (_label, url, extra) => {
    const { api, mock, seen } = createFakeApi();
    mock.reset();
    mock.onAny().reply((config) => {
      seen.push({ url: config.url, authorization: config.headers?.Authorization as string | undefined, config: config as never });
      return [401];
    });
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    await expect(api.get(url, extra)).rejects.toMatchObject({ response: { status: 401 } });
    expect(seen[0]!.authorization).toBeUndefined();
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it('attaches to an absolute URL on an allowed origin, and honours allowAbsoluteUrls: false', async () => {
    const { api, valid, seen } = createFakeApi();
    attachOAuth(api, { fetchToken: countingSource(valid) });
    await api.get(`${BASE_URL}/abs`);
    await api.get('https://evil.example/x', { allowAbsoluteUrls: false }); // axios sends this to the baseURL
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer t1']);
  });

  it('accepts RegExp and predicate rules', async () => {
    const api = axios.create();
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    mock.onAny().reply((config) => [200, config.headers?.Authorization ?? null]);
    attachOAuth(api, {
      fetchToken: async () => 'tok',
      origins: [/^https:\/\/[a-z]+\.example\.org$/, (url) => url.hostname === 'other.test'],
    });
    expect((await api.get('https://a.example.org/x')).data).toBe('Bearer tok');
    expect((await api.get('https://other.test/x')).data).toBe('Bearer tok');
    expect((await api.get('https://a.example.org.evil.com/x')).data).toBeNull();
  });
});

describe('origins: pinned edge cases', () => {
  it('attaches to relative URLs that contain `//` (a `?next=https://…` query, a double slash in the path)', async () => {
    const { api, valid, seen } = createFakeApi();
    attachOAuth(api, { fetchToken: countingSource(valid) });
    await api.get('/login?next=https://evil.example/steal');
    await api.get('/a//b');
    await api.get('orders//evil.example');
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer t1', 'Bearer t1']);
  });

  it('never sends the token over plain http to a remote host, even when a RegExp or a function rule matches it', async () => {
    const api = axios.create();
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    mock.onAny().reply((config) => [200, config.headers?.Authorization ?? null]);
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken, origins: [/^http:\/\/remote\.example$/, (url) => url.hostname === 'other.example'] });
    expect((await api.get('http://remote.example/x')).data).toBeNull();
    expect((await api.get('http://other.example/x')).data).toBeNull();
    expect((await api.get('https://other.example/x')).data).toBe('Bearer t1');

    const insecure = axios.create();
    new MockAdapter(insecure, { onNoMatch: 'throwException' }).onAny().reply((config) => [200, config.headers?.Authorization ?? null]);
    attachOAuth(insecure, { fetchToken: async () => 'tok', origins: /^http:\/\/remote\.example$/, allowInsecureHttp: true });
    expect((await insecure.get('http://remote.example/x')).data).toBe('Bearer tok');
  });

  it('takes our header off a replay that another interceptor sends to a disallowed origin', async () => {
    const { api, valid, seen } = createFakeApi();
    const fetchToken = countingSource(valid);
    attachOAuth(api, { fetchToken });
    // Registered after attachOAuth, so it runs before our interceptor: it moves every replay to a mirror.
    api.interceptors.request.use((config) => {
      if (config.oauthLockState?.replayed === true) config.baseURL = 'https://mirror.example';
      return config;
    });
    await api.get('/warm');
    valid.clear();
    await expect(api.get('/orders')).rejects.toMatchObject({ response: { status: 401 } });
    expect(seen.map((s) => [s.config.baseURL, s.authorization])).toEqual([
      ['https://api.example.com', 'Bearer t1'],
      ['https://api.example.com', 'Bearer t1'],
      ['https://mirror.example', undefined],
    ]);
    expect(fetchToken).toHaveBeenCalledTimes(2); // the replay's 401 is not ours any more: no second refresh
  });
});

describe('401 wave and replay', () => {
  it('refreshes once for a wave of 401s and replays every request once with the new token, body and headers intact', async () => {
    const { api, valid, seen } = createFakeApi();
    const fetchToken = countingSource(valid);
    attachOAuth(api, { fetchToken });
    await api.get('/warm');
    valid.clear(); // the server revokes t1
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) => api.post(`/orders/${i}`, { n: i }, { headers: { 'X-Trace': `trace-${i}` } })),
    );
    expect(responses.map((r) => r.data.token)).toEqual(Array(20).fill('t2'));
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(fetchToken.mock.calls[1]).toEqual([expect.objectContaining({ reason: 'unauthorized' })]);
    const replays = seen.filter((s) => s.authorization === 'Bearer t2');
    expect(replays).toHaveLength(20);
    for (const replay of replays) {
      const i = Number(replay.url!.split('/').pop());
      expect(replay.config.headers['X-Trace']).toBe(`trace-${i}`);
      expect(JSON.parse(replay.config.data as string)).toEqual({ n: i });
    }
    expect(seen).toHaveLength(1 + 20 + 20);
  });

  it('replays a 401 sent with a stale token without refreshing (it arrived after the refresh finished)', async () => {
    const { api, mock, valid } = createFakeApi();
    const fetchToken = countingSource(valid);
    attachOAuth(api, { fetchToken });
    await api.get('/warm');
    const slow = deferred<[number]>();
    mock.reset();
    let first = true;
    mock.onAny().reply((config) => {
      const token = String(config.headers?.Authorization).replace('Bearer ', '');
      if (first) {
        first = false;
        return slow.promise; // this request was sent with t1 and is held
      }
      return valid.has(token) ? [200, token] : [401];
    });
    const late = api.get('/slow');
    await flushPromises();
    valid.clear();
    await expect(api.get('/fast')).resolves.toMatchObject({ data: 't2' }); // 401 → refresh → t2
    slow.resolve([401]); // the t1 request's 401 comes back now
    await expect(late).resolves.toMatchObject({ data: 't2' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('rejects a replay that gets 401 again with that 401: no loop, no second refresh', async () => {
    const { api, mock } = createFakeApi();
    mock.reset();
    mock.onAny().reply(401, { error: 'invalid_token' });
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    const error = (await api.get('/x').catch((e: unknown) => e)) as AxiosError;
    expect(error).toBeInstanceOf(AxiosError);
    expect(error.response?.status).toBe(401);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(mock.history.get).toHaveLength(2);
  });

  it('does not refresh on 403, on skipAuthRefresh, or when shouldRefresh says no', async () => {
    const { api, mock } = createFakeApi();
    mock.reset();
    mock.onGet('/forbidden').reply(403).onAny().reply(401);
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken, shouldRefresh: (e) => e.response?.status === 401 && e.config?.url !== '/mine' });
    await expect(api.get('/forbidden')).rejects.toMatchObject({ response: { status: 403 } });
    await expect(api.get('/x', { skipAuthRefresh: true })).rejects.toMatchObject({ response: { status: 401 } });
    await expect(api.get('/mine')).rejects.toMatchObject({ response: { status: 401 } });
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('rejects every request of a wave with TokenRefreshError when the refresh fails, and recovers on the next request', async () => {
    const { api, valid } = createFakeApi();
    const fetchToken = jest
      .fn()
      .mockResolvedValueOnce('t1')
      .mockRejectedValueOnce(new Error('token endpoint down'))
      .mockImplementation(async () => (valid.add('t3'), 't3'));
    valid.add('t1');
    attachOAuth(api, { fetchToken });
    await api.get('/warm');
    valid.clear();
    const results = await Promise.allSettled(Array.from({ length: 10 }, () => api.get('/x')));
    for (const r of results) {
      expect(r.status).toBe('rejected');
      const reason = (r as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(TokenRefreshError);
      expect(reason).toMatchObject({ code: ErrorCode.REFRESH_FAILED });
      expect(reason.message).toMatch(/^Failed to refresh token/);
    }
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await expect(api.get('/x')).resolves.toMatchObject({ data: { token: 't3' } });
  });

  it('goes back through the instance interceptors on replay', async () => {
    const { api, valid } = createFakeApi();
    attachOAuth(api, { fetchToken: countingSource(valid) });
    const stamps: number[] = [];
    api.interceptors.request.use((config) => (stamps.push(1), config));
    await api.get('/warm');
    valid.clear();
    await api.get('/x');
    expect(stamps).toHaveLength(3);
  });
});

describe('abort and detach', () => {
  it('rejects a request waiting for the refresh as soon as its signal aborts; the refresh goes on for the others', async () => {
    const { api, valid, seen } = createFakeApi();
    const gate = deferred<string>();
    const fetchToken = jest.fn(() => gate.promise);
    attachOAuth(api, { fetchToken });
    const controller = new AbortController();
    const aborted = api.get('/a', { signal: controller.signal });
    const other = api.get('/b');
    await flushPromises();
    controller.abort();
    await expect(aborted).rejects.toBeInstanceOf(CanceledError);
    valid.add('tok');
    gate.resolve('tok');
    await expect(other).resolves.toMatchObject({ status: 200 });
    expect(seen.map((s) => s.url)).toEqual(['/b']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('rejects a request whose signal was aborted before it was sent, leaving no unhandled rejection when the refresh fails', async () => {
    const { api, seen } = createFakeApi();
    const gate = deferred<string>();
    attachOAuth(api, { fetchToken: () => gate.promise });
    const controller = new AbortController();
    controller.abort();
    await expect(api.get('/a', { signal: controller.signal })).rejects.toBeInstanceOf(CanceledError);
    gate.reject(new Error('token endpoint down')); // nobody waits for this refresh any more
    await flushPromises();
    expect(seen).toHaveLength(0);
  });

  it('regression: rejects a request waiting for the refresh as soon as its cancelToken is cancelled', async () => {
    const { api, valid, seen } = createFakeApi();
    const gate = deferred<string>();
    const fetchToken = jest.fn(() => gate.promise);
    attachOAuth(api, { fetchToken });
    const source = axios.CancelToken.source();
    const cancelled = api.get('/a', { cancelToken: source.token });
    const other = api.get('/b');
    await flushPromises();
    source.cancel('user left');
    const reason: unknown = await cancelled.catch((e: unknown) => e);
    expect(axios.isCancel(reason)).toBe(true);
    expect((reason as Error).message).toBe('user left');
    valid.add('tok');
    gate.resolve('tok');
    await expect(other).resolves.toMatchObject({ status: 200 });
    expect(seen.map((s) => s.url)).toEqual(['/b']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('regression: rejects at once a request whose cancelToken was cancelled before it was sent, with no unhandled rejection', async () => {
    const { api, seen } = createFakeApi();
    const gate = deferred<string>();
    attachOAuth(api, { fetchToken: () => gate.promise });
    const source = axios.CancelToken.source();
    source.cancel('too late');
    const reason: unknown = await api.get('/a', { cancelToken: source.token }).catch((e: unknown) => e);
    expect(axios.isCancel(reason)).toBe(true);
    gate.reject(new Error('token endpoint down'));
    await flushPromises();
    expect(seen).toHaveLength(0);
  });

  it('regression: rejects a 401 waiting for its refresh as soon as its cancelToken is cancelled, and never replays it', async () => {
    const { api, valid, seen } = createFakeApi();
    let calls = 0;
    const gate = deferred<string>();
    attachOAuth(api, { fetchToken: () => (++calls === 1 ? Promise.resolve((valid.add('t1'), 't1')) : gate.promise) });
    await api.get('/warm');
    valid.clear();
    const source = axios.CancelToken.source();
    const cancelled = api.get('/a', { cancelToken: source.token });
    await flushPromises(50);
    expect(calls).toBe(2); // the 401 started the refresh, which is held open
    source.cancel();
    expect(axios.isCancel(await cancelled.catch((e: unknown) => e))).toBe(true);
    valid.add('t2');
    gate.resolve('t2');
    await flushPromises();
    expect(seen.map((s) => s.url)).toEqual(['/warm', '/a']);
  });

  it('lets waiting requests settle after detach() mid-refresh, then sends later requests without a token', async () => {
    const { api, valid, seen } = createFakeApi();
    const gate = deferred<string>();
    const handle = attachOAuth(api, { fetchToken: () => gate.promise, keepFresh: true });
    const waiting = api.get('/a');
    await flushPromises();
    handle.detach();
    valid.add('tok');
    gate.resolve('tok');
    await expect(waiting).resolves.toMatchObject({ status: 200 });
    await expect(api.get('/b')).rejects.toMatchObject({ response: { status: 401 } });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer tok', undefined]);
    expect(api.interceptors.request.handlers?.every((h) => h === null)).toBe(true);
    expect(api.interceptors.response.handlers?.every((h) => h === null)).toBe(true);
  });

  it('leaves no timers after detach()', async () => {
    jest.useFakeTimers();
    try {
      const { api, valid } = createFakeApi();
      const handle = attachOAuth(api, { fetchToken: countingSource(valid, 600), keepFresh: true });
      await api.get('/a');
      expect(jest.getTimerCount()).toBe(1);
      handle.detach();
      expect(jest.getTimerCount()).toBe(0);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('several instances', () => {
  it('shares one lock between instances attached to the same token manager', async () => {
    const a = createFakeApi();
    const b = createFakeApi();
    const fetchToken = countingSource();
    const handle = attachOAuth(a.api, {
      fetchToken: async () => {
        const t = await fetchToken();
        a.valid.add(t.accessToken);
        b.valid.add(t.accessToken);
        return t;
      },
    });
    attachOAuth(b.api, { tokenManager: handle.tokenManager });
    await Promise.all([a.api.get('/x'), b.api.get('/y'), a.api.get('/z')]);
    a.valid.clear();
    b.valid.clear();
    await Promise.all([a.api.get('/x'), b.api.get('/y')]);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('keeps two handles on two instances fully separate', async () => {
    const a = createFakeApi();
    const b = createFakeApi();
    const sourceA = countingSource(a.valid);
    const sourceB = countingSource(b.valid);
    attachOAuth(a.api, { fetchToken: sourceA });
    const handleB = attachOAuth(b.api, { fetchToken: sourceB });
    await a.api.get('/x');
    expect(sourceB).not.toHaveBeenCalled();
    expect(handleB.tokenManager.token).toBeNull();
  });
});

describe('handle', () => {
  it('exposes the token, its header, forced refresh, setToken and clear', async () => {
    const { api, valid } = createFakeApi();
    const fetchToken = countingSource(valid);
    const handle = attachOAuth(api, { fetchToken });
    expect(await handle.getAccessToken()).toBe('t1');
    expect(await handle.getHeaders()).toEqual({ Authorization: 'Bearer t1' });
    expect((await handle.refresh()).accessToken).toBe('t2');
    handle.setToken({ accessToken: 'mine', expiresIn: 60 });
    expect((await handle.getToken()).accessToken).toBe('mine');
    handle.clear();
    expect(await handle.getAccessToken()).toBe('t3');
  });
});

describe('bodies that cannot be sent twice', () => {
  it('rejects a 401 for a stream body with that 401 instead of replaying an empty stream', async () => {
    const { api, mock } = createFakeApi();
    mock.reset();
    mock.onAny().reply(401);
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    await expect(api.post('/upload', Readable.from(['chunk']))).rejects.toMatchObject({ response: { status: 401 } });
    expect(mock.history.post).toHaveLength(1);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });
});
