import { ErrorCode, OAuthError, TokenManager, deviceAuthorization, type UserCodePrompt } from '../../lib/index.js';
import { flushPromises } from '../support/fake-api';
import { expectNoSecrets } from '../support/secrets-sweep';
import { form, mockAuthServer, tokenBody } from './helpers';

const DEVICE = 'https://id.example.com/device/auth';
const TOKEN = 'https://id.example.com/token';
const START = Date.UTC(2026, 0, 1);

beforeEach(() => jest.useFakeTimers({ now: START }));
afterEach(() => jest.useRealTimers());

const deviceBody = (extra: Record<string, unknown> = {}) => ({
  device_code: 'device-CODE-123456',
  user_code: 'WDJB-MJHT',
  verification_uri: 'https://id.example.com/device',
  verification_uri_complete: 'https://id.example.com/device?user_code=WDJB-MJHT',
  expires_in: 600,
  ...extra,
});

/** A device sign-in whose token endpoint answers, poll after poll, with `answers` (the last one repeats). */
function setup(answers: Array<[number, unknown, Record<string, string>?]>, device = deviceBody(), extra: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  mock.onPost(DEVICE).reply(200, device);
  const pollTimes: number[] = [];
  mock.onPost(TOKEN).reply(() => {
    pollTimes.push(Date.now() - START);
    return (answers.length > 1 ? answers.shift() : answers[0])!;
  });
  const prompts: UserCodePrompt[] = [];
  const source = deviceAuthorization({
    deviceAuthorizationUrl: DEVICE,
    tokenUrl: TOKEN,
    clientId: 'tv',
    scope: 'openid offline_access',
    httpClient: http,
    maxRetries: 0,
    onUserCode: (prompt) => void prompts.push(prompt),
    ...extra,
  });
  return { mock, source, prompts, pollTimes, manager: new TokenManager({ fetchToken: jest.fn() }) };
}

const pending: [number, unknown] = [400, { error: 'authorization_pending' }];

describe('deviceAuthorization', () => {
  it('shows the user code, polls every 5 s while pending, and signs in once approved', async () => {
    const { mock, source, prompts, pollTimes, manager } = setup([pending, pending, [200, tokenBody({ refresh_token: 'rt-tv' })]]);
    const signIn = manager.signIn(source);
    await jest.advanceTimersByTimeAsync(0);
    expect(prompts).toEqual([
      {
        verificationUri: 'https://id.example.com/device',
        verificationUriComplete: 'https://id.example.com/device?user_code=WDJB-MJHT',
        userCode: 'WDJB-MJHT',
        expiresIn: 600,
      },
    ]);
    expect(form(mock.history.post[0]!)).toEqual({ client_id: 'tv', scope: 'openid offline_access' });
    await jest.advanceTimersByTimeAsync(15_000);
    await expect(signIn).resolves.toMatchObject({ accessToken: 'at-1', refreshToken: 'rt-tv' });
    expect(pollTimes).toEqual([5_000, 10_000, 15_000]);
    expect(form(mock.history.post[1]!)).toEqual({
      grant_type: 'urn:ietf:params:oauth:grant-type:device_code',
      device_code: 'device-CODE-123456',
      client_id: 'tv',
    });
  });

  it("uses the server's interval, and slow_down adds 5 s to it for good", async () => {
    const { source, pollTimes, manager } = setup([[400, { error: 'slow_down' }], pending, [200, tokenBody()]], deviceBody({ interval: 2 }));
    const signIn = manager.signIn(source);
    await jest.advanceTimersByTimeAsync(2_000 + 7_000 + 7_000);
    await signIn;
    expect(pollTimes).toEqual([2_000, 9_000, 16_000]);
  });

  it('waits a 503 out for its Retry-After (never less than the interval) and polls again', async () => {
    const { source, pollTimes, manager } = setup([
      [503, 'busy', { 'Retry-After': '30' }],
      [200, tokenBody()],
    ]);
    const signIn = manager.signIn(source);
    await jest.advanceTimersByTimeAsync(35_000);
    await signIn;
    expect(pollTimes).toEqual([5_000, 35_000]);
  });

  it.each(['access_denied', 'expired_token'])('ends with an OAuthError on %s', async (error) => {
    const { source, pollTimes, manager } = setup([pending, [400, { error }]]);
    const failed = manager.signIn(source).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(60_000);
    const e = (await failed) as { code: string; cause: OAuthError };
    expect(e.code).toBe(ErrorCode.SIGN_IN_FAILED);
    expect(e.cause).toBeInstanceOf(OAuthError);
    expect(e.cause.error).toBe(error);
    expect(pollTimes).toEqual([5_000, 10_000]);
  });

  it("gives up when the device code's own expires_in has passed (ERR_SIGN_IN_TIMEOUT)", async () => {
    const { source, pollTimes, manager } = setup([pending], deviceBody({ expires_in: 12 }));
    const failed = manager.signIn(source).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(await failed).toMatchObject({ code: ErrorCode.SIGN_IN_TIMEOUT });
    expect(pollTimes).toEqual([5_000, 10_000]);
  });

  it('stops polling at once when its signal aborts', async () => {
    const controller = new AbortController();
    const { source, pollTimes, manager } = setup([pending], deviceBody(), { signal: controller.signal });
    const failed = manager.signIn(source).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(7_000);
    controller.abort(new Error('user gave up'));
    await flushPromises();
    expect(await failed).toMatchObject({ code: ErrorCode.SIGN_IN_FAILED, cause: { message: 'user gave up' } });
    await jest.advanceTimersByTimeAsync(60_000);
    expect(pollTimes).toEqual([5_000]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('keeps the device code and the client secret out of its errors', async () => {
    const { source, manager } = setup(
      [[400, { error: 'invalid_grant', error_description: 'device-CODE-123456 unknown to cs-Sup3rS3cret' }]],
      deviceBody(),
      { clientSecret: 'cs-Sup3rS3cret' },
    );
    const failed = manager.signIn(source).catch((e: unknown) => e);
    await jest.advanceTimersByTimeAsync(5_000);
    expectNoSecrets(await failed, ['device-CODE-123456', 'cs-Sup3rS3cret']);
  });

  it('refuses a device response without a user code, and checks its options at creation', async () => {
    const { source, manager } = setup([pending], deviceBody({ user_code: undefined }));
    await expect(manager.signIn(source)).rejects.toMatchObject({ cause: { code: ErrorCode.INVALID_RESPONSE } });
    expect(() => deviceAuthorization({ tokenUrl: TOKEN, clientId: 'tv', onUserCode: () => undefined })).toThrow(
      '"options.deviceAuthorizationUrl" is required with "tokenUrl"',
    );
    expect(() => deviceAuthorization({ tokenUrl: TOKEN, clientId: 'tv', deviceAuthorizationUrl: DEVICE } as never)).toThrow(
      '"options.onUserCode" must be a function',
    );
  });
});
