import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { startChildService, type ChildService } from './child-service';
import type { ConfidentialClient } from './auth-server';

/*
 * The authorization server of auth-server.ts (the same oidc-provider child), configured for step-up (issue 10): one
 * API resource with the scopes `api:read api:write`, and two client-credentials clients:
 * - `full`: allowed `api:read api:write` (starts with `api:read`, may step up to `api:write`)
 * - `readOnly`: allowed `api:read` only (a step-up to `api:write` is answered `invalid_scope`)
 *
 *   const auth = await startScopeAuthServer();   // ... await auth.stop() in afterAll
 */

export interface ScopeAuthServer {
  readonly issuer: string;
  readonly tokenUrl: string;
  readonly jwksUrl: string;
  readonly resource: string;
  readonly clients: { full: ConfidentialClient; readOnly: ConfidentialClient };
  stop(): Promise<void>;
}

const CHILD = path.join(__dirname, 'auth-server.child.mjs');
const RESOURCE = 'urn:axios-oauth-lock:scoped-api';

export async function startScopeAuthServer(): Promise<ScopeAuthServer> {
  const clients = {
    full: { clientId: 'cc-api-full', clientSecret: secret() },
    readOnly: { clientId: 'cc-api-read', clientSecret: secret() },
  };
  const client = ({ clientId, clientSecret }: ConfidentialClient, scope: string): Record<string, unknown> => ({
    client_id: clientId,
    client_secret: clientSecret,
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['client_credentials'],
    response_types: [],
    redirect_uris: [],
    scope,
  });
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const config = {
    port: 0,
    accessTokenTtlSeconds: 300,
    refreshTokenRotation: true,
    resource: RESOURCE,
    scope: 'api:read api:write',
    signingKey: { ...privateKey.export({ format: 'jwk' }), kid: `k-${secret().slice(0, 8)}`, use: 'sig', alg: 'RS256' },
    cookieKey: secret(),
    clients: [client(clients.full, 'api:read api:write'), client(clients.readOnly, 'api:read')],
  };
  const child: ChildService = await startChildService(CHILD, { AUTH_SERVER_CONFIG: JSON.stringify(config) });
  const issuer = `http://127.0.0.1:${child.port}`;
  return { issuer, tokenUrl: `${issuer}/token`, jwksUrl: `${issuer}/jwks`, resource: RESOURCE, clients, stop: () => child.stop() };
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}
