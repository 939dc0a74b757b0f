import { generateKeyPairSync, randomBytes } from 'node:crypto';
import path from 'node:path';
import { startChildService } from './child-service';

/*
 * oidc-provider configured for issue 11 (auth-server-dpop.child.mjs), and a DPoP resource server (dpop-api.child.mjs):
 *
 *   const auth = await startDPoPAuthServer();
 *   clientCredentials({ issuer: auth.issuer, ...auth.clients.dpop })                  // DPoP-bound, nonces required
 *   clientCredentials({ issuer: auth.issuer, clientId: auth.clients.es256.clientId, privateKey: auth.clients.es256.privateKey })
 *   await auth.stats()   // { grants, grantErrors, errors }
 *   const api = await startDPoPApi(auth);  // api.baseURL, api.stats()
 */

const RESOURCE = 'urn:axios-oauth-lock:dpop-api';
const SCOPE = 'orders:read';

export interface KeyClient {
  clientId: string;
  /** The private JWK (ES256/RS256) the client signs its assertions with. */
  privateKey: JsonWebKey;
  keyId: string;
}

export interface DPoPAuthServer {
  readonly issuer: string;
  readonly jwksUrl: string;
  readonly resource: string;
  readonly clients: {
    dpop: { clientId: string; clientSecret: string };
    es256: KeyClient;
    rs256: KeyClient;
    hs256: { clientId: string; clientSecret: string };
    /** Accepts only the token endpoint as aud, as Entra ID. */
    endpointAud: KeyClient;
  };
  stats(): Promise<{ grants: number; grantErrors: number; errors: string[] }>;
  stop(): Promise<void>;
}

export interface DPoPApi {
  readonly baseURL: string;
  stats(): Promise<{
    requests: number;
    accepted: number;
    nonceChallenges: number;
    rejected: number;
    reasons: Record<string, number>;
    replayedProofs: number;
    distinctTokens: number;
  }>;
  rotateNonce(): Promise<void>;
  /** Refuses every token accepted so far, as if it had been revoked. */
  revokeSeenTokens(): Promise<void>;
  stop(): Promise<void>;
}

function keyClient(clientId: string, type: 'ec' | 'rsa'): KeyClient {
  const pair = type === 'ec' ? generateKeyPairSync('ec', { namedCurve: 'P-256' }) : generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { clientId, privateKey: pair.privateKey.export({ format: 'jwk' }), keyId: `${clientId}-k1` };
}

function publicJwk({ privateKey, keyId }: KeyClient, alg: string): Record<string, unknown> {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub } = privateKey;
  return { ...pub, kid: keyId, alg, use: 'sig' };
}

export async function startDPoPAuthServer(options: { accessTokenTtlSeconds?: number } = {}): Promise<DPoPAuthServer> {
  const clients: DPoPAuthServer['clients'] = {
    dpop: { clientId: 'dpop-cc', clientSecret: secret() },
    es256: keyClient('pkjwt-es256', 'ec'),
    rs256: keyClient('pkjwt-rs256', 'rsa'),
    hs256: { clientId: 'csjwt', clientSecret: secret() + secret() },
    endpointAud: keyClient('pkjwt-endpoint-aud', 'ec'),
  };
  const base = { grant_types: ['client_credentials'], response_types: [], redirect_uris: [], scope: SCOPE };
  const keyClientMetadata = (client: KeyClient, alg: string) => ({
    ...base,
    client_id: client.clientId,
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: alg,
    jwks: { keys: [publicJwk(client, alg)] },
  });
  const config = {
    accessTokenTtlSeconds: options.accessTokenTtlSeconds ?? 300,
    resource: RESOURCE,
    scope: SCOPE,
    signingKey: {
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }),
      kid: 'as-1',
      use: 'sig',
      alg: 'RS256',
    },
    cookieKey: secret(),
    nonceSecret: randomBytes(32).toString('base64url'),
    tokenEndpointAudOnly: clients.endpointAud.clientId,
    clients: [
      { ...base, client_id: clients.dpop.clientId, client_secret: clients.dpop.clientSecret, dpop_bound_access_tokens: true },
      keyClientMetadata(clients.es256, 'ES256'),
      keyClientMetadata(clients.rs256, 'RS256'),
      keyClientMetadata(clients.endpointAud, 'ES256'),
      {
        ...base,
        client_id: clients.hs256.clientId,
        client_secret: clients.hs256.clientSecret,
        token_endpoint_auth_method: 'client_secret_jwt',
        token_endpoint_auth_signing_alg: 'HS256',
      },
    ],
  };
  const child = await startChildService(path.join(__dirname, 'auth-server-dpop.child.mjs'), { AUTH_SERVER_CONFIG: JSON.stringify(config) });
  const issuer = `http://127.0.0.1:${child.port}`;
  return {
    issuer,
    jwksUrl: `${issuer}/jwks`,
    resource: RESOURCE,
    clients,
    stats: () => child.call('stats'),
    stop: () => child.stop(),
  };
}

export async function startDPoPApi(auth: DPoPAuthServer): Promise<DPoPApi> {
  const child = await startChildService(path.join(__dirname, 'dpop-api.child.mjs'), {
    DPOP_API_CONFIG: JSON.stringify({ issuer: auth.issuer, jwksUrl: auth.jwksUrl, audience: auth.resource }),
  });
  return {
    baseURL: `http://127.0.0.1:${child.port}`,
    stats: () => child.call('stats'),
    rotateNonce: async () => {
      await child.call('rotateNonce');
    },
    revokeSeenTokens: async () => {
      await child.call('revokeSeenTokens');
    },
    stop: () => child.stop(),
  };
}

function secret(): string {
  return randomBytes(24).toString('base64url');
}
