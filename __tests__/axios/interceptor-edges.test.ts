import axios, { type AxiosError, type AxiosRequestConfig, type InternalAxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachOAuth, type OAuthLockEvent, type TokenSourceContext } from '../../lib/index.js';
import { BASE_URL, countingSource, createFakeApi } from '../support/fake-api.js';

/*
 * Issue 9, "tests that can fail": decisions of the interceptors that the mutation run
 * (`npm run test:mutation -- interceptors`) found no test for.
 */

type BeforeRedirect = (options: { headers: Record<string, string>; href: string }, response: object, request: { url: string }) => void;

function dpopApi() {
  const api = axios.create({ baseURL: BASE_URL });
  const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
  let n = 0;
  const fetchToken = jest.fn(async (_ctx: TokenSourceContext) => ({ accessToken: `at-${++n}`, tokenType: 'DPoP', expiresIn: 3600 }));
  const events: OAuthLockEvent[] = [];
  attachOAuth(api, { fetchToken, dpop: true, onEvent: (event) => events.push(event) });
  return { api, mock, fetchToken, events };
}

describe('redirects of a DPoP request', () => {
  it('drop the proof on a hop within the origin and keep the token there', async () => {
    const { api, mock } = dpopApi();
    let sent: InternalAxiosRequestConfig | undefined;
    mock.onGet('/a').reply((config) => ((sent = config as InternalAxiosRequestConfig), [200, {}]));
    await api.get('/a');
    const headers = { DPoP: 'the-proof', Authorization: 'DPoP at-1' };
    (sent!.beforeRedirect as unknown as BeforeRedirect)({ headers, href: `${BASE_URL}/b` }, {}, { url: `${BASE_URL}/a` });
    expect(headers).toEqual({ Authorization: 'DPoP at-1' });
  });

  it('without DPoP, leave a DPoP header of the app alone on a hop within the origin', async () => {
    const { api, mock } = createFakeApi();
    let sent: InternalAxiosRequestConfig | undefined;
    mock.reset();
    mock.onGet('/a').reply((config) => ((sent = config as InternalAxiosRequestConfig), [200, {}]));
    attachOAuth(api, { fetchToken: countingSource() });
    await api.get('/a');
    const headers = { DPoP: 'the-apps-own', Authorization: 'Bearer t1' };
    (sent!.beforeRedirect as unknown as BeforeRedirect)({ headers, href: `${BASE_URL}/b` }, {}, { url: `${BASE_URL}/a` });
    expect(headers).toEqual({ DPoP: 'the-apps-own', Authorization: 'Bearer t1' });
  });
});

describe('DPoP nonce challenges at the API', () => {
  it('answers a server that sends a new nonce every time with one replay, then its 401, and never a refresh', async () => {
    const { api, mock, fetchToken, events } = dpopApi();
    let calls = 0;
    mock.onGet('/a').reply(() => [401, {}, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': `n-${++calls}` }]);
    const error = await api.get('/a').catch((e: AxiosError) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(calls).toBe(2);
    expect(fetchToken).toHaveBeenCalledTimes(1);
    const replays = events.filter((event) => event.type === 'replay');
    expect(replays).toEqual([expect.objectContaining({ cause: 'dpop-nonce', sentGeneration: 1, generation: 1 })]);
  });
});

describe('401 replays', () => {
  it('replays a request whose body is null with the new token', async () => {
    const { api, valid, seen } = createFakeApi();
    let n = 0;
    // The first token is refused; the second is good.
    attachOAuth(api, { fetchToken: async () => (++n === 2 && valid.add('tok-2'), `tok-${n}`) });
    await expect(api.post('/orders', null)).resolves.toMatchObject({ status: 200 });
    expect(seen.map((s) => s.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
  });

  it('takes a shouldRefresh that throws as "do not refresh": the 401 is returned, no refresh, no hang', async () => {
    const { api, valid } = createFakeApi();
    const fetchToken = countingSource(valid);
    attachOAuth(api, {
      fetchToken,
      shouldRefresh: () => {
        throw new Error('a bug in the app');
      },
    });
    await api.get('/warm');
    valid.clear();
    const error = await api.get('/a').catch((e: AxiosError) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('names every rule of the handle in its replay events', async () => {
    const api = axios.create({ baseURL: BASE_URL });
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    let n = 0;
    mock
      .onGet('/a')
      .reply((config: AxiosRequestConfig) =>
        (config.headers as Record<string, string>).Authorization === 'Bearer t2' ? [200, {}] : [401, {}],
      );
    const events: OAuthLockEvent[] = [];
    attachOAuth(api, {
      fetchToken: async () => `t${++n}`,
      origins: [BASE_URL, 'https://other.example.com/v2'],
      onEvent: (event) => events.push(event),
    });
    await api.get('/a');
    expect(events.find((event) => event.type === 'replay')).toMatchObject({ route: `${BASE_URL} https://other.example.com/v2` });
  });
});
