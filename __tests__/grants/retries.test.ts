import { ErrorCode, OAuthError } from '../../lib/core/errors';
import { clientCredentials } from '../../lib/grants';
import { parseRetryAfterMs } from '../../lib/grants/send';
import { CLIENT, TOKEN_URL, ctx, mockAuthServer, rejectionOf, tokenBody, withTimers } from './helpers';

beforeEach(() => {
  // setImmediate stays real: the shared afterEach uses it to flush unhandled rejections.
  jest.useFakeTimers({ doNotFake: ['setImmediate'] });
  // Jitter factor 0.5: the first backoff is exactly retryDelayMs / 2.
  jest.spyOn(Math, 'random').mockReturnValue(0);
});
afterEach(() => {
  jest.useRealTimers();
  jest.restoreAllMocks();
});

function setup(options: { maxRetries?: number; maxRetryDelayMs?: number } = {}) {
  const { http, mock } = mockAuthServer();
  const grant = clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http, retryDelayMs: 1000, ...options });
  return { grant, mock };
}

describe('transient token endpoint failures', () => {
  it('waits for Retry-After on a 429, then succeeds with exactly two calls', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).replyOnce(429, '', { 'retry-after': '3' }).onPost(TOKEN_URL).replyOnce(200, tokenBody());
    const result = grant(ctx());

    await jest.advanceTimersByTimeAsync(2999);
    expect(mock.history.post).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.post).toHaveLength(2);
  });

  it('caps a huge Retry-After at maxRetryDelayMs', async () => {
    const { grant, mock } = setup({ maxRetryDelayMs: 5000 });
    mock.onPost(TOKEN_URL).replyOnce(503, '', { 'retry-after': '86400' }).onPost(TOKEN_URL).replyOnce(200, tokenBody());
    const result = grant(ctx());

    await jest.advanceTimersByTimeAsync(5000);
    await expect(result).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.post).toHaveLength(2);
  });

  it('backs off exponentially after network errors and gives up after maxRetries, redacted', async () => {
    const { grant, mock } = setup({ maxRetries: 2 });
    mock.onPost(TOKEN_URL).networkError();
    const result = rejectionOf(grant(ctx()));

    await jest.advanceTimersByTimeAsync(499);
    expect(mock.history.post).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1); // 1000 * 2^0 * 0.5
    expect(mock.history.post).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1000); // 1000 * 2^1 * 0.5
    const error = await result;
    expect(mock.history.post).toHaveLength(3);
    expect(error.message).toBe('Network Error');
    expect((error as { config?: { data?: unknown } }).config?.data).toBe('[REDACTED]');
  });

  it('retries an HTML 502 and reports the last answer as a typed error', async () => {
    const { grant, mock } = setup({ maxRetries: 1 });
    mock.onPost(TOKEN_URL).reply(502, '<html>Bad gateway</html>', { 'content-type': 'text/html' });
    const error = await withTimers(rejectionOf(grant(ctx())));

    expect(mock.history.post).toHaveLength(2);
    expect(error).toMatchObject({ name: 'TokenRefreshError', code: ErrorCode.INVALID_RESPONSE });
  });

  it('reports a 503 temporarily_unavailable body as an OAuthError once retries run out', async () => {
    const { grant, mock } = setup({ maxRetries: 1 });
    mock.onPost(TOKEN_URL).reply(503, { error: 'temporarily_unavailable' });
    const error = await withTimers(rejectionOf(grant(ctx())));

    expect(error).toBeInstanceOf(OAuthError);
    expect(mock.history.post).toHaveLength(2);
  });

  it('does not retry a 400', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(400, { error: 'invalid_scope' });
    await expect(withTimers(grant(ctx()))).rejects.toMatchObject({ error: 'invalid_scope' });
    expect(mock.history.post).toHaveLength(1);
  });

  it('stops waiting and sends nothing more when the signal aborts during a backoff', async () => {
    const { grant, mock } = setup();
    mock.onPost(TOKEN_URL).reply(500, '');
    const controller = new AbortController();
    const result = rejectionOf(grant({ ...ctx(), signal: controller.signal }));
    await jest.advanceTimersByTimeAsync(100);
    controller.abort();
    const error = await result;

    expect(error.name).toBe('AbortError');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(mock.history.post).toHaveLength(1);
  });

  it('gives each attempt its own timeout and retries one that timed out', async () => {
    const { grant, mock } = setup({ maxRetries: 1 });
    mock.onPost(TOKEN_URL).timeoutOnce().onPost(TOKEN_URL).replyOnce(200, tokenBody());

    await expect(withTimers(grant(ctx()))).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.post.map((request) => request.timeout)).toEqual([10_000, 10_000]);
  });
});

describe('absurd Retry-After values (issue 9)', () => {
  async function expectRetryAfter(retryAfter: string, waitMs: number): Promise<void> {
    const { grant, mock } = setup({ maxRetryDelayMs: 5000 });
    mock.onPost(TOKEN_URL).replyOnce(503, '', { 'retry-after': retryAfter }).onPost(TOKEN_URL).replyOnce(200, tokenBody());
    const result = grant(ctx());

    await jest.advanceTimersByTimeAsync(waitMs - 1);
    expect(mock.history.post).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    await expect(result).resolves.toMatchObject({ accessToken: 'at-1' });
    expect(mock.history.post).toHaveLength(2);
  }

  it.each([
    ['a huge delay-seconds', '99999999999999999999999'],
    ['an HTTP-date in year 9999', 'Fri, 31 Dec 9999 23:59:59 GMT'],
  ])('waits maxRetryDelayMs, no longer, after %s', (_name, retryAfter) => expectRetryAfter(retryAfter, 5000));

  it.each([
    ['a negative number', '-5'],
    ['a fraction', '12.5'],
    ['garbage ending in a digit', 'soon 5'],
    ['an exponent', '1e3'],
  ])('regression: backs off as usual after %s (Date.parse read it as a past year: a retry at once)', (_name, retryAfter) =>
    expectRetryAfter(retryAfter, 500),
  );
});

describe('parseRetryAfterMs', () => {
  it('reads delay-seconds and HTTP-dates, and ignores garbage', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfterMs('120', now)).toBe(120_000);
    expect(parseRetryAfterMs('Wed, 01 Jan 2025 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfterMs('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfterMs('soon', now)).toBeUndefined();
    expect(parseRetryAfterMs('Sunday, 01-Jan-25 00:00:10 GMT', now)).toBe(10_000); // RFC 850, obsolete but valid
    expect(parseRetryAfterMs('Wed Jan  1 00:00:20 2025', now)).toBeDefined(); // asctime (read as local time)
    expect(parseRetryAfterMs(undefined, now)).toBeUndefined();
  });
});
