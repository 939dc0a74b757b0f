import axios, { AxiosError, type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { Readable } from 'node:stream';
import {
  attachOAuth,
  ErrorCode,
  InsufficientScopeError,
  isInsufficientScopeError,
  isStepUpRequiredError,
  OAuthError,
  StepUpRequiredError,
  type AttachOAuthOptions,
  type TokenFields,
  type TokenSourceContext,
} from '../../lib/index.js';
import { BASE_URL, deferred, flushPromises, type Deferred } from '../support/fake-api.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';

/*
 * Issue 10, part 2: each 401/403 of a request we authorised is decided by its WWW-Authenticate challenge.
 * The API below grants `POST /mail` to a token whose scope has `graph.send`, and everything else to any token it issued.
 */

// Nothing here waits on time: fake timers make sure of it (a deadline that fired would fail the test, not pass it).
beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const SCOPE_CHALLENGE = 'Bearer error="insufficient_scope", scope="graph.send"';

function setup(options: Partial<AttachOAuthOptions> = {}) {
  const api = axios.create({ baseURL: BASE_URL });
  const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
  const contexts: TokenSourceContext[] = [];
  const granted = new Map<string, string[]>();
  let issued = 0;
  let hold: Deferred<void> | undefined;
  const fetchToken = jest.fn(async (context: TokenSourceContext): Promise<TokenFields> => {
    contexts.push({ ...context, signal: undefined as never });
    if (hold !== undefined) await hold.promise;
    const scope = context.scope ?? ['graph.read'];
    const accessToken = `tok-${++issued}-Sup3rSecret`;
    granted.set(accessToken, scope);
    return { accessToken, expiresIn: 3600, scope: scope.join(' ') };
  });
  const tokenOf = (config: AxiosRequestConfig): string =>
    String((config.headers as Record<string, unknown>).Authorization).replace(/^Bearer /, '');
  const scopeOf = (config: AxiosRequestConfig): string[] => granted.get(tokenOf(config)) ?? [];
  const mailCalls: string[] = [];
  mock.onPost('/mail').reply((config) => {
    mailCalls.push(tokenOf(config));
    return scopeOf(config).includes('graph.send') ? [200, { sent: true }] : [403, {}, { 'WWW-Authenticate': SCOPE_CHALLENGE }];
  });
  mock
    .onGet('/me')
    .reply((config) =>
      granted.has(tokenOf(config)) ? [200, { me: true }] : [401, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }],
    );
  const handle = attachOAuth(api, { fetchToken, ...options });
  return {
    api,
    mock,
    handle,
    fetchToken,
    contexts,
    mailCalls,
    holdTokens: () => (hold = deferred<void>()),
  };
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

describe('insufficient_scope: step-up', () => {
  it('asks once for the union of the scope in use and the required scope, replays once, and succeeds', async () => {
    const { api, fetchToken, contexts, mailCalls } = setup();
    await api.get('/me');
    const response = await api.post('/mail');
    expect(response.data).toEqual({ sent: true });
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(contexts[1]).toMatchObject({ reason: 'step-up', scope: ['graph.read', 'graph.send'] });
    expect(mailCalls).toEqual(['tok-1-Sup3rSecret', 'tok-2-Sup3rSecret']);
  });

  it('shares one step-up between concurrent requests with the same challenge', async () => {
    const { api, fetchToken, mailCalls, holdTokens } = setup();
    await api.get('/me');
    const held = holdTokens();
    const wave = Array.from({ length: 10 }, () => api.post('/mail'));
    await flushPromises(50);
    held.resolve();
    const responses = await Promise.all(wave);
    expect(responses.every((r) => r.status === 200)).toBe(true);
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(mailCalls).toHaveLength(20);
  });

  it('replays with an already stepped-up newer token without a token request', async () => {
    const { api, mock, fetchToken, contexts } = setup();
    await api.get('/me');
    // A request sent with the first token whose 403 arrives only after another request's step-up is done.
    const late = deferred<void>();
    let first = true;
    mock.onPut('/mail').reply(async (config) => {
      const token = String(config.headers?.Authorization);
      if (first) {
        first = false;
        await late.promise;
        return [403, {}, { 'WWW-Authenticate': SCOPE_CHALLENGE }];
      }
      return token.includes('tok-2') ? [200, { put: true }] : [500];
    });
    const slow = api.put('/mail');
    await flushPromises();
    await api.post('/mail'); // steps up: tok-2
    late.resolve();
    expect((await slow).data).toEqual({ put: true });
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(contexts.map((c) => c.reason)).toEqual(['initial', 'step-up']);
  });

  it('keeps the stepped-up scope in every later refresh', async () => {
    const { api, handle, contexts } = setup();
    await api.post('/mail');
    await handle.refresh();
    expect(contexts.map((c) => [c.reason, c.scope])).toEqual([
      ['initial', undefined],
      ['step-up', ['graph.read', 'graph.send']],
      ['manual', ['graph.read', 'graph.send']],
    ]);
  });

  it('regression: a server that always answers insufficient_scope costs one token request per wave, never a loop', async () => {
    const { api, mock, fetchToken } = setup();
    mock.onPost('/mail').reply(403, {}, { 'WWW-Authenticate': SCOPE_CHALLENGE });
    await api.get('/me');
    const wave = await Promise.all(Array.from({ length: 5 }, () => rejection(api.post('/mail'))));
    for (const error of wave) {
      expect(error).toBeInstanceOf(InsufficientScopeError);
      expect(error).toMatchObject({ code: ErrorCode.INSUFFICIENT_SCOPE, reason: 'repeated', requiredScope: ['graph.send'] });
      expect((error as InsufficientScopeError).challenge).toMatchObject({ scheme: 'bearer', params: { error: 'insufficient_scope' } });
      expect(((error as Error).cause as AxiosError).response?.status).toBe(403);
    }
    expect(fetchToken).toHaveBeenCalledTimes(2);
    await rejection(api.post('/mail'));
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });

  it('rejects an insufficient_scope on the replay after a 401 refresh as repeated, with no step-up', async () => {
    const { api, mock, fetchToken } = setup();
    let calls = 0;
    mock
      .onPatch('/mail')
      .reply(() =>
        ++calls === 1
          ? [401, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }]
          : [403, {}, { 'WWW-Authenticate': SCOPE_CHALLENGE }],
      );
    const error = await rejection(api.patch('/mail'));
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', reason: 'repeated' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('returns a step-up challenge to a stream body as it is: the body cannot be sent twice', async () => {
    const { api, fetchToken } = setup();
    await api.get('/me');
    const error = await rejection(api.post('/mail', Readable.from(['x'])));
    expect(error).toBeInstanceOf(AxiosError);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('rejects a refused scope (invalid_scope) with InsufficientScopeError and keeps the current tokens', async () => {
    const onRefreshFailed = jest.fn();
    const { api, fetchToken } = setup({ onRefreshFailed });
    await api.get('/me');
    fetchToken.mockImplementationOnce(async () => {
      throw new OAuthError({ error: 'invalid_scope', status: 400 });
    });
    const error = await rejection(api.post('/mail'));
    expect(isInsufficientScopeError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', reason: 'refused', requiredScope: ['graph.send'] });
    expect(((error as Error).cause as Error).cause).toMatchObject({ error: 'invalid_scope' });
    expect((await api.get('/me')).status).toBe(200); // still the first token, no new token request
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(onRefreshFailed).not.toHaveBeenCalled();
  });

  it('rejects when the authorization server grants less than the API requires, without replaying', async () => {
    const { api, fetchToken, mailCalls } = setup();
    fetchToken.mockImplementation(async () => ({ accessToken: `tok-x-${fetchToken.mock.calls.length}-abcdefgh`, scope: 'graph.read' }));
    const error = await rejection(api.post('/mail'));
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', reason: 'not-granted' });
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(mailCalls).toHaveLength(1);
  });

  it('with stepUp: false rejects at once, with no token request', async () => {
    const { api, fetchToken } = setup({ stepUp: false });
    await api.get('/me');
    const error = await rejection(api.post('/mail'));
    expect(error).toMatchObject({ code: 'ERR_INSUFFICIENT_SCOPE', reason: 'disabled', requiredScope: ['graph.send'] });
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('refuses a stepUp option that is not a boolean', () => {
    expect(() => attachOAuth(axios.create({ baseURL: BASE_URL }), { fetchToken: async () => 't', stepUp: 'yes' as never })).toThrow(
      '"options.stepUp" must be a boolean',
    );
  });
});

describe('insufficient_claims: a refresh with claims', () => {
  const claims = '{"access_token":{"nbf":{"essential":true,"value":"1726258122"}}}';
  const header = `Bearer realm="", error="insufficient_claims", claims="${Buffer.from(claims).toString('base64')}"`;

  it('refreshes once with the decoded claims and replays once', async () => {
    const { api, mock, fetchToken, contexts } = setup();
    let calls = 0;
    mock
      .onGet('/files')
      .reply((config) =>
        ++calls === 1 || !String(config.headers?.Authorization).includes('tok-2') ? [401, {}, { 'WWW-Authenticate': header }] : [200, 'ok'],
      );
    expect((await api.get('/files')).data).toBe('ok');
    expect(fetchToken).toHaveBeenCalledTimes(2);
    expect(contexts[1]).toMatchObject({ reason: 'unauthorized', claims });
    expect(contexts[0]!.claims).toBeUndefined();
  });

  it('returns a repeated claims challenge as it is: one refresh, one replay', async () => {
    const { api, mock, fetchToken } = setup();
    mock.onGet('/files').reply(401, {}, { 'WWW-Authenticate': header });
    const error = await rejection(api.get('/files'));
    expect((error as AxiosError).response?.status).toBe(401);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });
});

describe('insufficient_user_authentication (RFC 9470)', () => {
  it('rejects with StepUpRequiredError carrying acr_values and max_age, with no token request', async () => {
    const { api, mock, fetchToken } = setup();
    mock
      .onDelete('/account')
      .reply(401, {}, { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", acr_values="phr mfa", max_age="300"' });
    const error = await rejection(api.delete('/account'));
    expect(error).toBeInstanceOf(StepUpRequiredError);
    expect(isStepUpRequiredError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'ERR_STEP_UP_REQUIRED', acrValues: ['phr', 'mfa'], maxAge: 300 });
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('is returned as it is with skipAuthRefresh', async () => {
    const { api, mock } = setup();
    mock.onDelete('/account').reply(401, {}, { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication"' });
    const error = await rejection(api.delete('/account', { skipAuthRefresh: true }));
    expect(error).toBeInstanceOf(AxiosError);
  });
});

describe('answers that are not for us', () => {
  it('returns a 403 without a challenge as it is, with no token request', async () => {
    const { api, mock, fetchToken } = setup();
    mock.onGet('/admin').reply(403, { error: 'forbidden' });
    const error = await rejection(api.get('/admin'));
    expect((error as AxiosError).response?.status).toBe(403);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it("regression: a proxy's 401 with only a Basic challenge no longer triggers a token refresh", async () => {
    const { api, mock, fetchToken } = setup();
    mock.onGet('/behind-proxy').reply(401, {}, { 'WWW-Authenticate': 'Basic realm="corporate proxy"' });
    const error = await rejection(api.get('/behind-proxy'));
    expect((error as AxiosError).response?.status).toBe(401);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });

  it('still refreshes on a 401 without any challenge, and on one with invalid_token', async () => {
    const { api, mock, fetchToken } = setup();
    let calls = 0;
    mock.onGet('/x').reply(() => (++calls % 2 === 1 ? [401] : [200]));
    await api.get('/x');
    expect(fetchToken).toHaveBeenCalledTimes(2);
    mock.onGet('/y').reply(() => (++calls % 2 === 1 ? [401, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }] : [200]));
    await api.get('/y');
    expect(fetchToken).toHaveBeenCalledTimes(3);
  });

  it("with headerScheme '' (a bare token) reads no challenge: a 401 refreshes as before, a 403 is returned", async () => {
    const { api, mock, fetchToken } = setup({ headerScheme: '' });
    mock.onGet('/bare').reply(401, {}, { 'WWW-Authenticate': 'Basic realm="x"' });
    await rejection(api.get('/bare'));
    expect(fetchToken).toHaveBeenCalledTimes(2);
    const error = await rejection(api.post('/mail'));
    expect((error as AxiosError).response?.status).toBe(403);
    expect(fetchToken).toHaveBeenCalledTimes(2);
  });

  it('with another header name reads no challenge', async () => {
    const { api, mock, fetchToken } = setup({ headerName: 'X-Api-Token', headerScheme: 'Bearer' });
    mock.onPost('/mail').reply(403, {}, { 'WWW-Authenticate': SCOPE_CHALLENGE });
    const error = await rejection(api.post('/mail'));
    expect(error).toBeInstanceOf(AxiosError);
    expect(fetchToken).toHaveBeenCalledTimes(1);
  });
});

describe('challenge errors keep secrets', () => {
  it('leave the tokens out of InsufficientScopeError and StepUpRequiredError, in every rendering', async () => {
    const { api, mock, fetchToken } = setup({ stepUp: false });
    fetchToken.mockImplementationOnce(async () => ({
      accessToken: 'tok-0-Sup3rSecret',
      refreshToken: 'rt-Sup3rSecret-0',
      scope: 'graph.read',
    }));
    await api.get('/me').catch(() => undefined);
    const scopeError = await rejection(api.post('/mail'));
    expect(scopeError).toBeInstanceOf(InsufficientScopeError);
    expectNoSecrets(scopeError, ['tok-0-Sup3rSecret', 'rt-Sup3rSecret-0']);

    mock.onPost('/wire').reply(401, {}, { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", max_age=60' });
    const stepUpError = await rejection(api.post('/wire'));
    expect(stepUpError).toBeInstanceOf(StepUpRequiredError);
    expectNoSecrets(stepUpError, ['tok-0-Sup3rSecret', 'rt-Sup3rSecret-0']);
    expect(JSON.parse(JSON.stringify(stepUpError))).toMatchObject({
      name: 'StepUpRequiredError',
      code: 'ERR_STEP_UP_REQUIRED',
      maxAge: 60,
    });
  });

  it('scrub the token from the challenge they carry when the API echoes it', async () => {
    const { api, mock } = setup({ stepUp: false });
    await api.get('/me');
    const echo = 'Bearer error="insufficient_scope", scope="graph.send", error_description="tok-1-Sup3rSecret lacks graph.send"';
    mock.onPost('/mail').reply(403, {}, { 'WWW-Authenticate': echo });
    const error = (await rejection(api.post('/mail'))) as InsufficientScopeError;
    expect(error.challenge?.params.error_description).toBe('[REDACTED] lacks graph.send');
    expectNoSecrets({ challenge: error.challenge, json: error.toJSON() }, ['tok-1-Sup3rSecret']);
  });

  it('leave the tokens out of a refused step-up', async () => {
    const { api, fetchToken } = setup();
    fetchToken.mockImplementationOnce(async () => ({
      accessToken: 'tok-0-Sup3rSecret',
      refreshToken: 'rt-Sup3rSecret-0',
      scope: 'graph.read',
    }));
    fetchToken.mockImplementationOnce(async () => {
      throw new OAuthError({ error: 'invalid_scope', errorDescription: 'graph.send is not allowed', status: 400 });
    });
    const error = await rejection(api.post('/mail'));
    expect(error).toMatchObject({ reason: 'refused' });
    expectNoSecrets(error, ['tok-0-Sup3rSecret', 'rt-Sup3rSecret-0']);
  });
});

describe('a refused step-up and the token the request carried', () => {
  it('regression: the InsufficientScopeError does not echo the replaced token the 403 quoted back', async () => {
    const api = axios.create({ baseURL: BASE_URL });
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    const fetchToken = jest.fn(async (context: TokenSourceContext): Promise<TokenFields> =>
      context.reason === 'step-up'
        ? { accessToken: 'stepped-Sup3rSecret', expiresIn: 3600, scope: 'graph.read' } // granted less than asked
        : { accessToken: 'first-Sup3rSecret', expiresIn: 3600, scope: 'graph.read' },
    );
    mock.onPost('/mail').reply((config) => {
      const sent = String((config.headers as Record<string, unknown>).Authorization);
      return [
        403,
        {},
        { 'WWW-Authenticate': `Bearer error="insufficient_scope", scope="graph.send", error_description="${sent} lacks graph.send"` },
      ];
    });
    attachOAuth(api, { fetchToken });
    const error = await api.post('/mail', {}).catch((e: unknown) => e);
    expect(isInsufficientScopeError(error)).toBe(true);
    expect((error as InsufficientScopeError).challenge?.params.error_description).toContain('lacks graph.send');
    expectNoSecrets(error, ['first-Sup3rSecret', 'stepped-Sup3rSecret']);
  });
});
