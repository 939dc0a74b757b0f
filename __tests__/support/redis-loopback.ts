import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/*
 * A token endpoint and an API on 127.0.0.1, for replicas in other processes. The token endpoint issues short-lived
 * tokens with single-use rotating refresh tokens and records every fetch: who asked and which access token the
 * new one replaces (header `x-replacing`). One refresh per expiry across processes means those fetches form a
 * single chain, each replacing the token the previous one issued.
 */

export interface Fetch {
  at: number;
  worker: string;
  grant: string;
  /** The access token this fetch replaces ('' on first use). */
  replacing: string;
  /** The access token it issued; '' when refused. */
  issued: string;
}

export interface LoopbackOptions {
  lifetimeSeconds: number;
  /** Issue (rotating) refresh tokens. Without them replicas use client credentials on every fetch. @default true */
  refreshTokens?: boolean;
}

export interface Loopback {
  readonly tokenUrl: string;
  readonly apiUrl: string;
  readonly fetches: Fetch[];
  readonly counters: { invalidGrant: number; inflight: number; maxInflight: number; api200: number; api401: number };
  /** Parks the next token request unanswered and resolves with the worker that sent it. */
  holdNextFetch(): Promise<string>;
  close(): Promise<void>;
}

/** The servers' state and the two handlers; `startLoopback()` puts them behind one HTTP server. */
class Authority {
  readonly fetches: Fetch[] = [];
  readonly counters = { invalidGrant: 0, inflight: 0, maxInflight: 0, api200: 0, api401: 0 };
  /** Set by `holdNextFetch()`: the next token request is parked and reported here instead of answered. */
  hold: ((worker: string) => void) | null = null;
  readonly #options: LoopbackOptions;
  readonly #expiresAt = new Map<string, number>();
  readonly #refresh = new Map<string, 'unused' | 'used'>();
  #sequence = 0;

  constructor(options: LoopbackOptions) {
    this.#options = options;
  }

  token(req: IncomingMessage, res: ServerResponse, body: string): void {
    const form = new URLSearchParams(body);
    const fetch: Fetch = {
      at: Date.now(),
      worker: header(req, 'x-worker'),
      grant: form.get('grant_type') ?? '',
      replacing: header(req, 'x-replacing'),
      issued: '',
    };
    this.fetches.push(fetch);
    if (fetch.grant === 'refresh_token') {
      const rt = form.get('refresh_token') ?? '';
      // RFC 9700 §4.14.2: a rotated refresh token is single-use; redeeming it twice is what replicas must avoid.
      if (this.#refresh.get(rt) !== 'unused') {
        this.counters.invalidGrant++;
        return send(res, 400, { error: 'invalid_grant' });
      }
      this.#refresh.set(rt, 'used');
    }
    const answer = this.#issue();
    fetch.issued = answer.access_token;
    send(res, 200, answer);
  }

  api(req: IncomingMessage, res: ServerResponse): void {
    const presented = /^Bearer (.+)$/.exec(header(req, 'authorization'))?.[1] ?? '';
    if (Date.now() < (this.#expiresAt.get(presented) ?? 0)) {
      this.counters.api200++;
      return send(res, 200, { ok: true });
    }
    this.counters.api401++;
    send(res, 401, { error: 'invalid_token' });
  }

  #issue(): { access_token: string; token_type: string; expires_in: number; refresh_token?: string } {
    const n = ++this.#sequence;
    const lifetimeSeconds = this.#options.lifetimeSeconds;
    this.#expiresAt.set(`at-${n}`, Date.now() + lifetimeSeconds * 1000);
    const answer = { access_token: `at-${n}`, token_type: 'Bearer', expires_in: lifetimeSeconds };
    if (this.#options.refreshTokens === false) return answer;
    this.#refresh.set(`rt-${n}`, 'unused');
    return { ...answer, refresh_token: `rt-${n}` };
  }
}

export async function startLoopback(options: LoopbackOptions): Promise<Loopback> {
  const authority = new Authority(options);
  const { counters } = authority;
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      if (req.url !== '/token') return authority.api(req, res);
      counters.inflight++;
      counters.maxInflight = Math.max(counters.maxInflight, counters.inflight);
      res.once('close', () => counters.inflight--);
      const hold = authority.hold;
      if (hold === null) return authority.token(req, res, body);
      authority.hold = null;
      hold(header(req, 'x-worker')); // parked: never answered; its socket closes when its process dies
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    tokenUrl: `${base}/token`,
    apiUrl: base,
    fetches: authority.fetches,
    counters,
    holdNextFetch: () => new Promise<string>((resolve) => (authority.hold = resolve)),
    close: () => closeServer(server),
  };
}

function header(req: IncomingMessage, name: string): string {
  const value = req.headers[name];
  return typeof value === 'string' ? value : '';
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve) => server.close(() => resolve()));
}
