import { generateKeyPairSync } from 'node:crypto';
import { ErrorCode } from '../../lib/core/errors';
import { clientCredentials, refreshTokenGrant } from '../../lib/grants';
import { JWT_BEARER_ASSERTION_TYPE } from '../../lib/grants/client-assertion';
import { base64url } from '../../lib/jose/base64url';
import { startJoseCheck, type JoseCheck } from '../support/jose-check';
import { expectNoSecrets } from '../support/secrets-sweep';
import { REVOCATION_URL, TOKEN_URL, ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecJwk = ec.privateKey.export({ format: 'jwk' }) as JsonWebKey;
const ecPublic = ec.publicKey.export({ format: 'jwk' }) as JsonWebKey;
const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const rsaPublic = rsa.publicKey.export({ format: 'jwk' }) as JsonWebKey;
const SECRET = 'cs-jwt-S3cret-value-0123456789abcdef';
const pemBody = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

let jose: JoseCheck;
beforeAll(async () => {
  jose = await startJoseCheck();
});
afterAll(() => jose.stop());

let n = 0;
const nextIssuer = (): string => `https://jwt-op${++n}.example.com`;

interface Decoded {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
}

async function verified(body: Record<string, string>, jwk: JsonWebKey, alg: string): Promise<Decoded> {
  expect(body.client_assertion_type).toBe(JWT_BEARER_ASSERTION_TYPE);
  const { header, payload } = await jose.verify(body.client_assertion!, jwk, alg);
  return { header, claims: JSON.parse(payload) as Record<string, unknown> };
}

describe('private_key_jwt (RFC 7523 §2.2)', () => {
  it('sends a fresh signed assertion per request: iss = sub = client id, aud the token endpoint, exp ≤ 60 s, unique jti', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    const grant = clientCredentials({
      tokenUrl: TOKEN_URL,
      clientId: 'svc',
      authMethod: 'private_key_jwt',
      privateKey: ecJwk,
      keyId: 'k1',
      assertionHeader: { 'x5t#S256': 'thumb' },
      httpClient: http,
    });
    await grant(ctx());
    await grant(ctx());

    const [first, second] = mock.history.post.map((request) => form(request));
    expect(Object.keys(first!).sort()).toEqual(['client_assertion', 'client_assertion_type', 'client_id', 'grant_type']);
    expect(mock.history.post[0]!.headers?.Authorization).toBeUndefined();
    const a = await verified(first!, ecPublic, 'ES256');
    const b = await verified(second!, ecPublic, 'ES256');
    expect(a.header).toEqual({ kid: 'k1', 'x5t#S256': 'thumb', alg: 'ES256' });
    expect(a.claims).toMatchObject({ iss: 'svc', sub: 'svc', aud: TOKEN_URL });
    expect((a.claims.exp as number) - (a.claims.iat as number)).toBeLessThanOrEqual(60);
    expect(a.claims.jti).not.toBe(b.claims.jti);
    expect(first!.client_assertion).not.toBe(second!.client_assertion);
  });

  it('signs RS256 with a PKCS#8 PEM, PS256 when asked', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    const options = { tokenUrl: TOKEN_URL, clientId: 'svc', authMethod: 'private_key_jwt' as const, privateKey: rsaPem, httpClient: http };
    await clientCredentials(options)(ctx());
    await clientCredentials({ ...options, signingAlg: 'PS256' })(ctx());
    expect((await verified(form(mock.history.post[0]!), rsaPublic, 'RS256')).header.alg).toBe('RS256');
    expect((await verified(form(mock.history.post[1]!), rsaPublic, 'PS256')).header.alg).toBe('PS256');
  });

  it('signs every retry anew: a resent assertion would be refused as a replayed jti', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).replyOnce(503, '').onPost(TOKEN_URL).reply(200, tokenBody());
    const grant = clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'svc', privateKey: ecJwk, httpClient: http, retryDelayMs: 0 });
    await grant(ctx());
    const [first, second] = mock.history.post.map((request) => form(request).client_assertion);
    expect(mock.history.post).toHaveLength(2);
    expect(first).not.toBe(second);
  });

  it('uses the issuer as aud when discovered, the token endpoint when asked, for token and revocation alike', async () => {
    const issuer = nextIssuer();
    const { http, mock } = mockAuthServer();
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, {
      issuer,
      token_endpoint: `${issuer}/token`,
      revocation_endpoint: `${issuer}/revoke`,
      token_endpoint_auth_methods_supported: ['private_key_jwt'],
    });
    mock.onPost(`${issuer}/token`).reply(200, tokenBody({ refresh_token: 'rt-1' }));
    mock.onPost(`${issuer}/revoke`).reply(200, '');
    const byIssuer = refreshTokenGrant({ issuer, clientId: 'svc', privateKey: ecJwk, httpClient: http });
    const byEndpoint = refreshTokenGrant({
      issuer,
      clientId: 'svc',
      privateKey: ecJwk,
      assertionAudience: 'token-endpoint',
      httpClient: http,
    });
    const last = { accessToken: 'at-0', tokenType: 'Bearer', refreshToken: 'rt-0', obtainedAt: 0 };
    await byIssuer(ctx(last));
    await byIssuer.revoke!(last);
    await byEndpoint(ctx(last));
    await byEndpoint.revoke!(last);

    const auds = await Promise.all(mock.history.post.map(async (r) => (await verified(form(r), ecPublic, 'ES256')).claims.aud));
    expect(auds).toEqual([issuer, issuer, `${issuer}/token`, `${issuer}/token`]);
    expect(mock.history.post.map((r) => r.url)).toEqual([`${issuer}/token`, `${issuer}/revoke`, `${issuer}/token`, `${issuer}/revoke`]);
  });

  it('fails discovery, before any POST, when the server does not list private_key_jwt', async () => {
    const issuer = nextIssuer();
    const { http, mock } = mockAuthServer();
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, {
      issuer,
      token_endpoint: `${issuer}/token`,
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
    });
    const error = await rejectionOf(clientCredentials({ issuer, clientId: 'svc', privateKey: ecJwk, httpClient: http })(ctx()));
    expect(error).toMatchObject({ code: ErrorCode.DISCOVERY_FAILED });
    expect(error.message).toContain('private_key_jwt');
    expect(mock.history.post).toHaveLength(0);
  });

  it('keeps the assertion, the PEM body, the JWK d and the secret out of an error that echoes the request', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply((config) => [400, { error: 'invalid_client', error_description: `bad ${String(config.data)}` }]);
    const pem = await rejectionOf(clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'svc', privateKey: rsaPem, httpClient: http })(ctx()));
    const jwk = await rejectionOf(clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'svc', privateKey: ecJwk, httpClient: http })(ctx()));
    const hs = await rejectionOf(
      clientCredentials({ tokenUrl: TOKEN_URL, clientId: 'svc', clientSecret: SECRET, authMethod: 'client_secret_jwt', httpClient: http })(
        ctx(),
      ),
    );
    const assertions = mock.history.post.map((r) => form(r).client_assertion!);
    for (const error of [pem, jwk, hs]) {
      expect(error).toMatchObject({ code: ErrorCode.OAUTH_ERROR, error: 'invalid_client' });
      expectNoSecrets(error, [...assertions, pemBody(rsaPem).slice(64, 128), ecJwk.d!, SECRET]);
    }
  });
});

describe('client_secret_jwt', () => {
  it('signs HS256 over the secret and never sends the secret itself', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await clientCredentials({
      tokenUrl: TOKEN_URL,
      clientId: 'svc',
      clientSecret: SECRET,
      authMethod: 'client_secret_jwt',
      httpClient: http,
    })(ctx());
    const body = form(mock.history.post[0]!);
    expect(String(mock.history.post[0]!.data)).not.toContain(SECRET);
    expect(mock.history.post[0]!.headers?.Authorization).toBeUndefined();
    const { header, claims } = await verified(body, { kty: 'oct', k: base64url(new TextEncoder().encode(SECRET)) }, 'HS256');
    expect(header).toEqual({ alg: 'HS256' });
    expect(claims).toMatchObject({ iss: 'svc', sub: 'svc', aud: TOKEN_URL });
  });

  it('is what discovery picks for a client with a secret when the server lists only client_secret_jwt', async () => {
    const issuer = nextIssuer();
    const { http, mock } = mockAuthServer();
    mock.onGet(`${issuer}/.well-known/openid-configuration`).reply(200, {
      issuer,
      token_endpoint: `${issuer}/token`,
      token_endpoint_auth_methods_supported: ['client_secret_jwt', 'private_key_jwt'],
    });
    mock.onPost(`${issuer}/token`).reply(200, tokenBody());
    await clientCredentials({ issuer, clientId: 'svc', clientSecret: SECRET, httpClient: http })(ctx());
    const { claims } = await verified(form(mock.history.post[0]!), { kty: 'oct', k: base64url(new TextEncoder().encode(SECRET)) }, 'HS256');
    expect(claims.aud).toBe(issuer);
  });
});

describe('key-based client authentication options', () => {
  const base = { tokenUrl: TOKEN_URL, clientId: 'svc' };
  // The title names the message, not the options: a key generated per run in a title would differ between Stryker's
  // runs, so the mutation run could not find the test again.
  it.each([
    ['"options.privateKey" is required with authMethod \'private_key_jwt\'', { ...base, authMethod: 'private_key_jwt' }],
    ['"options.clientSecret" is required with authMethod \'client_secret_jwt\'', { ...base, authMethod: 'client_secret_jwt' }],
    [
      "\"options.keyId\" is only used with authMethod 'private_key_jwt' or 'client_secret_jwt'",
      { ...base, clientSecret: SECRET, keyId: 'k1' },
    ],
    ['"options.privateKey" is only used with', { ...base, clientSecret: SECRET, authMethod: 'client_secret_post', privateKey: ecJwk }],
    ['"options.privateKey" is an EC P-256 key, which cannot sign with RS256', { ...base, privateKey: ecJwk, signingAlg: 'RS256' }],
    ['"options.signingAlg" must be one of', { ...base, privateKey: ecJwk, signingAlg: 'none' }],
    ['"options.keyId" must be a non-empty string', { ...base, privateKey: ecJwk, keyId: '' }],
    ['"options.assertionHeader.alg" is set from the key', { ...base, privateKey: ecJwk, assertionHeader: { alg: 'none' } }],
    ['"options.assertionAudience" \'issuer\' needs "issuer"', { ...base, privateKey: ecJwk, assertionAudience: 'issuer' }],
    ["\"options.assertionAudience\" must be one of 'issuer', 'token-endpoint'", { ...base, privateKey: ecJwk, assertionAudience: 'aud' }],
    ['"options.privateKey" must be a private key', { ...base, privateKey: { kty: 'oct', k: 'abc' } }],
    ['"options.signingAlg" must be \'HS256\'', { ...base, clientSecret: SECRET, authMethod: 'client_secret_jwt', signingAlg: 'ES256' }],
  ])('refuses at creation: %s', (message, options) => {
    let error: unknown;
    try {
      clientCredentials(options as never);
    } catch (thrown) {
      error = thrown;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).toContain(message);
    expectNoSecrets(error, [ecJwk.d!, SECRET]);
  });

  it('names the client_assertion parameters as reserved in extraParams', () => {
    expect(() => clientCredentials({ ...base, privateKey: ecJwk, extraParams: { client_assertion: 'x' } })).toThrow(
      '"options.extraParams.client_assertion" is set by the grant',
    );
  });

  it('revokes with a fresh assertion at the given revocation URL', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(REVOCATION_URL).reply(200, '');
    const grant = clientCredentials({ ...base, revocationUrl: REVOCATION_URL, privateKey: ecJwk, httpClient: http });
    await grant.revoke!({ accessToken: 'at-live', tokenType: 'Bearer', obtainedAt: 0 });
    const { claims } = await verified(form(mock.history.post[0]!), ecPublic, 'ES256');
    expect(claims.aud).toBe(TOKEN_URL);
  });
});
