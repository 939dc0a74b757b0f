import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { startChildService, type ChildService } from './child-service';

/*
 * A real OAuth 2.0 authorization server (oidc-provider v9) on 127.0.0.1, for the integration tests and `npm run demo`.
 *
 *   const auth = await startAuthServer({ accessTokenTtlSeconds: 2 });
 *   clientCredentials({ tokenUrl: auth.tokenUrl, ...auth.clients.basic, scope: auth.scope })   // by URL
 *   clientCredentials({ issuer: auth.issuer, ...auth.clients.post, authMethod: 'client_secret_post' })  // discovery
 *   const refreshToken = await auth.issueRefreshToken();   // as if a user had consented (client `clients.refresh`)
 *   await auth.restart();   // same port, keys and clients; in-memory grants and refresh tokens are lost
 *   await auth.stop();      // always, in afterAll: the server runs in a child process
 *
 * Access tokens are RS256 JWTs for the audience `auth.resource`, signed with a key published at `auth.jwksUrl`, and
 * expire after `accessTokenTtlSeconds`. Plain http is fine: the grants allow loopback hosts without TLS.
 * To make the API reject the current access token (the 401 path), use `startProtectedApi().revokeSeenTokens()`:
 * JWT access tokens are checked by the API itself, so that is where a revocation has to take effect.
 *
 * Clients (secrets are random per server):
 * - `basic`:   client_credentials, authenticates with client_secret_basic
 * - `post`:    client_credentials, authenticates with client_secret_post
 * - `refresh`: refresh_token (+ authorization_code), client_secret_basic; use with `issueRefreshToken()`
 */

export interface AuthServerOptions {
  /** Lifetime of access tokens. @default 60 */
  accessTokenTtlSeconds?: number;
  /** Issue a new refresh token on every refresh and reject the old one (RFC 9700 §4.14.2). @default true */
  refreshTokenRotation?: boolean;
  /** @default 0 (a free port) */
  port?: number;
}

export interface ConfidentialClient {
  clientId: string;
  clientSecret: string;
}

export interface AuthServer {
  /** `http://127.0.0.1:<port>`; its discovery document is at `/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly revocationUrl: string;
  readonly jwksUrl: string;
  /** The audience of every access token (RFC 8707 resource). */
  readonly resource: string;
  /** Every scope a client may ask for, space-delimited. */
  readonly scope: string;
  readonly clients: { basic: ConfidentialClient; post: ConfidentialClient; refresh: ConfidentialClient };
  /** A fresh refresh token for `clients.refresh` (or the given client), for user `alice`. */
  issueRefreshToken(clientId?: string): Promise<string>;
  /** Stops the server and starts it again on the same port with the same keys and clients. */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

const CHILD = path.join(__dirname, 'auth-server.child.mjs');
const RESOURCE = 'urn:axios-oauth-lock:api';
const SCOPE = 'orders:read orders:write';

export async function startAuthServer(options: AuthServerOptions = {}): Promise<AuthServer> {
  const clients = {
    basic: { clientId: 'cc-basic', clientSecret: secret() },
    post: { clientId: 'cc-post', clientSecret: secret() },
    refresh: { clientId: 'rt-client', clientSecret: secret() },
  };
  const config = {
    port: options.port ?? 0,
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 60,
    refreshTokenRotation: options.refreshTokenRotation ?? true,
    resource: RESOURCE,
    scope: SCOPE,
    signingKey: signingKey(),
    cookieKey: secret(),
    clients: clientMetadata(clients),
  };
  let child: ChildService = await startChildService(CHILD, { AUTH_SERVER_CONFIG: JSON.stringify(config) });
  config.port = child.port;
  const issuer = `http://127.0.0.1:${child.port}`;
  return {
    issuer,
    tokenUrl: `${issuer}/token`,
    revocationUrl: `${issuer}/token/revocation`,
    jwksUrl: `${issuer}/jwks`,
    resource: RESOURCE,
    scope: SCOPE,
    clients,
    async issueRefreshToken(clientId = clients.refresh.clientId) {
      const answer = await child.call<{ refreshToken: string }>('issueRefreshToken', { clientId });
      return answer.refreshToken;
    },
    async restart() {
      await child.stop();
      child = await startChildService(CHILD, { AUTH_SERVER_CONFIG: JSON.stringify(config) });
    },
    stop: () => child.stop(),
  };
}

function clientMetadata(clients: AuthServer['clients']): Record<string, unknown>[] {
  const confidential = (client: ConfidentialClient, method: string, grantTypes: string[]): Record<string, unknown> => ({
    client_id: client.clientId,
    client_secret: client.clientSecret,
    token_endpoint_auth_method: method,
    grant_types: grantTypes,
    scope: SCOPE,
  });
  const noRedirects = { response_types: [], redirect_uris: [] };
  return [
    { ...confidential(clients.basic, 'client_secret_basic', ['client_credentials']), ...noRedirects },
    { ...confidential(clients.post, 'client_secret_post', ['client_credentials']), ...noRedirects },
    {
      ...confidential(clients.refresh, 'client_secret_basic', ['authorization_code', 'refresh_token']),
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/callback'],
    },
  ];
}

function signingKey(): Record<string, unknown> {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...privateKey.export({ format: 'jwk' }), kid: `k-${secret().slice(0, 8)}`, use: 'sig', alg: 'RS256' };
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}
