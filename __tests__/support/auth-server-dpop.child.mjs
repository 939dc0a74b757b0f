// oidc-provider with sender-constrained tokens and key-based client authentication (issue 11): DPoP with nonces
// required at the token endpoint, clients for private_key_jwt (ES256, RS256), client_secret_jwt, and one that accepts
// only the token endpoint as the assertion's aud (as Entra ID does). A separate config from auth-server.child.mjs so
// that the shared one stays as it is. Started by auth-server-dpop.ts; configured entirely from env.
import http from 'node:http';
import Provider, { errors } from 'oidc-provider';
import { serveIpc } from './child-ipc.mjs';

const config = JSON.parse(process.env.AUTH_SERVER_CONFIG);
const RESOURCE = config.resource;
const SCOPE = config.scope;
const stats = { grants: 0, grantErrors: 0, errors: [] };

const server = http.createServer();
server.keepAliveTimeout = 1000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: config.clients,
  jwks: { keys: [config.signingKey] },
  cookies: { keys: [config.cookieKey] },
  findAccount: (_ctx, accountId) => ({ accountId, claims: async () => ({ sub: accountId }) }),
  scopes: ['openid', 'offline_access', ...SCOPE.split(' ')],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    revocation: { enabled: true },
    // RFC 9449 with server nonces: the first token request of a client gets 400 use_dpop_nonce.
    dPoP: { enabled: true, nonceSecret: Buffer.from(config.nonceSecret, 'base64url'), requireNonce: () => true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: SCOPE,
        audience: RESOURCE,
        accessTokenTTL: config.accessTokenTtlSeconds,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  // Entra ID accepts only its token endpoint as the aud of a client assertion; emulate that for one client.
  async assertJwtClientAuthClaimsAndHeader(ctx, claims, _header, client) {
    if (client.clientId === config.tokenEndpointAudOnly && claims.aud !== `${ctx.oidc.issuer}/token`) {
      throw new errors.InvalidClientAuth('aud must be the token endpoint');
    }
  },
});
provider.on('grant.success', () => stats.grants++);
provider.on('grant.error', (_ctx, error) => {
  stats.grantErrors++;
  stats.errors.push(String(error.error_description ?? error.message));
});
provider.on('server_error', () => undefined);
server.on('request', provider.callback());

serveIpc(port, { stats: () => ({ ...stats }) });
