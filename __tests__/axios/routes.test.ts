import axios, { type AxiosError, type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachOAuth, type OAuthHandle } from '../../lib/index.js';
import { deferred } from '../support/fake-api.js';

/*
 * Issue 10, routes: several handles on one instance, each request owned by exactly one handle (the most specific
 * rule), each handle with its own single flight; a handle never removes, reads or refreshes for another's request.
 */

const API = 'https://api.example.com';
const GRAPH = 'https://graph.example.com';

interface Seen {
  url: string;
  authorization: unknown;
  apiKey: unknown;
}

/** An instance whose mock API accepts exactly the tokens in `valid`, recording what each request carried. */
function setUp() {
  const instance = axios.create({ baseURL: API });
  const mock = new MockAdapter(instance, { onNoMatch: 'throwException' });
  const valid = new Set<string>();
  const seen: Seen[] = [];
  mock.onAny().reply((config: AxiosRequestConfig) => {
    const headers = config.headers ?? {};
    const authorization = headers.Authorization;
    seen.push({ url: instance.getUri(config), authorization, apiKey: headers['X-Api-Key'] });
    const token = typeof authorization === 'string' ? authorization.replace(/^Bearer /, '') : '';
    return valid.has(token) || valid.has(String(headers['X-Api-Key'])) ? [200, { ok: true }] : [401];
  });
  /** A token source that hands out `<name>1`, `<name>2`, … and makes each one valid. */
  const source = (name: string) => {
    let n = 0;
    return jest.fn(async () => {
      const token = `${name}${++n}`;
      valid.add(token);
      return { access_token: token, expires_in: 3600 };
    });
  };
  return { instance, mock, valid, seen, source };
}

describe('routes: several handles on one instance', () => {
  it('sends each request with the token of the handle whose rule matches most specifically', async () => {
    const { instance, seen, source } = setUp();
    const app = source('app');
    const admin = source('admin');
    const graph = source('graph');
    attachOAuth(instance, { origins: API, fetchToken: app });
    attachOAuth(instance, { origins: `${API}/admin`, fetchToken: admin });
    attachOAuth(instance, { origins: GRAPH, fetchToken: graph });

    for (const url of ['/orders', '/admin', '/admin/users', '/administrator', '/admin/', `${GRAPH}/me`, 'https://elsewhere.example/x']) {
      await instance.get(url).catch(() => undefined);
    }
    expect(seen.map((s) => [new URL(s.url).pathname, s.authorization])).toEqual([
      ['/orders', 'Bearer app1'],
      ['/admin', 'Bearer admin1'],
      ['/admin/users', 'Bearer admin1'],
      ['/administrator', 'Bearer app1'], // a path prefix matches on segment boundaries only
      ['/admin/', 'Bearer admin1'],
      ['/me', 'Bearer graph1'],
      ['/x', undefined], // no handle owns it: no token
    ]);
    expect([app, admin, graph].map((f) => f.mock.calls.length)).toEqual([1, 1, 1]);
  });

  it('decides a path rule on the path axios really sends (dot segments, a trailing-slash rule, an encoded slash)', async () => {
    const { instance, seen, source } = setUp();
    attachOAuth(instance, { origins: API, fetchToken: source('app') });
    attachOAuth(instance, { origins: `${API}/admin/`, fetchToken: source('admin') });
    for (const url of ['/admin/../orders', '/public/../admin/x', '/admin%2Fx', `${API}/admin?x=1`]) {
      await instance.get(url).catch(() => undefined);
    }
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer app1', 'Bearer admin1', 'Bearer app1', 'Bearer admin1']);
  });

  it('lets the most specific rule win whatever order the handles were attached in, and a string beat a RegExp', async () => {
    const { instance, seen, source } = setUp();
    attachOAuth(instance, { origins: `${API}/admin`, fetchToken: source('admin') });
    attachOAuth(instance, { origins: /^https:\/\/[a-z]+\.example\.com$/, fetchToken: source('family') });
    attachOAuth(instance, { origins: API, fetchToken: source('app') });
    for (const url of ['/admin/x', '/orders', `${GRAPH}/me`]) await instance.get(url).catch(() => undefined);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer admin1', 'Bearer app1', 'Bearer family1']);
  });

  it('keeps one single flight per handle: a cold wave across two handles costs one fetch each', async () => {
    const { instance, seen, source } = setUp();
    const app = source('app');
    const graph = source('graph');
    attachOAuth(instance, { origins: API, fetchToken: app });
    attachOAuth(instance, { origins: GRAPH, fetchToken: graph });
    const urls = Array.from({ length: 50 }, (_, i) => (i % 2 === 0 ? `/orders/${i}` : `${GRAPH}/items/${i}`));
    const responses = await Promise.all(urls.map((url) => instance.get(url)));
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(app).toHaveBeenCalledTimes(1);
    expect(graph).toHaveBeenCalledTimes(1);
    expect(new Set(seen.filter((s) => s.url.startsWith(GRAPH)).map((s) => s.authorization))).toEqual(new Set(['Bearer graph1']));
  });

  it("refreshes only the handle whose token got the 401, and never another handle's", async () => {
    const { instance, valid, seen, source } = setUp();
    const app = source('app');
    const graph = source('graph');
    attachOAuth(instance, { origins: API, fetchToken: app });
    attachOAuth(instance, { origins: GRAPH, fetchToken: graph });
    await instance.get('/warm');
    await instance.get(`${GRAPH}/warm`);
    valid.delete('graph1'); // the graph API revokes its token
    const responses = await Promise.all(
      Array.from({ length: 10 }, (_, i) => instance.get(i % 2 === 0 ? `/orders/${i}` : `${GRAPH}/items/${i}`)),
    );
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(app).toHaveBeenCalledTimes(1);
    expect(graph).toHaveBeenCalledTimes(2);
    expect(seen.filter((s) => s.url.startsWith(API)).every((s) => s.authorization === 'Bearer app1')).toBe(true);
  });

  it("leaves another handle's header alone: handles with different header names each set only their own", async () => {
    const { instance, seen, source } = setUp();
    attachOAuth(instance, { origins: API, fetchToken: source('app') });
    attachOAuth(instance, { origins: GRAPH, fetchToken: source('key'), headerName: 'X-Api-Key', headerScheme: '' });
    await instance.get(`${GRAPH}/me`);
    await instance.get('/orders');
    expect(seen.map((s) => [s.authorization, s.apiKey])).toEqual([
      [undefined, 'key1'],
      ['Bearer app1', undefined],
    ]);
  });

  it("regression: a 401 of one handle's request is never redacted, refreshed or replayed by another handle", async () => {
    const { instance, mock, source } = setUp();
    const app = source('app');
    const graph = source('graph');
    const graphHandle = attachOAuth(instance, { origins: GRAPH, fetchToken: graph });
    attachOAuth(instance, { origins: API, fetchToken: app });
    await graphHandle.getToken();
    mock.reset();
    mock.onGet(`${GRAPH}/me`).reply(401);
    const error = (await instance.get(`${GRAPH}/me`).catch((e: unknown) => e)) as AxiosError;
    expect(error.response?.status).toBe(401);
    expect(app).not.toHaveBeenCalled(); // the app handle never refreshed for graph's 401
    expect(graph).toHaveBeenCalledTimes(2); // graph refreshed once and replayed once
  });

  it('throws at attach on a rule another handle of the instance already has, and keeps the first handle working', async () => {
    const { instance, seen, source } = setUp();
    attachOAuth(instance, { fetchToken: source('app') }); // the baseURL's origin
    expect(() => attachOAuth(instance, { fetchToken: source('other') })).toThrow(
      '"options.origins": another attachOAuth() handle on this instance already has the rule https://api.example.com',
    );
    expect(() => attachOAuth(instance, { origins: [GRAPH, `${API}/`], fetchToken: source('other') })).toThrow(TypeError);
    const regex = /^https:\/\/x\.example$/;
    attachOAuth(instance, { origins: regex, fetchToken: source('x') });
    expect(() => attachOAuth(instance, { origins: /^https:\/\/x\.example$/, fetchToken: source('y') })).toThrow(
      'already has the rule /^https:\\/\\/x\\.example$/',
    );
    await instance.get('/orders');
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer app1']);
  });

  it('lets detach() of one handle leave the others working, and the last one remove the interceptors', async () => {
    const { instance, seen, source } = setUp();
    const requestHandlers = () => (instance.interceptors.request as unknown as { handlers: unknown[] }).handlers.filter(Boolean).length;
    const before = requestHandlers();
    const app = attachOAuth(instance, { origins: API, fetchToken: source('app') });
    const admin = attachOAuth(instance, { origins: `${API}/admin`, fetchToken: source('admin') });
    expect(requestHandlers()).toBe(before + 1); // one interceptor per instance, however many handles

    admin.detach();
    await instance.get('/admin/x');
    expect(seen.at(-1)!.authorization).toBe('Bearer app1'); // the origin rule owns /admin again
    const again = attachOAuth(instance, { origins: `${API}/admin`, fetchToken: source('admin') }); // its rule is free again
    await instance.get('/admin/x');
    expect(seen.at(-1)!.authorization).toBe('Bearer admin1');

    again.detach();
    app.detach();
    expect(requestHandlers()).toBe(before);
    await instance.get('/orders').catch(() => undefined);
    expect(seen.at(-1)!.authorization).toBeUndefined();
  });

  it('lets two handles on one instance share one token manager (one lock for two routes)', async () => {
    const { instance, seen, source } = setUp();
    const app = source('app');
    const first = attachOAuth(instance, { origins: API, fetchToken: app });
    attachOAuth(instance, { origins: GRAPH, tokenManager: first.tokenManager, headerName: 'X-Api-Key', headerScheme: '' });
    await Promise.all([instance.get('/a'), instance.get(`${GRAPH}/b`)]);
    expect(app).toHaveBeenCalledTimes(1);
    expect(seen.map((s) => s.authorization ?? s.apiKey).sort()).toEqual(['Bearer app1', 'app1']);
  });

  it("regression: a replay that a URL change hands to another handle carries only the new owner's token", async () => {
    const { instance, valid, seen, source } = setUp();
    attachOAuth(instance, { origins: API, fetchToken: source('app'), headerName: 'X-Api-Key', headerScheme: '' });
    attachOAuth(instance, { origins: GRAPH, fetchToken: source('graph') });
    // A user interceptor that moves a replayed request to the graph API (say, a failover).
    instance.interceptors.request.use((config) => {
      if (config.oauthLockState?.replayed === true) config.url = `${GRAPH}/fallback`;
      return config;
    });
    await instance.get('/warm');
    valid.delete('app1');
    await instance.get('/orders');
    expect(seen.at(-1)).toEqual({ url: `${GRAPH}/fallback`, authorization: 'Bearer graph1', apiKey: undefined });
  });

  it("lets a request that waits for one handle's refresh not hold up another handle's requests", async () => {
    const { instance, valid, seen, source } = setUp();
    const slow = deferred<{ access_token: string }>();
    const handles: OAuthHandle[] = [
      attachOAuth(instance, { origins: API, fetchToken: () => slow.promise }),
      attachOAuth(instance, { origins: GRAPH, fetchToken: source('graph') }),
    ];
    const waiting = instance.get('/orders').catch((e: unknown) => e);
    await instance.get(`${GRAPH}/me`);
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer graph1']);
    valid.add('manual');
    handles[0]!.setToken({ accessToken: 'manual' });
    await waiting;
    expect(seen.at(-1)!.authorization).toBe('Bearer manual');
  });

  it('refuses to share an instance with another copy of the package (ESM beside CJS) instead of fighting over requests', () => {
    const { instance, source } = setUp();
    Object.defineProperty(instance, Symbol.for('axios-oauth-lock.router'), { value: {}, configurable: true });
    expect(() => attachOAuth(instance, { fetchToken: source('app') })).toThrow('already has attachOAuth() from another copy');
  });
});
