import axios from 'axios';
import { attachOAuth } from '../../lib/index';
import { clientCredentials } from '../../lib/grants';
import type { TokenSource } from '../../lib/core/options';
import { useAuthStack } from './use-auth-stack';

// Real time on purpose: tokens really expire at the server (2 s) and the API really checks `exp`.
const TTL_SECONDS = 2;
const stack = useAuthStack({ accessTokenTtlSeconds: TTL_SECONDS });

/** Wraps a token source to count its calls and how many ever overlapped. */
function instrument(source: TokenSource) {
  const stats = { calls: 0, inFlight: 0, maxInFlight: 0 };
  const wrapped: TokenSource = async (context) => {
    stats.calls++;
    stats.maxInFlight = Math.max(stats.maxInFlight, ++stats.inFlight);
    try {
      return await source(context);
    } finally {
      stats.inFlight--;
    }
  };
  return { wrapped, stats };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('expiry under concurrent traffic', () => {
  it('keeps every request authorized across several real expiries with one token call at a time', async () => {
    const { wrapped, stats } = instrument(
      clientCredentials({ issuer: stack.auth.issuer, ...stack.auth.clients.basic, scope: 'orders:read' }),
    );
    const client = axios.create({ baseURL: stack.api.baseURL });
    const handle = attachOAuth(client, { fetchToken: wrapped });
    const statuses: number[] = [];

    // 8 waves of 12 concurrent requests, spread over about 2.5 token lifetimes.
    for (let wave = 0; wave < 8; wave++) {
      const responses = await Promise.all(Array.from({ length: 12 }, (_, i) => client.get(`/orders/${wave}-${i}`)));
      statuses.push(...responses.map((r) => r.status));
      await pause(600);
    }
    handle.detach();

    const seen = await stack.api.stats();
    expect(statuses).toHaveLength(96);
    expect(statuses.every((s) => s === 200)).toBe(true);
    expect(stats.maxInFlight).toBe(1);
    // Tokens really were renewed and used; never one token call per request (at most two per wave of 12).
    expect(seen.distinctTokens).toBeGreaterThanOrEqual(2);
    expect(stats.calls).toBeGreaterThanOrEqual(seen.distinctTokens);
    expect(stats.calls).toBeLessThanOrEqual(16);
  });
});
