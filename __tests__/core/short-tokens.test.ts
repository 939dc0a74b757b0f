import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { attachOAuth, TokenManager, type TokenSourceContext } from '../../lib/index.js';

/*
 * Issue 9 item 10: with 300 ms tokens, a 50 ms buffer and 50 concurrent request loops, the client sent hundreds of
 * requests with a token it already knew to be expired (each then 401'd and was replayed), because
 * `minRefreshIntervalMs` held back the refresh the token's own lifetime asked for. The rule: a token known to be
 * expired is never sent, unless the token source itself keeps returning tokens that are already expired.
 */

const START = Date.UTC(2026, 0, 1);

beforeEach(() => {
  jest.useFakeTimers({ now: START });
});
afterEach(() => {
  jest.useRealTimers();
});

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** An API that knows when each token it issued expires, and answers 401 to one sent at or after that instant. */
function shortTokenApi(lifetimeMs: number) {
  const expiry = new Map<string, number>();
  let issued = 0;
  const fetchToken = jest.fn(async (_ctx: TokenSourceContext) => {
    await sleep(5); // the token endpoint's latency
    const accessToken = `t${++issued}`;
    // expiresIn counts from the moment the token was requested, so the server's clock starts there too.
    expiry.set(accessToken, Date.now() - 5 + lifetimeMs);
    return { accessToken, expiresIn: lifetimeMs / 1000 };
  });
  const api = axios.create({ baseURL: 'https://api.example.com' });
  const mock = new MockAdapter(api, { onNoMatch: 'throwException' });
  const counts = { sent: 0, sentExpired: 0, unauthorized: 0 };
  mock.onGet('/orders').reply((config) => {
    counts.sent++;
    const token = String(config.headers?.Authorization).replace(/^Bearer /, '');
    // Judged at the instant of sending: the client knew this token's expiry (it was in expires_in).
    const expired = Date.now() >= (expiry.get(token) ?? -Infinity);
    if (expired) counts.sentExpired++;
    const status = expired ? 401 : 200;
    if (expired) counts.unauthorized++;
    return new Promise((resolve) => setTimeout(() => resolve([status, { ok: !expired }]), 10));
  });
  return { api, fetchToken, counts };
}

async function runLoops(api: ReturnType<typeof axios.create>, loops: number, durationMs: number): Promise<void> {
  const end = START + durationMs;
  const loop = async (): Promise<void> => {
    while (Date.now() < end) await api.get('/orders');
  };
  const all = Promise.all(Array.from({ length: loops }, loop));
  await jest.advanceTimersByTimeAsync(durationMs + 1000);
  await all;
}

describe('short-lived tokens (issue 9 item 10)', () => {
  it('regression: sends no request with a token known to be expired (300 ms tokens, 50 ms buffer, 50 loops)', async () => {
    const { api, fetchToken, counts } = shortTokenApi(300);
    attachOAuth(api, { fetchToken, refreshBufferSeconds: 0.05 });
    await runLoops(api, 50, 2000);
    expect(counts.sent).toBeGreaterThan(5000);
    expect({ sentExpired: counts.sentExpired, unauthorized: counts.unauthorized }).toEqual({ sentExpired: 0, unauthorized: 0 });
    // One fetch per token lifetime or so, never one per request.
    expect(fetchToken.mock.calls.length).toBeLessThanOrEqual(Math.ceil(2000 / 250) + 2);
  });

  it('still paces a token source that keeps returning already-expired tokens by minRefreshIntervalMs', async () => {
    const fetchToken = jest.fn(async () => ({ accessToken: 'stale', expiresAt: Date.now() - 1 }));
    const manager = new TokenManager({ fetchToken, minRefreshIntervalMs: 1000 });
    for (let ms = 0; ms < 5000; ms += 10) {
      jest.setSystemTime(START + ms);
      await Promise.all([manager.getToken(), manager.getToken()]);
    }
    expect(fetchToken).toHaveBeenCalledTimes(5);
  });
});
