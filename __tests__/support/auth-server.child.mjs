// A real OAuth 2.0 / OpenID Connect authorization server (oidc-provider) for the integration tests and the demo.
// Started by auth-server.ts in a child process because oidc-provider is ESM-only; configured entirely from env.
import http from 'node:http';
import Provider from 'oidc-provider';
import { serveIpc } from './child-ipc.mjs';

const config = JSON.parse(process.env.AUTH_SERVER_CONFIG);
const RESOURCE = config.resource;
const SCOPE = config.scope;

const server = http.createServer();
server.keepAliveTimeout = 1000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(config.port, '127.0.0.1', resolve);
});
const { port } = server.address();
const provider = new Provider(`http://127.0.0.1:${port}`, {
  clients: config.clients,
  jwks: { keys: [config.signingKey] },
  cookies: { keys: [config.cookieKey] },
  findAccount: (_ctx, accountId) => ({ accountId, claims: async () => ({ sub: accountId }) }),
  scopes: ['openid', 'offline_access', ...SCOPE.split(' ')],
  features: {
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    revocation: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      // JWT access tokens, so the protected API verifies signature and expiry with the published JWKS.
      getResourceServerInfo: () => ({
        scope: SCOPE,
        audience: RESOURCE,
        accessTokenTTL: config.accessTokenTtlSeconds,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  rotateRefreshToken: config.refreshTokenRotation,
  ttl: { RefreshToken: 3600, Grant: 3600 },
});
// Errors are part of the tests (wrong secrets, reused refresh tokens); keep the child's output quiet.
provider.on('server_error', () => undefined);
server.on('request', provider.callback());

serveIpc(port, {
  // Mints a refresh token through the provider's own models, as if a user had just consented in a browser:
  // the tests then redeem it through the real refresh_token grant.
  async issueRefreshToken({ clientId, accountId = 'alice' }) {
    const client = await provider.Client.find(clientId);
    if (!client) throw new Error(`no client ${clientId}`);
    const grant = new provider.Grant({ accountId, clientId });
    grant.addOIDCScope('offline_access');
    grant.addResourceScope(RESOURCE, SCOPE);
    const grantId = await grant.save();
    const refreshToken = new provider.RefreshToken({
      accountId,
      client,
      grantId,
      gty: 'authorization_code',
      scope: `offline_access ${SCOPE}`,
      resource: RESOURCE,
    });
    return { refreshToken: await refreshToken.save() };
  },
});
