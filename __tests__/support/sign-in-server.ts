import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { startChildService } from './child-service';

/*
 * oidc-provider for the sign-in flows (issue 12), on 127.0.0.1:
 * - client `cli`: public, native, loopback redirect (any port), authorization code + PKCE, its built-in login and
 *   consent pages (devInteractions: any login and password sign in);
 * - client `tv`: public, device flow; `approveDevice(userCode)` / `denyDevice(userCode)` stand for the user;
 * - client `exchanger`: confidential, RFC 8693 token exchange through `registerGrantType` (subject: our JWT ATs);
 * - client `service`: public, RFC 7523 JWT bearer grant through `registerGrantType`; the assertion is verified with
 *   the public keys registered per `iss` (`assertionIssuers`), its lifetime (≤ 1 h) and its `jti` (once only);
 * - client `spa` (with `webOrigin`): a public web app, redirect URI `<webOrigin>/callback`; oidc-provider's default
 *   `clientBasedCORS` lets that origin call the token endpoint (a public client's redirect URI origins);
 * - client `par-app` (with `webOrigin`): confidential (client_secret_basic), same redirect URI, and must push its
 *   authorization requests (RFC 9126 `require_pushed_authorization_requests`).
 * Access tokens are RS256 JWTs for `resource`, verifiable with `startProtectedApi({ issuer, jwksUrl, audience })`.
 */

export interface SignInServer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly resource: string;
  readonly scope: string;
  /** A confidential client allowed the RFC 8693 token exchange grant (registered with `registerGrantType`). */
  readonly exchanger: { clientId: string; clientSecret: string };
  /** The confidential client that must push its authorization requests (with `webOrigin`). */
  readonly parApp: { clientId: string; clientSecret: string };
  /** What each token exchange request carried (no tokens). */
  exchanges(): Promise<Array<Record<string, string | undefined>>>;
  jwtBearer(): Promise<JwtBearerLog>;
  approveDevice(userCode: string): Promise<void>;
  denyDevice(userCode: string): Promise<void>;
  /** The next device-code poll is answered `slow_down`. */
  slowDownNext(): Promise<void>;
  /** Epoch ms of each device-code poll, the grant_type of every token request, the client of every accepted push. */
  seen(): Promise<{ devicePolls: number[]; tokenGrants: string[]; pushes: string[] }>;
  stop(): Promise<void>;
}

const RESOURCE = 'urn:axios-oauth-lock:api';
const SCOPE = 'orders:read orders:write';

export interface SignInServerOptions {
  /** The origin of a browser app signing in with the redirect flow: registers client `spa` for it. @default none */
  webOrigin?: string;
  /** The server takes only pushed authorization requests, and its metadata says so (RFC 9126 §5). @default false */
  requirePushedAuthorizationRequests?: boolean;
  /** Public JWKs (with `kid` and `alg`) that may sign JWT bearer assertions, per `iss`. @default none */
  assertionIssuers?: Record<string, JsonWebKey[]>;
}

/** What the JWT bearer grant accepted (the verified header and claims) and why it refused the others. */
export interface JwtBearerLog {
  accepted: Array<{
    alg: string;
    kid?: string;
    iss: string;
    sub: string;
    aud: string | string[];
    jti: string;
    lifetimeSeconds: number;
    client: string;
  }>;
  refused: string[];
}

export async function startSignInServer(options: SignInServerOptions = {}): Promise<SignInServer> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const config = {
    resource: RESOURCE,
    scope: SCOPE,
    signingKey: { ...privateKey.export({ format: 'jwk' }), kid: 'sign-in-k1', use: 'sig', alg: 'RS256' },
    cookieKey: randomBytes(24).toString('base64url'),
    exchangerSecret: randomBytes(24).toString('base64url'),
    webOrigin: options.webOrigin,
    assertionIssuers: options.assertionIssuers,
    parAppSecret: randomBytes(24).toString('base64url'),
    requirePushedAuthorizationRequests: options.requirePushedAuthorizationRequests,
  };
  const child = await startChildService(path.join(__dirname, 'sign-in-server.child.mjs'), {
    SIGN_IN_SERVER_CONFIG: JSON.stringify(config),
  });
  const issuer = `http://127.0.0.1:${child.port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    exchanger: { clientId: 'exchanger', clientSecret: config.exchangerSecret },
    parApp: { clientId: 'par-app', clientSecret: config.parAppSecret },
    exchanges: () => child.call('exchanges'),
    jwtBearer: () => child.call('jwtBearer'),
    resource: RESOURCE,
    scope: SCOPE,
    approveDevice: async (userCode) => void (await child.call('approveDevice', { userCode })),
    denyDevice: async (userCode) => void (await child.call('denyDevice', { userCode })),
    slowDownNext: async () => void (await child.call('slowDownNext')),
    seen: () => child.call('seen'),
    stop: () => child.stop(),
  };
}
