// oidc-provider configured for the sign-in flows (issue 12): its built-in login and consent pages (devInteractions)
// for the authorization code flow in a real browser, and the device flow with a test-only approval over IPC.
// A separate config from auth-server.child.mjs, so the shared server keeps its shape.
import http from 'node:http';
import { createLocalJWKSet, jwtVerify } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { serveIpc } from './child-ipc.mjs';

const config = JSON.parse(process.env.SIGN_IN_SERVER_CONFIG);
const RESOURCE = config.resource;
const SCOPE = config.scope;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

const server = http.createServer();
server.keepAliveTimeout = 1000;
await new Promise((resolve, reject) => {
  server.once('error', reject);
  server.listen(0, '127.0.0.1', resolve);
});
const { port } = server.address();
const issuer = `http://127.0.0.1:${port}`;
const provider = new Provider(issuer, {
  clients: [
    {
      client_id: 'cli',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // RFC 8252 §7.3: oidc-provider lets a native client's loopback redirect use any port.
      redirect_uris: ['http://127.0.0.1/callback'],
      scope: `openid offline_access ${SCOPE}`,
    },
    {
      client_id: 'exchanger',
      client_secret: config.exchangerSecret,
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: [TOKEN_EXCHANGE],
      response_types: [],
      redirect_uris: [],
      scope: SCOPE,
    },
    {
      client_id: 'tv',
      application_type: 'native',
      token_endpoint_auth_method: 'none',
      grant_types: [DEVICE_GRANT, 'refresh_token'],
      response_types: [],
      redirect_uris: [],
      scope: `openid offline_access ${SCOPE}`,
    },
    // A single-page app on webOrigin: a public web client (the in-page redirect flow of examples/browser-sign-in.ts).
    ...(config.webOrigin
      ? [
          {
            client_id: 'spa',
            application_type: 'web',
            token_endpoint_auth_method: 'none',
            grant_types: ['authorization_code', 'refresh_token'],
            response_types: ['code'],
            redirect_uris: [`${config.webOrigin}/callback`],
            scope: `openid offline_access ${SCOPE}`,
          },
        ]
      : []),
  ],
  jwks: { keys: [config.signingKey] },
  cookies: { keys: [config.cookieKey] },
  findAccount: (_ctx, accountId) => ({ accountId, claims: async () => ({ sub: accountId }) }),
  scopes: ['openid', 'offline_access', ...SCOPE.split(' ')],
  features: {
    devInteractions: { enabled: true },
    deviceFlow: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => ({
        scope: SCOPE,
        audience: RESOURCE,
        accessTokenTTL: 60,
        accessTokenFormat: 'jwt',
        jwt: { sign: { alg: 'RS256' } },
      }),
    },
  },
  ttl: { RefreshToken: 3600, Grant: 3600, DeviceCode: 600 },
});
provider.on('server_error', () => undefined);

// RFC 8693 through a registered grant (protocols.md §3): the subject token must be one of our JWT access tokens,
// verified with our own key; what the client sent is recorded for the test.
const publicJwk = { kty: config.signingKey.kty, n: config.signingKey.n, e: config.signingKey.e, kid: config.signingKey.kid, alg: 'RS256' };
const ourKeys = createLocalJWKSet({ keys: [publicJwk] });
const exchanges = [];
provider.registerGrantType(
  TOKEN_EXCHANGE,
  async (ctx) => {
    const { subject_token, subject_token_type, audience, requested_token_type, scope } = ctx.oidc.params;
    exchanges.push({ subject_token_type, audience, requested_token_type, scope, client: ctx.oidc.client.clientId });
    if (subject_token_type !== ACCESS_TOKEN_TYPE) throw new errors.InvalidRequest('unsupported subject_token_type');
    let subject;
    try {
      subject = (await jwtVerify(subject_token, ourKeys, { issuer, audience: RESOURCE })).payload;
    } catch {
      throw new errors.InvalidGrant('subject_token is not valid');
    }
    const at = new provider.ClientCredentials({ client: ctx.oidc.client, scope: scope ?? 'orders:read', extra: { act_for: subject.sub } });
    ctx.body = {
      access_token: await at.save(),
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: at.expiration,
      scope: at.scope,
    };
  },
  ['audience', 'resource', 'scope', 'requested_token_type', 'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type'],
  ['audience', 'resource'],
);

// What the client sent, for the tests; and a one-shot `slow_down` (oidc-provider never throws it itself).
const seen = { devicePolls: [], tokenGrants: [] };
let slowDownNext = false;
provider.use(async (ctx, next) => {
  // Only device polls run while a test sets the flag: the body need not be read to know it is one.
  if (slowDownNext && ctx.method === 'POST' && ctx.path === '/token') {
    slowDownNext = false;
    seen.devicePolls.push(Date.now());
    ctx.status = 400;
    ctx.body = { error: 'slow_down' };
    return;
  }
  await next();
});
const record = (ctx) => {
  const grantType = ctx.oidc?.params?.grant_type;
  seen.tokenGrants.push(grantType);
  if (grantType === DEVICE_GRANT) seen.devicePolls.push(Date.now());
};
provider.on('grant.success', record);
provider.on('grant.error', record);
server.on('request', provider.callback());

serveIpc(port, {
  // Approves a device code as if the user had typed it and consented (protocols.md §3).
  async approveDevice({ userCode, accountId = 'alice' }) {
    const code = await provider.DeviceCode.findByUserCode(userCode.toUpperCase().replace(/\W/g, ''));
    if (!code) throw new Error('no such user code');
    const grant = new provider.Grant({ accountId, clientId: code.clientId });
    grant.addOIDCScope('openid offline_access');
    grant.addResourceScope(RESOURCE, SCOPE);
    Object.assign(code, { accountId, grantId: await grant.save(), scope: `openid offline_access ${SCOPE}`, resource: RESOURCE });
    await code.save();
  },
  async denyDevice({ userCode }) {
    const code = await provider.DeviceCode.findByUserCode(userCode.toUpperCase().replace(/\W/g, ''));
    Object.assign(code, { error: 'access_denied', errorDescription: 'The user said no' });
    await code.save();
  },
  slowDownNext() {
    slowDownNext = true;
  },
  seen: () => seen,
  exchanges: () => exchanges,
});
