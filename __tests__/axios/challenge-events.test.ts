import axios, { type AxiosRequestConfig } from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { attachOAuth, OAuthError, type AttachOAuthOptions, type TokenFields, type TokenSourceContext } from '../../lib/index.js';
import { BASE_URL } from '../support/fake-api.js';
import { recordEvents } from '../support/events.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';

/*
 * Issue 13: the `challenge` event of each decided 401/403 challenge, and the `replay` causes of step-up, claims and
 * DPoP replays. Setups as in challenges.test.ts (scopes) and dpop-requests.test.ts (DPoP), with long tokens for the
 * secrets sweep.
 */

const ROUTE = 'https://api.example.com';
const SCOPE_CHALLENGE = 'Bearer error="insufficient_scope", scope="graph.send"';
const CLAIMS = '{"access_token":{"nbf":{"essential":true,"value":"1726258122"}}}';
const CLAIMS_B64 = Buffer.from(CLAIMS).toString('base64');
const CLAIMS_CHALLENGE = `Bearer realm="", error="insufficient_claims", claims="${CLAIMS_B64}"`;

const tokenOf = (config: AxiosRequestConfig): string =>
  String((config.headers as Record<string, unknown>).Authorization).replace(/^(Bearer|DPoP) /, '');

function setup(options: Partial<AttachOAuthOptions> = {}) {
  const api = axios.create({ baseURL: BASE_URL });
  const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
  const granted = new Map<string, string[]>();
  let issued = 0;
  const fetchToken = jest.fn(async (context: TokenSourceContext): Promise<TokenFields> => {
    const scope = context.scope ?? ['graph.read'];
    const accessToken = `tok-${++issued}-Sup3rSecret`;
    granted.set(accessToken, scope);
    return { accessToken, refreshToken: `refresh-${issued}-Sup3rSecret`, expiresIn: 3600, scope: scope.join(' ') };
  });
  mock
    .onGet('/me')
    .reply((config) => (granted.has(tokenOf(config)) ? [200] : [401, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }]));
  mock
    .onPost('/mail')
    .reply((config) =>
      granted.get(tokenOf(config))?.includes('graph.send') === true ? [200] : [403, {}, { 'WWW-Authenticate': SCOPE_CHALLENGE }],
    );
  const recorded = recordEvents();
  attachOAuth(api, { fetchToken, onEvent: recorded.onEvent, ...options });
  const secrets = (): string[] => [...granted.keys()].flatMap((token) => [token, token.replace('tok', 'refresh')]);
  /** The events after the first token is in place. */
  const warm = async (): Promise<void> => {
    await api.get('/me');
    recorded.events.length = 0;
  };
  return { api, mock, fetchToken, warm, secrets, ...recorded };
}

const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => {
      throw new Error('expected a rejection');
    },
    (error: unknown) => error,
  );

describe('challenge events', () => {
  it('tells a step-up as a "step-up" challenge with its required scope, then a "step-up" replay', async () => {
    const { api, warm, events, secrets } = setup();
    await warm();
    await api.post('/mail');
    expect(events.filter((e) => e.type === 'challenge' || e.type === 'replay')).toEqual([
      { type: 'challenge', decision: 'step-up', status: 403, requiredScope: ['graph.send'], route: ROUTE },
      { type: 'replay', cause: 'step-up', sentGeneration: 1, generation: 2, route: ROUTE },
    ]);
    expectNoSecrets(events, secrets());
  });

  it('tells a claims challenge as a "claims" challenge and a "claims" replay, never with the claims', async () => {
    const { api, mock, warm, events, secrets } = setup();
    await warm();
    let calls = 0;
    mock.onGet('/files').reply(() => (++calls === 1 ? [401, {}, { 'WWW-Authenticate': CLAIMS_CHALLENGE }] : [200]));
    await api.get('/files');
    expect(events.filter((e) => e.type === 'challenge' || e.type === 'replay')).toEqual([
      { type: 'challenge', decision: 'claims', status: 401, route: ROUTE },
      { type: 'replay', cause: 'claims', sentGeneration: 1, generation: 2, route: ROUTE },
    ]);
    expectNoSecrets(events, [...secrets(), CLAIMS, CLAIMS_B64, '1726258122']);
  });

  it('tells insufficient_user_authentication as "step-up-required" with acr_values and max_age, and no replay', async () => {
    const { api, mock, warm, events, secrets } = setup();
    await warm();
    mock
      .onDelete('/account')
      .reply(401, {}, { 'WWW-Authenticate': 'Bearer error="insufficient_user_authentication", acr_values="phr mfa", max_age="300"' });
    await rejection(api.delete('/account'));
    expect(events).toEqual([
      { type: 'challenge', decision: 'step-up-required', status: 401, acrValues: ['phr', 'mfa'], maxAge: 300, route: ROUTE },
    ]);
    expectNoSecrets(events, secrets());
  });

  it('tells stepUp: false as "insufficient-scope" for reason "disabled", with no token request', async () => {
    const { api, warm, events, secrets } = setup({ stepUp: false });
    await warm();
    await rejection(api.post('/mail'));
    expect(events).toEqual([
      { type: 'challenge', decision: 'insufficient-scope', status: 403, requiredScope: ['graph.send'], reason: 'disabled', route: ROUTE },
    ]);
    expectNoSecrets(events, secrets());
  });

  it('tells a server that refuses the stepped-up token too as a step-up, its replay, then "insufficient-scope" "repeated"', async () => {
    const { api, mock, warm, events, secrets } = setup();
    await warm();
    mock.onPut('/mail').reply(403, {}, { 'WWW-Authenticate': SCOPE_CHALLENGE });
    await rejection(api.put('/mail'));
    expect(events.filter((e) => e.type === 'challenge' || e.type === 'replay')).toEqual([
      { type: 'challenge', decision: 'step-up', status: 403, requiredScope: ['graph.send'], route: ROUTE },
      { type: 'replay', cause: 'step-up', sentGeneration: 1, generation: 2, route: ROUTE },
      { type: 'challenge', decision: 'insufficient-scope', status: 403, requiredScope: ['graph.send'], reason: 'repeated', route: ROUTE },
    ]);
    expectNoSecrets(events, secrets());
  });

  it('tells a step-up the token endpoint refuses (invalid_scope) as a step-up, then "insufficient-scope" "refused"', async () => {
    const { api, fetchToken, warm, events, secrets } = setup();
    await warm();
    fetchToken.mockImplementationOnce(async () => {
      throw new OAuthError({ error: 'invalid_scope', status: 400 });
    });
    await rejection(api.post('/mail'));
    expect(events.filter((e) => e.type === 'challenge' || e.type === 'replay')).toEqual([
      { type: 'challenge', decision: 'step-up', status: 403, requiredScope: ['graph.send'], route: ROUTE },
      { type: 'challenge', decision: 'insufficient-scope', status: 403, requiredScope: ['graph.send'], reason: 'refused', route: ROUTE },
    ]);
    expectNoSecrets(events, secrets());
  });

  it('tells a step-up granted short as a step-up, then "insufficient-scope" "not-granted"', async () => {
    const { api, fetchToken, warm, events, secrets } = setup();
    await warm();
    fetchToken.mockImplementationOnce(async () => ({ accessToken: 'tok-short-Sup3rSecret', scope: 'graph.read' }));
    await rejection(api.post('/mail'));
    expect(events.filter((e) => e.type === 'challenge' || e.type === 'replay')).toEqual([
      { type: 'challenge', decision: 'step-up', status: 403, requiredScope: ['graph.send'], route: ROUTE },
      {
        type: 'challenge',
        decision: 'insufficient-scope',
        status: 403,
        requiredScope: ['graph.send'],
        reason: 'not-granted',
        route: ROUTE,
      },
    ]);
    expectNoSecrets(events, [...secrets(), 'tok-short-Sup3rSecret']);
  });

  it('raises no challenge event for a plain invalid_token 401: a "refreshed" replay only', async () => {
    const { api, mock, warm, ofType } = setup();
    await warm();
    let calls = 0;
    mock.onGet('/plain').reply(() => (++calls === 1 ? [401, {}, { 'WWW-Authenticate': 'Bearer error="invalid_token"' }] : [200]));
    await api.get('/plain');
    expect(ofType('challenge')).toEqual([]);
    expect(ofType('replay')).toEqual([{ type: 'replay', cause: 'refreshed', sentGeneration: 1, generation: 2, route: ROUTE }]);
  });

  it('publishes the same payload on the axios-oauth-lock:challenge channel, with no onEvent', async () => {
    const published: unknown[] = [];
    const listener = (message: unknown): void => void published.push(message);
    subscribe('axios-oauth-lock:challenge', listener);
    try {
      const { api, warm } = setup({ onEvent: undefined });
      await warm();
      await api.post('/mail');
      expect(published).toEqual([{ type: 'challenge', decision: 'step-up', status: 403, requiredScope: ['graph.send'], route: ROUTE }]);
    } finally {
      unsubscribe('axios-oauth-lock:challenge', listener);
    }
  });
});

describe('replay events of DPoP challenges (RFC 9449 §9, §11.1)', () => {
  const API = 'https://api.example.com';
  const NONCE = 'server-nonce-Sup3rSecret-1';

  function setupDPoP() {
    const api = axios.create({ baseURL: API });
    const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
    let n = 0;
    const fetchToken = jest.fn(async () => ({ accessToken: `dpop-token-${++n}-Sup3rSecret`, tokenType: 'DPoP', expiresIn: 3600 }));
    const recorded = recordEvents();
    attachOAuth(api, { fetchToken, dpop: true, onEvent: recorded.onEvent });
    return { api, mock, fetchToken, ...recorded };
  }

  const proofsOf = (mock: MockAdapter): string[] => mock.history.get.map((c) => String((c.headers as Record<string, unknown>).DPoP));

  it('tells a use_dpop_nonce replay as cause "dpop-nonce", same generation, never the nonce or the proof', async () => {
    const { api, mock, fetchToken, events, ofType } = setupDPoP();
    mock
      .onGet(`${API}/a`)
      .replyOnce(401, {}, { 'www-authenticate': 'DPoP error="use_dpop_nonce"', 'dpop-nonce': NONCE })
      .onGet(`${API}/a`)
      .reply(200);
    await api.get('/a');
    expect(fetchToken).toHaveBeenCalledTimes(1);
    expect(ofType('replay')).toEqual([{ type: 'replay', cause: 'dpop-nonce', sentGeneration: 1, generation: 1, route: ROUTE }]);
    expect(ofType('challenge')).toEqual([]);
    expectNoSecrets(events, ['dpop-token-1-Sup3rSecret', NONCE, ...proofsOf(mock)]);
  });

  it('tells a clock-corrected invalid_dpop_proof replay as cause "dpop-clock"', async () => {
    const { api, mock, events, ofType } = setupDPoP();
    const date = new Date(Date.now() + 600_000).toUTCString();
    mock.onGet(`${API}/a`).replyOnce(401, {}, { 'www-authenticate': 'DPoP error="invalid_dpop_proof"', date }).onGet(`${API}/a`).reply(200);
    await api.get('/a');
    expect(ofType('replay')).toEqual([{ type: 'replay', cause: 'dpop-clock', sentGeneration: 1, generation: 1, route: ROUTE }]);
    expectNoSecrets(events, ['dpop-token-1-Sup3rSecret', ...proofsOf(mock)]);
  });
});
