// oidc-provider configured for the sign-in flows (issue 12): its built-in login and consent pages (devInteractions)
// for the authorization code flow in a real browser, and the device flow with a test-only approval over IPC.
// A separate config from auth-server.child.mjs, so the shared server keeps its shape.
import http from 'node:http';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import Provider, { errors } from 'oidc-provider';
import { serveIpc } from './child-ipc.mjs';

const config = JSON.parse(process.env.SIGN_IN_SERVER_CONFIG);
const RESOURCE = config.resource;
const SCOPE = config.scope;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';
const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
const RESOURCE_SERVER = { scope: SCOPE, audience: RESOURCE, accessTokenTTL: 60, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } };

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
      // RFC 7523 §2.1 without client authentication: the assertion alone says who the service is.
      client_id: 'service',
      token_endpoint_auth_method: 'none',
      grant_types: [JWT_BEARER],
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
          {
            // A confidential web app that must push its authorization requests (RFC 9126 §6: per-client requirement).
            client_id: 'par-app',
            client_secret: config.parAppSecret,
            token_endpoint_auth_method: 'client_secret_basic',
            require_pushed_authorization_requests: true,
            grant_types: ['authorization_code'],
            response_types: ['code'],
            redirect_uris: [`${config.webOrigin}/callback`],
            scope: `openid ${SCOPE}`,
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
    // RFC 9126; the metadata then says require_pushed_authorization_requests for every client.
    pushedAuthorizationRequests: { enabled: true, requirePushedAuthorizationRequests: config.requirePushedAuthorizationRequests === true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => RESOURCE,
      useGrantedResource: () => true,
      getResourceServerInfo: () => RESOURCE_SERVER,
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

// RFC 7523 §2.1 / §3 through a registered grant: the assertion must be signed by a public key registered for its
// `iss` (ES256 or RS256), name this server as `aud` (issuer or token endpoint), carry `sub`, `iat`, `jti` and an
// `exp` at most an hour away, and its `jti` must be new (oidc-provider's own replay store, as for private_key_jwt).
const assertionKeys = new Map(Object.entries(config.assertionIssuers ?? {}).map(([iss, keys]) => [iss, createLocalJWKSet({ keys })]));
const jwtBearer = { accepted: [], refused: [] };
const MAX_ASSERTION_LIFETIME_SECONDS = 3600;
const CLOCK_TOLERANCE_SECONDS = 5;
provider.registerGrantType(
  JWT_BEARER,
  async (ctx) => {
    const refuse = (reason) => {
      jwtBearer.refused.push(reason);
      return new errors.InvalidGrant(`assertion refused: ${reason}`);
    };
    const { assertion, scope } = ctx.oidc.params;
    let unverified;
    try {
      unverified = decodeJwt(assertion);
    } catch {
      throw refuse('not a JWT');
    }
    const keys = assertionKeys.get(unverified.iss);
    if (!keys) throw refuse('unknown iss');
    let verified;
    try {
      verified = await jwtVerify(assertion, keys, {
        issuer: unverified.iss,
        audience: [issuer, `${issuer}/token`],
        algorithms: ['ES256', 'RS256'],
        requiredClaims: ['sub', 'iat', 'exp', 'jti'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
      });
    } catch (error) {
      throw refuse(String(error.code ?? 'invalid'));
    }
    const { payload: claims, protectedHeader: header } = verified;
    const now = Math.floor(Date.now() / 1000);
    if (
      claims.exp - claims.iat > MAX_ASSERTION_LIFETIME_SECONDS ||
      claims.exp > now + MAX_ASSERTION_LIFETIME_SECONDS + CLOCK_TOLERANCE_SECONDS
    ) {
      throw refuse('lives longer than an hour');
    }
    if (!(await provider.ReplayDetection.unique(claims.iss, claims.jti, claims.exp + CLOCK_TOLERANCE_SECONDS)))
      throw refuse('jti replayed');
    jwtBearer.accepted.push({
      alg: header.alg,
      kid: header.kid,
      iss: claims.iss,
      sub: claims.sub,
      aud: claims.aud,
      jti: claims.jti,
      lifetimeSeconds: claims.exp - claims.iat,
      client: ctx.oidc.client.clientId,
    });
    const at = new provider.ClientCredentials({ client: ctx.oidc.client, scope: scope ?? 'orders:read' });
    at.resourceServer = new provider.ResourceServer(RESOURCE, RESOURCE_SERVER); // a JWT the protected API verifies
    ctx.body = { access_token: await at.save(), token_type: 'Bearer', expires_in: at.expiration, scope: at.scope };
  },
  ['assertion', 'scope'],
);

// What the client sent, for the tests; and a one-shot `slow_down` (oidc-provider never throws it itself).
const seen = { devicePolls: [], tokenGrants: [], pushes: [] };
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
// Every pushed authorization request accepted (RFC 9126 §2.2: 201), by client.
provider.use(async (ctx, next) => {
  await next();
  if (ctx.method === 'POST' && ctx.path === '/request' && ctx.status === 201) seen.pushes.push(ctx.oidc?.client?.clientId);
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
  jwtBearer: () => jwtBearer,
});
