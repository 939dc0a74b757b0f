import axios, { type AxiosInstance } from 'axios';
import type { BenchConfig } from '../config.js';
import { collect } from '../harness/runtime.js';
import { median } from '../harness/stats.js';
import { attachOAuth, generateDPoPKeyPair, type OAuthHandle } from '../../lib/index.js';
import { createSim } from '../sim/index.js';
import { interleavedBlocks, pct } from './hot-path.js';
import type { Scenario } from './types.js';

/** CPU µs of one ES256 `crypto.subtle.sign` over a proof-sized input: the floor of any DPoP request. */
async function signatureFloorUs(key: CryptoKey, n: number): Promise<number> {
  const input = new TextEncoder().encode('x'.repeat(420)); // a proof's header.payload: JWK, htm, htu, iat, jti, ath
  collect();
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) await crypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, key, input);
  const used = process.cpuUsage(start);
  return (used.user + used.system) / n;
}

export interface DPoPRun {
  bareUs: number;
  bearerUs: number;
  dpopUs: number;
  signatureUs: number;
  /** (DPoP − bearer) ÷ one signature: 1 means DPoP costs its signature and nothing else. */
  overheadVsFloor: number;
}

/**
 * Issue 11: what a DPoP-bound token costs per request. The same simulated API and fresh token as the hot path (in
 * memory); one instance with a static header (bare axios), one with a bearer token, one with a DPoP token (a fresh
 * proof per request), timed in interleaved blocks; then one ES256 signature on its own, the physical floor.
 */
export const dpopScenario: Scenario = {
  id: 'dpop',
  async run(config: BenchConfig) {
    const { warmupBlocks, blocks, blockRequests } = config.hotPath;
    const sim = await createSim('memory', { ttlSeconds: 3600, tokenLatencyMs: 1 });
    const keyPair = await generateDPoPKeyPair('ES256');
    const never = async (): Promise<never> => {
      throw new Error('dpop bench: the token is fresh, nothing may fetch one');
    };
    const bare = axios.create({ ...sim.axiosDefaults, headers: { Authorization: `Bearer ${sim.server.authority.issue().access_token}` } });
    const bearer = axios.create(sim.axiosDefaults);
    const dpop = axios.create(sim.axiosDefaults);
    const handles: OAuthHandle[] = [
      attachOAuth(bearer, { fetchToken: never, initialToken: sim.server.authority.issue() }),
      attachOAuth(dpop, { fetchToken: never, dpop: keyPair, initialToken: { ...sim.server.authority.issue(), token_type: 'DPoP' } }),
    ];
    const running: [string, AxiosInstance][] = [
      ['bare', bare],
      ['bearer', bearer],
      ['dpop', dpop],
    ];
    let us: Map<string, number[]>;
    try {
      us = await interleavedBlocks(running, { warmupBlocks, blocks, blockRequests });
    } finally {
      for (const handle of handles) handle.detach();
      await sim.close();
    }
    if (sim.server.counters.api401 > 0) throw new Error('dpop: a request saw a 401, so this was not the hot path');
    const signatureUs = await signatureFloorUs(keyPair.privateKey, blocks * blockRequests);
    const [bareUs, bearerUs, dpopUs] = ['bare', 'bearer', 'dpop'].map((id) => median(us.get(id)!)) as [number, number, number];
    const run: DPoPRun = { bareUs, bearerUs, dpopUs, signatureUs, overheadVsFloor: (dpopUs - bearerUs) / signatureUs };
    return {
      id: 'dpop',
      tables: [
        {
          title: 'DPoP hot path (fresh token, in-memory adapter, sequential requests)',
          columns: ['Subject', 'CPU µs/request (median)', 'vs bare axios'],
          rows: [
            ['bare axios (static token)', Number(bareUs.toFixed(1)), '100.0%'],
            ['axios-oauth-lock, bearer token', Number(bearerUs.toFixed(1)), pct(bareUs / bearerUs)],
            ['axios-oauth-lock, DPoP token (a proof per request)', Number(dpopUs.toFixed(1)), pct(bareUs / dpopUs)],
            ['one ES256 crypto.subtle.sign (the floor)', Number(signatureUs.toFixed(1)), ''],
          ],
          note: `DPoP adds ${(dpopUs - bearerUs).toFixed(1)} CPU µs per request over a bearer token: ${run.overheadVsFloor.toFixed(2)}× one signature (target ≤ 1.3×). The simulated API checks the token, not the proof. oauth4webapi is not included: it signs requests through its own fetch-based API, not an axios instance.`,
        },
      ],
      raw: run,
    };
  },
};
