import { generateKeyPairSync, webcrypto } from 'node:crypto';
import { jwtBearerGrant } from '../../lib/index.js';
import { startJoseCheck, type JoseCheck } from '../support/jose-check';
import { expectNoSecrets } from '../support/secrets-sweep';
import { ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPem = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const rsaPublic = rsa.publicKey.export({ format: 'jwk' }) as JsonWebKey;
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecJwk = ec.privateKey.export({ format: 'jwk' }) as JsonWebKey;
const ecPublic = ec.publicKey.export({ format: 'jwk' }) as JsonWebKey;
const pemBody = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
const KEY_SECRETS = [pemBody(rsaPem), ecJwk.d!];

const GOOGLE_TOKEN = 'https://oauth2.googleapis.com/token';
const SA = 'robot@project.iam.gserviceaccount.com';
const SCOPE = 'https://www.googleapis.com/auth/cloud-platform';

let jose: JoseCheck;
beforeAll(async () => {
  jose = await startJoseCheck();
});
afterAll(() => jose.stop());

function google(extra: Record<string, unknown> = {}) {
  const { http, mock } = mockAuthServer();
  const grant = jwtBearerGrant({
    tokenUrl: GOOGLE_TOKEN,
    clientId: SA,
    httpClient: http,
    maxRetries: 0,
    privateKey: rsaPem,
    keyId: 'key-file-private-key-id',
    claims: { iss: SA, sub: 'user@example.com', aud: GOOGLE_TOKEN, scope: SCOPE, target_audience: 'https://run.example' },
    ...extra,
  });
  return { grant, mock };
}

async function assertionOf(body: Record<string, string>, jwk: JsonWebKey, alg: string) {
  expect(body.grant_type).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
  const { header, payload } = await jose.verify(body.assertion!, jwk, alg);
  return { header, claims: JSON.parse(payload) as Record<string, unknown> };
}

describe('jwtBearerGrant with a key and claims (RFC 7523 §2.1)', () => {
  it('signs a fresh assertion per token request from a PKCS#8 PEM, as a Google service account: the claims, new jti, iat, exp = iat + 3600', async () => {
    const { grant, mock } = google();
    mock.onPost(GOOGLE_TOKEN).reply(200, tokenBody());
    const before = Math.floor(Date.now() / 1000);
    await grant(ctx());
    await grant(ctx());
    const after = Math.floor(Date.now() / 1000);
    expect(mock.history.post).toHaveLength(2);
    const [first, second] = mock.history.post.map((request) => form(request));
    expect(Object.keys(first!).sort()).toEqual(['assertion', 'client_id', 'grant_type']);
    const a = await assertionOf(first!, rsaPublic, 'RS256');
    const b = await assertionOf(second!, rsaPublic, 'RS256');
    expect(a.header).toEqual({ typ: 'JWT', kid: 'key-file-private-key-id', alg: 'RS256' });
    expect(a.claims).toEqual({
      iss: SA,
      sub: 'user@example.com',
      aud: GOOGLE_TOKEN,
      scope: SCOPE,
      target_audience: 'https://run.example',
      jti: expect.any(String),
      iat: expect.any(Number),
      exp: expect.any(Number),
    });
    for (const { claims } of [a, b]) {
      expect(claims.iat).toBeGreaterThanOrEqual(before);
      expect(claims.iat).toBeLessThanOrEqual(after);
      expect(claims.exp).toBe((claims.iat as number) + 3600);
    }
    expect(a.claims.jti).not.toBe(b.claims.jti);
    expect(first!.assertion).not.toBe(second!.assertion);
  });

  it('signs with a private JWK or a CryptoKey, with signingAlg and assertionLifetimeSeconds', async () => {
    const jwkGrant = google({ privateKey: ecJwk, keyId: undefined, assertionLifetimeSeconds: 600 });
    jwkGrant.mock.onPost(GOOGLE_TOKEN).reply(200, tokenBody());
    await jwkGrant.grant(ctx());
    const fromJwk = await assertionOf(form(jwkGrant.mock.history.post[0]!), ecPublic, 'ES256');
    expect(fromJwk.header).toEqual({ typ: 'JWT', alg: 'ES256' });
    expect(fromJwk.claims.exp).toBe((fromJwk.claims.iat as number) + 600);

    const cryptoKey = await webcrypto.subtle.importKey(
      'pkcs8',
      rsa.privateKey.export({ type: 'pkcs8', format: 'der' }),
      { name: 'RSA-PSS', hash: 'SHA-256' },
      false,
      ['sign'],
    );
    const keyGrant = google({ privateKey: cryptoKey, signingAlg: 'PS256' });
    keyGrant.mock.onPost(GOOGLE_TOKEN).reply(200, tokenBody());
    await keyGrant.grant(ctx());
    const fromKey = await assertionOf(form(keyGrant.mock.history.post[0]!), rsaPublic, 'PS256');
    expect(fromKey.header.alg).toBe('PS256');
  });

  it('with authMethod private_key_jwt the same key signs a client assertion as well', async () => {
    const { grant, mock } = google({ authMethod: 'private_key_jwt' });
    mock.onPost(GOOGLE_TOKEN).reply(200, tokenBody());
    await grant(ctx());
    const body = form(mock.history.post[0]!);
    expect(body.client_assertion_type).toBe('urn:ietf:params:oauth:client-assertion-type:jwt-bearer');
    const client = JSON.parse((await jose.verify(body.client_assertion!, rsaPublic, 'RS256')).payload) as Record<string, unknown>;
    expect(client).toMatchObject({ iss: SA, sub: SA, aud: GOOGLE_TOKEN });
    await assertionOf(body, rsaPublic, 'RS256');
  });

  it('takes exactly one of assertion and privateKey, and checks the key form at creation', () => {
    const base = { tokenUrl: GOOGLE_TOKEN, clientId: SA };
    const claims = { iss: SA, aud: GOOGLE_TOKEN };
    const exactlyOne = '"options" must have exactly one of "assertion" and "privateKey"';
    expect(() => jwtBearerGrant(base)).toThrow(exactlyOne);
    expect(() => jwtBearerGrant({ ...base, assertion: () => 'a.b.c', privateKey: rsaPem, claims })).toThrow(exactlyOne);
    expect(() => jwtBearerGrant({ ...base, assertion: () => 'a.b.c', claims })).toThrow(
      '"options.claims" is only used with "options.privateKey", not "options.assertion"',
    );
    expect(() => jwtBearerGrant({ ...base, privateKey: rsaPem })).toThrow('"options.claims" must be an object');
    expect(() => jwtBearerGrant({ ...base, privateKey: rsaPem, claims: { iss: SA } as never })).toThrow(
      '"options.claims.aud" must be a non-empty string',
    );
    expect(() => jwtBearerGrant({ ...base, privateKey: rsaPem, claims: { ...claims, exp: 1 } })).toThrow(
      '"options.claims.exp" is set per token request',
    );
    for (const bad of [0, 3601, 1.5, '60']) {
      expect(() => jwtBearerGrant({ ...base, privateKey: rsaPem, claims, assertionLifetimeSeconds: bad as never })).toThrow(
        new RangeError('"options.assertionLifetimeSeconds" must be an integer from 1 to 3600'),
      );
    }
    expect(() => jwtBearerGrant({ ...base, privateKey: rsaPem, claims, signingAlg: 'HS256' })).toThrow(
      '"options.signingAlg" must be one of',
    );
    expect(() => jwtBearerGrant({ ...base, privateKey: 'not a pem', claims })).toThrow('"options.privateKey"');
  });

  it('keeps the key material out of every error: option errors and a refused assertion', async () => {
    const base = { tokenUrl: GOOGLE_TOKEN, clientId: SA, claims: { iss: SA, aud: GOOGLE_TOKEN } };
    const optionErrors = [
      () => jwtBearerGrant({ ...base, privateKey: rsaPem, signingAlg: 'ES256' }),
      () => jwtBearerGrant({ ...base, privateKey: ecJwk, signingAlg: 'RS256' }),
      () => jwtBearerGrant({ ...base, privateKey: { ...ecJwk, crv: 'P-384' } }),
      () => jwtBearerGrant({ ...base, privateKey: rsaPem.replace('PRIVATE KEY', 'RSA PRIVATE KEY') }),
    ].map((create) => {
      try {
        create();
      } catch (error) {
        return error;
      }
      throw new Error('expected a TypeError');
    });
    for (const error of optionErrors) expectNoSecrets(error, KEY_SECRETS);

    const { grant, mock } = google();
    mock.onPost(GOOGLE_TOKEN).reply(400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
    const refused = await rejectionOf(grant(ctx()));
    expect(refused).toMatchObject({ error: 'invalid_grant' });
    expectNoSecrets(refused, [...KEY_SECRETS, form(mock.history.post[0]!).assertion!]);
  });
});
