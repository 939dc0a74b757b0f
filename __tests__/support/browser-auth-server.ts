import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDPoPChecker } from './browser-dpop-check';

/*
 * The loopback origin the browser tests open in every tab: the test app, a token endpoint with single-use rotating
 * refresh tokens (RFC 9700 §4.14.2: redeeming a consumed one answers invalid_grant and revokes the whole family, as
 * real servers do), and an API that accepts only current access tokens. Its clock can be set, so that a test decides
 * when tokens expire and counts refreshes per expiry exactly.
 */

export interface BrowserAuthServerOptions {
  /** The bundled test app, served at `/app.js`. */
  appScript: string;
  /** Access-token lifetime. */
  accessTokenTtlSeconds: number;
  /**
   * DPoP-bound tokens (RFC 9449): the token endpoint and the API require a valid proof, a family is bound to the
   * key of the first refresh's proof (§5: a public client's refresh token is bound too), tokens are `DPoP`.
   */
  dpop?: boolean;
}

export interface BrowserAuthServer {
  /** `http://127.0.0.1:<port>`: the page's origin, the API's and the token endpoint's. */
  readonly origin: string;
  /** What the token endpoint and the API saw. */
  readonly stats: {
    refreshes: number;
    invalidGrants: number;
    apiOk: number;
    api401: number;
    /** With `dpop`: the key thumbprints of accepted API proofs, by the `x-tab` header of the request. */
    proofKeys: Record<string, string[]>;
    /** With `dpop`: why proofs were refused. */
    dpopErrors: string[];
  };
  /** Signs a user in: a new token family, as a login page would get it (RFC 6749 §5.1 JSON). */
  login(): TokenResponse;
  /** Sets the server's clock (epoch ms) for expiry checks, or `null` for the real clock. */
  setClock(now: number | null): void;
  close(): Promise<void>;
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer' | 'DPoP';
  expires_in: number;
  refresh_token: string;
}

interface Family {
  revoked: boolean;
  /** The one refresh token that may be redeemed next; every earlier one is consumed. */
  refreshToken: string;
  /** With DPoP: the thumbprint of the key the family is bound to, from its first refresh. */
  jkt?: string;
}

/** The token families: rotation, reuse detection, and which access tokens are current at `now()`. */
function createAuthority(ttlSeconds: number, now: () => number, tokenType: TokenResponse['token_type']) {
  const accessTokens = new Map<string, { family: Family; expiresAt: number }>();
  const refreshTokens = new Map<string, Family>();
  const issue = (family: Family): TokenResponse => {
    const access = randomBytes(12).toString('hex');
    family.refreshToken = randomBytes(12).toString('hex');
    refreshTokens.set(family.refreshToken, family);
    accessTokens.set(access, { family, expiresAt: now() + ttlSeconds * 1000 });
    return { access_token: access, token_type: tokenType, expires_in: ttlSeconds, refresh_token: family.refreshToken };
  };
  return {
    login: () => issue({ revoked: false, refreshToken: '' }),
    /** The next token of the family, or `null` (invalid_grant). */
    redeem(refreshToken: string | null, jkt?: string): TokenResponse | null {
      const family = refreshToken === null ? undefined : refreshTokens.get(refreshToken);
      if (family === undefined || family.revoked) return null;
      if (jkt !== undefined && (family.jkt ??= jkt) !== jkt) return null; // RFC 9449 §5: another key's refresh token
      if (family.refreshToken !== refreshToken) {
        family.revoked = true; // reuse of a rotated-out refresh token: assume theft, end the session
        return null;
      }
      return issue(family);
    },
    isCurrent(access: string | undefined, jkt?: string): boolean {
      const record = access === undefined ? undefined : accessTokens.get(access);
      return record !== undefined && !record.family.revoked && now() < record.expiresAt && record.family.jkt === jkt;
    },
  };
}

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;

function routes(
  appScript: string,
  authority: ReturnType<typeof createAuthority>,
  stats: BrowserAuthServer['stats'],
  checkProof: ReturnType<typeof createDPoPChecker> | null,
): Record<string, Handler> {
  /** The thumbprint of the request's valid proof; `undefined` without DPoP; `null` (and counted) when it is refused. */
  const proofKey = (req: IncomingMessage, accessToken?: string): string | null | undefined => {
    if (checkProof === null) return undefined;
    const checked = checkProof(req, accessToken);
    if ('jkt' in checked) return checked.jkt;
    stats.dpopErrors.push(checked.error);
    return null;
  };
  const scheme = checkProof === null ? 'Bearer' : 'DPoP';
  return {
    'GET /': (_req, _body, res) => send(res, 200, '<!doctype html><meta charset="utf-8"><script src="/app.js"></script>', 'text/html'),
    'GET /app.js': (_req, _body, res) => send(res, 200, appScript, 'text/javascript'),
    'POST /token': (req, body, res) => {
      const form = new URLSearchParams(body);
      const jkt = proofKey(req);
      const token = form.get('grant_type') === 'refresh_token' && jkt !== null ? authority.redeem(form.get('refresh_token'), jkt) : null;
      stats[token === null ? 'invalidGrants' : 'refreshes']++;
      if (token === null) return send(res, 400, JSON.stringify({ error: 'invalid_grant' }), 'application/json');
      send(res, 200, JSON.stringify(token), 'application/json', { 'cache-control': 'no-store' });
    },
    'GET /api/orders': (req, _body, res) => {
      const access = new RegExp(`^${scheme} (\\S+)$`).exec(req.headers.authorization ?? '')?.[1];
      const jkt = access === undefined ? null : proofKey(req, access);
      const valid = jkt !== null && authority.isCurrent(access, jkt);
      stats[valid ? 'apiOk' : 'api401']++;
      if (!valid)
        return send(res, 401, '{"error":"invalid_token"}', 'application/json', { 'www-authenticate': `${scheme} error="invalid_token"` });
      if (jkt !== undefined) {
        const keys = (stats.proofKeys[String(req.headers['x-tab'])] ??= []);
        if (!keys.includes(jkt)) keys.push(jkt);
      }
      send(res, 200, '{"orders":[]}', 'application/json');
    },
  };
}

export async function startBrowserAuthServer(options: BrowserAuthServerOptions): Promise<BrowserAuthServer> {
  const stats = { refreshes: 0, invalidGrants: 0, apiOk: 0, api401: 0, proofKeys: {}, dpopErrors: [] };
  let clock: number | null = null;
  let origin = '';
  const authority = createAuthority(options.accessTokenTtlSeconds, () => clock ?? Date.now(), options.dpop === true ? 'DPoP' : 'Bearer');
  const checkProof = options.dpop === true ? createDPoPChecker(() => origin) : null;
  const handlers = routes(options.appScript, authority, stats, checkProof);
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const handler = handlers[`${req.method} ${new URL(req.url ?? '/', 'http://x').pathname}`];
      if (handler === undefined) send(res, 404, 'not found', 'text/plain');
      else handler(req, body, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    stats,
    login: authority.login,
    setClock: (value) => void (clock = value),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function send(res: ServerResponse, status: number, body: string, type: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': type, ...headers });
  res.end(body);
}
