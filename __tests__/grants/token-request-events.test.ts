import { clientCredentials, refreshTokenGrant, TokenManager } from '../../lib/index.js';
import { recordEvents } from '../support/events.js';
import { expectNoSecrets } from '../support/secrets-sweep.js';
import { CLIENT, ctx, mockAuthServer, TOKEN_URL, tokenBody, withTimers } from './helpers.js';

beforeEach(() => {
  jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  jest.spyOn(Math, 'random').mockReturnValue(0); // jitter factor 0.5: the first backoff is retryDelayMs / 2
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

const ACCESS = 'at-issued-by-the-server';
const REFRESH = 'rt-rotating-refresh-token';

describe('token-request events', () => {
  it('tells each attempt, with its status and the Retry-After wait, between refresh:start and refresh:end', async () => {
    const { http, mock } = mockAuthServer();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(503, '', { 'retry-after': '3' })
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: ACCESS }));
    const { events, onEvent } = recordEvents();
    const manager = new TokenManager({ fetchToken: clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http }), onEvent });

    await withTimers(manager.getToken());

    expect(events).toEqual([
      { type: 'refresh:start', reason: 'initial', generation: 0 },
      {
        type: 'token-request',
        grantType: 'client_credentials',
        origin: 'https://auth.example.com',
        attempt: 1,
        status: 503,
        durationMs: 0,
        retryDelayMs: 3000,
      },
      {
        type: 'token-request',
        grantType: 'client_credentials',
        origin: 'https://auth.example.com',
        attempt: 2,
        status: 200,
        durationMs: 0,
      },
      { type: 'refresh:end', reason: 'initial', outcome: 'fetched', durationMs: 3000, waiters: 1 },
    ]);
    expectNoSecrets(events, [ACCESS, CLIENT.clientSecret]);
  });

  it('tells an attempt with no response by its error name and code, with the backoff before the next attempt', async () => {
    const { http, mock } = mockAuthServer();
    mock
      .onPost(TOKEN_URL)
      .timeoutOnce()
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: ACCESS }));
    const { ofType, onEvent } = recordEvents();
    const grant = clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http, retryDelayMs: 1000 });
    const manager = new TokenManager({ fetchToken: grant, onEvent });

    await withTimers(manager.getToken());
    expect(ofType('token-request')).toEqual([
      {
        type: 'token-request',
        grantType: 'client_credentials',
        origin: 'https://auth.example.com',
        attempt: 1,
        durationMs: 0,
        retryDelayMs: 500,
        error: { name: 'Error', code: 'ECONNABORTED' }, // what axios-mock-adapter's timeout is made of
      },
      expect.objectContaining({ attempt: 2, status: 200 }),
    ]);
  });

  it('tells the last failed attempt too, and the refresh that failed with it', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_grant' });
    const { events, onEvent } = recordEvents();
    const grant = refreshTokenGrant({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http });
    const manager = new TokenManager({ fetchToken: grant, initialToken: { refreshToken: REFRESH }, onEvent });

    await expect(withTimers(manager.getToken())).rejects.toMatchObject({ code: 'ERR_TOKEN_REFRESH_FAILED' });

    expect(events).toEqual([
      { type: 'refresh:start', reason: 'initial', generation: 0 },
      { type: 'token-request', grantType: 'refresh_token', origin: 'https://auth.example.com', attempt: 1, status: 400, durationMs: 0 },
      {
        type: 'refresh:end',
        reason: 'initial',
        outcome: 'failed',
        durationMs: 0,
        waiters: 1,
        error: { name: 'OAuthError', code: 'ERR_OAUTH_ERROR', oauthError: 'invalid_grant' },
      },
    ]);
    expectNoSecrets(events, [REFRESH, CLIENT.clientSecret]);
  });

  it('raises nothing for a grant called by hand, outside any token manager', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).replyOnce(200, tokenBody());
    const { onEvent } = recordEvents();
    new TokenManager({ fetchToken: async () => 'unrelated-manager-token', onEvent });
    await expect(clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(ctx())).resolves.toMatchObject({
      accessToken: 'at-1',
    });
    expect(onEvent).not.toHaveBeenCalled();
  });
});
