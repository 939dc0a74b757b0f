import axios, { type AxiosError, type InternalAxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachOAuth, type OAuthLockEvent } from '../../lib/index.js';
import { BASE_URL, countingSource, createFakeApi, deferred, flushPromises } from '../support/fake-api.js';

/*
 * Issue 9, "tests that can fail", second pass: what the interceptors and the router promise that the mutation run
 * (`npm run test:mutation -- interceptors`) still found unpinned.
 */

const OTHER = 'https://other.example.com';

describe('a bearer handle and DPoP-Nonce headers', () => {
  it('ignores a DPoP-Nonce on a successful response (no DPoP, nothing to remember)', async () => {
    const { api, mock, valid } = createFakeApi();
    mock.reset();
    mock.onGet('/a').reply(200, { ok: true }, { 'DPoP-Nonce': 'n-1' });
    attachOAuth(api, { fetchToken: countingSource(valid) });
    await expect(api.get('/a')).resolves.toMatchObject({ status: 200 });
  });

  it('refreshes and replays a 401 that carries a DPoP-Nonce, as any other 401', async () => {
    const { api, mock } = createFakeApi();
    mock.reset();
    mock.onGet('/a').replyOnce(401, {}, { 'DPoP-Nonce': 'n-1', 'WWW-Authenticate': 'Bearer error="invalid_token"' });
    mock.onGet('/a').reply(200, { ok: true });
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    await expect(api.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});

describe('the header value', () => {
  it('is the bare token with headerScheme "" (no leading space)', async () => {
    const api = axios.create({ baseURL: BASE_URL });
    const mock = new MockAdapter(api);
    let sent: unknown;
    mock.onGet('/a').reply((config) => ((sent = (config.headers as Record<string, unknown>)['X-Api-Key']), [200, {}]));
    attachOAuth(api, { fetchToken: countingSource(), headerName: 'X-Api-Key', headerScheme: '' });
    await api.get('/a');
    expect(sent).toBe('t1');
  });
});

describe('replaying bodies after a 401', () => {
  it('replays a JSON body that merely has a "pipe" property (only a real stream is one-shot)', async () => {
    const { api, valid, seen } = createFakeApi();
    let calls = 0;
    attachOAuth(api, { fetchToken: async () => `t${++calls}`, initialToken: { accessToken: 'stale' } });
    valid.add('t1');
    await expect(api.post('/a', { pipe: 'a-field' })).resolves.toMatchObject({ status: 200 });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer stale', 'Bearer t1']);
    expect(JSON.parse(seen[1]!.config.data as string)).toEqual({ pipe: 'a-field' });
  });
});

describe('a cancelToken cancelled while its 401 waits for the refresh', () => {
  it('raises no replay event: the request is not replayed', async () => {
    const { api, valid } = createFakeApi();
    const events: OAuthLockEvent[] = [];
    let calls = 0;
    const gate = deferred<string>();
    attachOAuth(api, {
      fetchToken: () => (++calls === 1 ? Promise.resolve((valid.add('t1'), 't1')) : gate.promise),
      onEvent: (event) => events.push(event),
    });
    await api.get('/warm');
    valid.clear();
    const source = axios.CancelToken.source();
    const cancelled = api.get('/a', { cancelToken: source.token });
    await flushPromises(50);
    expect(calls).toBe(2);
    source.cancel('user left');
    const reason: unknown = await cancelled.catch((e: unknown) => e);
    expect(axios.isCancel(reason)).toBe(true);
    gate.resolve('t2');
    await flushPromises();
    expect(events.filter((event) => event.type === 'replay')).toEqual([]);
  });
});

describe('plain headers objects', () => {
  // An app interceptor registered after attachOAuth runs before ours; it may replace headers with a plain object.
  const plainHeaders = (api: ReturnType<typeof createFakeApi>['api'], headers: () => Record<string, string>) =>
    api.interceptors.request.use((config) => {
      (config as { headers: unknown }).headers = { ...headers(), ...(config.headers as object) };
      return config;
    });

  it("see the caller's own header among others and step aside", async () => {
    const { api, seen } = createFakeApi();
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    plainHeaders(api, () => ({ Accept: 'application/json', 'X-Trace': '1', authorization: 'Basic mine' }));
    await api.get('/a').catch(() => undefined);
    expect((seen[0]!.config.headers as unknown as Record<string, string>).authorization).toBe('Basic mine');
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it("lose the first handle's header when the replay goes to another handle's origin", async () => {
    const api = axios.create({ baseURL: BASE_URL });
    const mock = new MockAdapter(api);
    const sent: { url: string | undefined; authorization: unknown }[] = [];
    mock.onAny().reply((config) => {
      const authorization = (config.headers as Record<string, unknown>).Authorization;
      sent.push({ url: config.url, authorization });
      return authorization === 'Bearer other-1' ? [200, {}] : [401, {}];
    });
    let n = 0;
    attachOAuth(api, { fetchToken: async () => `api-${++n}`, initialToken: { accessToken: 'api-stale' } });
    attachOAuth(api, { origins: OTHER, fetchToken: async () => 'other-1' });
    // The app fails over to the other API on the replay, and hands on a plain headers object.
    api.interceptors.request.use((config) => {
      if (config.oauthLockState?.replayed === true) config.url = `${OTHER}/a`;
      (config as { headers: unknown }).headers = { ...(config.headers as object) };
      return config;
    });
    await expect(api.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(sent).toEqual([
      { url: '/a', authorization: 'Bearer api-stale' },
      { url: `${OTHER}/a`, authorization: 'Bearer other-1' },
    ]);
  });
});

describe('a token superseded between its refresh and its request', () => {
  it('is sent as stale: its 401 replays with the newer token and refreshes nothing', async () => {
    const { api, seen, valid } = createFakeApi();
    let calls = 0;
    const fetchToken = jest.fn(async () => `t${++calls}`);
    const events: OAuthLockEvent[] = [];
    const handle = attachOAuth(api, {
      fetchToken,
      // The app replaces the first token the moment it arrives (a session switch): the waiting request still holds t1.
      onTokenUpdate: (token) => {
        if (token?.accessToken === 't1') handle.setToken({ accessToken: 'newer', expiresIn: 3600 });
      },
      onEvent: (event) => events.push(event),
    });
    valid.add('newer');
    await expect(api.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer t1', 'Bearer newer']);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(events.filter((event) => event.type === 'replay')).toMatchObject([{ cause: 'stale', sentGeneration: -1 }]);
  });
});

describe('the router', () => {
  it('refuses a second handle that repeats one of the first handle’s several rules', () => {
    const api = axios.create({ baseURL: BASE_URL });
    attachOAuth(api, { origins: [BASE_URL, OTHER], fetchToken: countingSource() });
    expect(() => attachOAuth(api, { origins: OTHER, fetchToken: countingSource() })).toThrow(
      new RegExp(`already has the rule ${OTHER.replace(/\./g, '\\.')}`),
    );
  });

  it('survives a second detach() of the last handle', () => {
    const api = axios.create({ baseURL: BASE_URL });
    const first = attachOAuth(api, { fetchToken: countingSource() });
    first.detach();
    const second = attachOAuth(api, { fetchToken: countingSource() });
    second.detach();
    expect(() => first.detach()).not.toThrow();
    expect(() => second.detach()).not.toThrow();
  });

  it('passes on a response an adapter resolved without a config', async () => {
    const api = axios.create({
      baseURL: BASE_URL,
      adapter: async () => ({ data: 'raw', status: 200, statusText: 'OK', headers: {} }) as never,
    });
    attachOAuth(api, { fetchToken: countingSource() });
    await expect(api.get('/a')).resolves.toMatchObject({ data: 'raw' });
  });

  it('leaves a 401 of a request no handle authorised untouched', async () => {
    const api = axios.create({ baseURL: BASE_URL });
    new MockAdapter(api).onAny().reply(401, {});
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    const error = (await api.get(`${OTHER}/a`).catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(401);
    expect((error.config as InternalAxiosRequestConfig).oauthLockState).toBeUndefined();
    expect(fetchToken).not.toHaveBeenCalled();
  });
});
