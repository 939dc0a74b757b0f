import { SimAuthority } from './authority.js';
import { Gate } from './gate.js';

export interface SimRequest {
  method: string;
  path: string;
  authorization: string | undefined;
}

export interface SimResponse {
  status: number;
  headers: Record<string, string>;
  data: unknown;
}

export interface SimServerOptions {
  /** Access token lifetime. */
  ttlSeconds: number;
  /** How long the token endpoint takes to answer. */
  tokenLatencyMs: number;
  /** Per-request processing time of the API; the token is checked after it, so a revocation meanwhile yields a late 401. */
  apiLatencyMs?: () => number;
}

export interface SimCounters {
  apiRequests: number;
  api200: number;
  api401: number;
  /** 401s for a token older than the newest one issued: answered after a refresh had already replaced it. */
  api401Stale: number;
  tokenRequests: number;
  tokenFailures: number;
}

export const TOKEN_PATH = '/oauth/token';

/**
 * The simulated API and token endpoint behind every transport: counts what it sees, so the token-fetch and 401
 * figures come from the server side, never from a subject's own bookkeeping.
 */
export class SimServer {
  readonly authority: SimAuthority;
  readonly counters: SimCounters = { apiRequests: 0, api200: 0, api401: 0, api401Stale: 0, tokenRequests: 0, tokenFailures: 0 };
  /** Holds API requests (the bare-axios floor of "waiting requests"). */
  readonly apiGate = new Gate();
  /** Holds the token endpoint, so a refresh stays in flight as long as a scenario needs. */
  readonly tokenGate = new Gate();
  /** When set, the token endpoint answers this status with an RFC 6749 §5.2 error body. */
  failTokenWith: number | null = null;

  constructor(private readonly options: SimServerOptions) {
    this.authority = new SimAuthority(options.ttlSeconds);
  }

  handle(request: SimRequest): Promise<SimResponse> {
    if (request.path === TOKEN_PATH && request.method === 'POST') return this.#token();
    return this.#api(request);
  }

  async #api(request: SimRequest): Promise<SimResponse> {
    this.counters.apiRequests += 1;
    const held = this.apiGate.pass();
    if (held !== null) await held;
    const latency = this.options.apiLatencyMs?.() ?? 0;
    if (latency > 0) await sleep(latency);
    const { verdict, seq } = this.authority.verify(request.authorization);
    if (verdict === 'ok') {
      this.counters.api200 += 1;
      return { status: 200, headers: {}, data: { ok: true, path: request.path } };
    }
    this.counters.api401 += 1;
    if (seq > 0 && seq < this.authority.latestSeq) this.counters.api401Stale += 1;
    // RFC 6750 §3.1: a bad token is answered with a challenge naming invalid_token.
    const challenge = verdict === 'missing' ? 'Bearer' : `Bearer error="invalid_token", error_description="token ${verdict}"`;
    return { status: 401, headers: { 'www-authenticate': challenge }, data: { error: 'invalid_token' } };
  }

  async #token(): Promise<SimResponse> {
    this.counters.tokenRequests += 1;
    const held = this.tokenGate.pass();
    if (held !== null) await held;
    await sleep(this.options.tokenLatencyMs);
    if (this.failTokenWith !== null) {
      this.counters.tokenFailures += 1;
      return { status: this.failTokenWith, headers: {}, data: { error: 'server_error' } };
    }
    return { status: 200, headers: { 'cache-control': 'no-store' }, data: this.authority.issue() };
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
