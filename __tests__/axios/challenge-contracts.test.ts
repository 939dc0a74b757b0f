import axios, { AxiosError, AxiosHeaders, type InternalAxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { answerChallenge } from '../../lib/axios/answer-challenge.js';
import type { RequestAuthState } from '../../lib/axios/augmentation.js';
import { decideChallenge, decodeClaims } from '../../lib/axios/challenge.js';
import {
  attachOAuth,
  isInsufficientScopeError,
  TokenManager,
  type InsufficientScopeError,
  type TokenFields,
  type TokenSourceContext,
} from '../../lib/index.js';
import { BASE_URL, deferred, flushPromises } from '../support/fake-api.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';

/*
 * Issue 9 ("tests that can fail"): what a 401/403 challenge leads to, pinned where the mutation run found it loose:
 * the sign-in's max_age, the claims a CAE challenge carries, and how the credential the request sent is read.
 */

beforeEach(() => jest.useFakeTimers());
afterEach(() => jest.useRealTimers());

const b64url = (text: string | Uint8Array): string => Buffer.from(text).toString('base64url');
/** The claims request of a challenge, as a server sends it. */
const CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1726077595"}}}';
const SCOPE_CHALLENGE = 'Bearer error="insufficient_scope", scope="graph.send"';

describe('a sign-in challenge (RFC 9470): max_age', () => {
  const maxAgeOf = (params: string): number | undefined => {
    const decision = decideChallenge(401, `Bearer error="insufficient_user_authentication"${params}`, 'Bearer');
    expect(decision.action).toBe('sign-in');
    return (decision as { maxAge: number | undefined }).maxAge;
  };

  it('is undefined when the challenge has none', () => {
    expect(maxAgeOf('')).toBeUndefined();
  });

  it('is read only from a whole non-negative integer of at most 10 digits', () => {
    expect(maxAgeOf(', max_age=0')).toBe(0);
    expect(maxAgeOf(', max_age="9999999999"')).toBe(9_999_999_999);
    expect(maxAgeOf(', max_age=60s')).toBeUndefined();
    expect(maxAgeOf(', max_age=12345678901')).toBeUndefined();
    expect(maxAgeOf(', max_age=soon')).toBeUndefined();
  });
});

describe('the claims a claims challenge carries (decodeClaims)', () => {
  // lib/axios/challenge.ts MAX_CLAIMS_LENGTH: a longer claims request is not sent anywhere.
  const MAX_CLAIMS_LENGTH = 8 * 1024;
  /** A JSON object whose base64url (no padding) is exactly `length` characters (a multiple of 4). */
  const claimsOf = (length: number): string => {
    const json = `{"a":"${'x'.repeat((length / 4) * 3 - 8)}"}`;
    return b64url(json);
  };

  it('decodes base64url and base64 alike', () => {
    expect(decodeClaims(b64url('{"a":"~~~"}'))).toBe('{"a":"~~~"}');
    expect(b64url('{"a":"~~~"}')).toContain('-');
    expect(decodeClaims(Buffer.from('{"a":"~~~"}').toString('base64'))).toBe('{"a":"~~~"}');
  });

  it('takes the padding as optional: none, the right amount, or more', () => {
    expect(decodeClaims(b64url(CLAIMS))).toBe(CLAIMS);
    expect(decodeClaims(Buffer.from(CLAIMS).toString('base64'))).toBe(CLAIMS);
    expect(decodeClaims(`${b64url('{"abc":1}')}==`)).toBe('{"abc":1}');
  });

  it('gives undefined for no claims or empty claims', () => {
    expect(decodeClaims(undefined)).toBeUndefined();
    expect(decodeClaims('')).toBeUndefined();
  });

  it('takes claims of MAX_CLAIMS_LENGTH characters, and none longer', () => {
    expect(claimsOf(MAX_CLAIMS_LENGTH)).toHaveLength(MAX_CLAIMS_LENGTH);
    expect(decodeClaims(claimsOf(MAX_CLAIMS_LENGTH))).toMatch(/^\{"a":"x+"\}$/);
    expect(decodeClaims(claimsOf(MAX_CLAIMS_LENGTH + 4))).toBeUndefined();
  });

  it('refuses whitespace around or inside the base64, though atob would skip it', () => {
    const claims = b64url('{"abc":1}');
    expect(decodeClaims(`    ${claims}`)).toBeUndefined();
    expect(decodeClaims(`${claims}    `)).toBeUndefined();
    expect(decodeClaims(`${claims.slice(0, 6)}    ${claims.slice(6)}`)).toBeUndefined();
  });

  it('refuses bytes that are not UTF-8, even inside a JSON string', () => {
    const bytes = Uint8Array.from([...Buffer.from('{"a":"'), 0xff, ...Buffer.from('"}')]);
    expect(decodeClaims(b64url(bytes))).toBeUndefined();
  });

  it('refuses JSON that is not an object', () => {
    for (const json of ['[1]', 'null', '1', '"x"', 'true']) expect(decodeClaims(b64url(json))).toBeUndefined();
  });

  it('lets a claims challenge without readable claims ask for nothing: the API error is returned', () => {
    expect(decideChallenge(401, 'Bearer error="insufficient_claims"', 'Bearer')).toEqual({ action: 'return' });
    expect(decideChallenge(401, 'Bearer error="insufficient_claims", claims="W10"', 'Bearer')).toEqual({ action: 'return' });
  });
});

describe('answerChallenge: the credential the request sent', () => {
  const manager = new TokenManager({ fetchToken: async () => ({ accessToken: 'tok-unused-Sup3rSecret', expiresIn: 3600 }) });
  afterAll(() => manager.dispose());

  const answerTo = (status: number | undefined, headers: unknown, challenge: string | undefined): ReturnType<typeof answerChallenge> => {
    const config = { headers } as unknown as InternalAxiosRequestConfig;
    const response =
      status === undefined
        ? undefined
        : { status, statusText: '', data: {}, config, headers: challenge === undefined ? {} : { 'www-authenticate': challenge } };
    const error = new AxiosError('failed', undefined, config, undefined, response);
    const state = { generation: manager.generation, replayed: false } as RequestAuthState;
    return answerChallenge(error, { manager, headerName: 'Authorization', stepUp: true }, state);
  };
  const isPlainRefresh = (answer: ReturnType<typeof answerChallenge>): boolean =>
    answer !== undefined && !(answer instanceof Error) && answer.refresh && answer.cause === undefined;

  it('is found whatever the letter case of the header key (AxiosHeaders matches names case-insensitively)', () => {
    const headers = new AxiosHeaders({ authorization: 'Bearer tok-1-Sup3rSecret' });
    expect(answerTo(403, headers, SCOPE_CHALLENGE)).toMatchObject({ refresh: false, cause: 'step-up', requiredScope: ['graph.send'] });
  });

  it('is read from headers given as a plain object', () => {
    expect(answerTo(403, { Authorization: 'Bearer tok-1-Sup3rSecret' }, SCOPE_CHALLENGE)).toMatchObject({ cause: 'step-up' });
  });

  it('missing, the failure is decided as before challenges were read (shouldRefresh)', () => {
    expect(isPlainRefresh(answerTo(401, {}, SCOPE_CHALLENGE))).toBe(true);
    expect(isPlainRefresh(answerTo(401, new AxiosHeaders(), SCOPE_CHALLENGE))).toBe(true);
  });

  it('without a scheme before its space matches no challenge: decided as before challenges were read', () => {
    // A 401 whose challenges are none of ours would be returned as it is; a credential with no scheme is matched to none.
    expect(answerTo(401, { Authorization: 'Bearer tok-1-Sup3rSecret' }, 'Bearer realm="api"')).toMatchObject({ refresh: true });
    expect(isPlainRefresh(answerTo(401, { Authorization: ' tok-1-Sup3rSecret' }, 'Basic realm="proxy"'))).toBe(true);
  });

  it('a failure without a response (a network error) is decided as before challenges were read', () => {
    expect(isPlainRefresh(answerTo(undefined, { Authorization: 'Bearer tok-1-Sup3rSecret' }, undefined))).toBe(true);
  });
});

describe('a challenge answered through the interceptors', () => {
  function setup(fetchToken: (context: TokenSourceContext) => Promise<TokenFields>, shouldRefresh?: (error: AxiosError) => boolean) {
    const api = axios.create({ baseURL: BASE_URL });
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    const source = jest.fn(fetchToken);
    const handle = attachOAuth(api, { fetchToken: source, ...(shouldRefresh === undefined ? {} : { shouldRefresh }) });
    return { api, mock, source, handle };
  }

  it('a network error rejects with the axios error, not a TypeError', async () => {
    const { api, mock, source } = setup(async () => ({ accessToken: 'tok-1-Sup3rSecret', expiresIn: 3600 }));
    mock.onGet('/me').networkErrorOnce();
    const error = await api.get('/me').catch((e: unknown) => e);
    expect(axios.isAxiosError(error)).toBe(true);
    expect((error as AxiosError).message).toBe('Network Error');
    expect(source).toHaveBeenCalledTimes(1);
  });

  it('a claims challenge refreshes only when shouldRefresh agrees', async () => {
    const { api, mock, source } = setup(
      async () => ({ accessToken: 'tok-1-Sup3rSecret', expiresIn: 3600 }),
      () => false,
    );
    const challenge = `Bearer error="insufficient_claims", claims="${b64url(CLAIMS)}"`;
    mock.onGet('/me').replyOnce(401, {}, { 'WWW-Authenticate': challenge });
    mock.onGet('/me').reply(200, { me: true });
    const error = await api.get('/me').catch((e: unknown) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect(source).toHaveBeenCalledTimes(1);
    expect(mock.history.get).toHaveLength(1);
  });

  it('a refused step-up of a request sent with a token since replaced does not echo that token', async () => {
    // The 403 quotes the token the request carried; by the time it arrives a refresh has replaced that token, so the
    // token manager no longer knows it as a secret: the challenge must be scrubbed of it before the step-up starts.
    let issued = 0;
    const { api, mock, handle, source } = setup(async (context) => ({
      accessToken: `tok-${++issued}-${context.reason}-Sup3rSecret`,
      expiresIn: 3600,
      scope: 'graph.read', // a step-up is granted less than it asks for
    }));
    mock.onGet('/me').reply(200, { me: true });
    await api.get('/me');
    const gate = deferred<void>();
    mock.onPost('/mail').reply(async (config) => {
      const sent = String((config.headers as Record<string, unknown>).Authorization);
      await gate.promise;
      return [403, {}, { 'WWW-Authenticate': `${SCOPE_CHALLENGE}, error_description="${sent} lacks graph.send"` }];
    });
    const mail = api.post('/mail', {}).catch((e: unknown) => e);
    await flushPromises();
    expect(mock.history.post).toHaveLength(1);
    await handle.refresh();
    gate.resolve();
    const error = await mail;
    expect(isInsufficientScopeError(error)).toBe(true);
    expect((error as InsufficientScopeError).challenge?.params.error_description).toBe('Bearer [REDACTED] lacks graph.send');
    expect(source.mock.calls.map(([context]) => context.reason)).toEqual(['initial', 'manual', 'step-up']);
    expectNoSecrets(error, ['tok-1-initial-Sup3rSecret', 'tok-2-manual-Sup3rSecret', 'tok-3-step-up-Sup3rSecret']);
  });
});
