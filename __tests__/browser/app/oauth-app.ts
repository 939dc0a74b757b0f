import axios, { type AxiosInstance } from 'axios';
import { attachOAuth, browserStorage, refreshTokenGrant, type OAuthHandle } from '../../../lib/index.js';

/*
 * The app each tab runs for the end-to-end tests: one axios instance made OAuth aware with browserStorage, a refresh
 * token grant against the test server, and traffic whose every outcome is counted. The clock can be set, so that
 * the test decides when tokens expire (it sets the same time in every tab and on the server).
 */

export interface TokenResponse {
  access_token: string;
  token_type: string;
  expires_in: number;
  refresh_token: string;
}

export interface TrafficResult {
  ok: number;
  failed: number;
  /** One line per failed request: error name, code, HTTP status, OAuth error. */
  errors: string[];
}

let clock: number | null = null;
let api: AxiosInstance | null = null;
let handle: OAuthHandle | null = null;
const backgroundErrors: string[] = [];

function describeError(error: unknown): string {
  const e = error as { name?: string; code?: string; response?: { status?: number }; cause?: { error?: string } };
  return [e.name, e.code, e.response?.status, e.cause?.error].filter((part) => part !== undefined).join(' ');
}

async function countOutcomes(requests: Array<Promise<unknown>>, into: TrafficResult): Promise<void> {
  for (const outcome of await Promise.allSettled(requests)) {
    if (outcome.status === 'fulfilled') into.ok++;
    else into.errors.push(describeError(outcome.reason));
  }
  into.failed = into.errors.length;
}

export const oauthApp = {
  setClock(now: number | null) {
    clock = now;
  },
  /** What a login page does: store the token it received, for every tab. */
  async signIn(key: string, storeRefreshToken: boolean, response: TokenResponse, obtainedAt: number) {
    const expiresAt = obtainedAt + response.expires_in * 1000;
    await browserStorage({ key, storeRefreshToken }).set({
      accessToken: response.access_token,
      tokenType: response.token_type,
      refreshToken: response.refresh_token,
      expiresAt,
      obtainedAt,
    });
  },
  /** `dpop`: `dpop: true`, and every request names its tab in `x-tab` (the server sorts proof keys by tab). */
  start(key: string, storeRefreshToken: boolean, dpop?: { tab: string }) {
    api = axios.create({ baseURL: `${location.origin}/api`, headers: dpop === undefined ? {} : { 'x-tab': dpop.tab } });
    handle = attachOAuth(api, {
      dpop: dpop !== undefined,
      fetchToken: refreshTokenGrant({ tokenUrl: `${location.origin}/token`, clientId: 'spa' }),
      storage: browserStorage({ key, storeRefreshToken }),
      now: () => clock ?? Date.now(),
      onBackgroundError: (error) => void backgroundErrors.push(describeError(error)),
    });
  },
  /** `count` requests at once. */
  async burst(count: number): Promise<TrafficResult> {
    const result: TrafficResult = { ok: 0, failed: 0, errors: [] };
    await countOutcomes(
      Array.from({ length: count }, () => api!.get('/orders')),
      result,
    );
    return result;
  },
  /** `concurrency` request loops, each sending its next request when the last one answered, for `durationMs`. */
  async traffic(durationMs: number, concurrency: number): Promise<TrafficResult> {
    const result: TrafficResult = { ok: 0, failed: 0, errors: [] };
    const until = Date.now() + durationMs;
    const loop = async (): Promise<void> => {
      while (Date.now() < until) await countOutcomes([api!.get('/orders')], result);
    };
    await Promise.all(Array.from({ length: concurrency }, loop));
    return result;
  },
  /** Signed in (holds a token) and what went wrong in the background. */
  status: () => ({ signedIn: handle?.tokenManager.token != null, backgroundErrors: backgroundErrors.slice() }),
  stop() {
    handle?.detach();
  },
};
