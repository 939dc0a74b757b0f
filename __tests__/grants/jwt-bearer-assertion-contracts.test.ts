import { generateKeyPairSync } from 'node:crypto';
import { jwtBearerAssertion } from '../../lib/grants/jwt-bearer-assertion';
import { thrown } from '../support/thrown';

/*
 * The key form of jwtBearerGrant (issue 9, mutation run over lib/grants/jwt-bearer-assertion.ts): the lifetime's
 * edges, and which option each refusal names.
 */

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privateKey = ec.privateKey.export({ format: 'jwk' }) as JsonWebKey;
const claims = { iss: 'robot@example.com', aud: 'https://oauth2.example.com/token' };

function payloadOf(jwt: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(jwt.split('.')[1]!, 'base64url').toString('utf8')) as Record<string, unknown>;
}

describe('jwtBearerAssertion: lifetime', () => {
  it.each([1, 3600])('accepts a lifetime of %i s and signs exp = iat + it', async (seconds) => {
    const payload = payloadOf(await jwtBearerAssertion({ privateKey, claims, assertionLifetimeSeconds: seconds })());
    expect((payload.exp as number) - (payload.iat as number)).toBe(seconds);
  });

  it('defaults to an hour', async () => {
    const payload = payloadOf(await jwtBearerAssertion({ privateKey, claims })());
    expect((payload.exp as number) - (payload.iat as number)).toBe(3600);
  });
});

describe('jwtBearerAssertion: refusals name the option at fault', () => {
  it.each([
    [
      'a symmetric key',
      { privateKey: { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA' }, claims },
      '"options.privateKey" must be a private key, not a symmetric one',
    ],
    ['an empty keyId', { privateKey, claims, keyId: '' }, '"options.keyId"'],
    ['claims as an array', { privateKey, claims: [claims] }, '"options.claims" must be an object'],
    ['no iss', { privateKey, claims: { aud: claims.aud } }, '"options.claims.iss"'],
    ['a numeric sub', { privateKey, claims: { ...claims, sub: 42 } }, '"options.claims.sub"'],
    ['an empty scope', { privateKey, claims: { ...claims, scope: '' } }, '"options.claims.scope"'],
    ['a fixed jti', { privateKey, claims: { ...claims, jti: 'j1' } }, '"options.claims.jti" is set per token request'],
    ['a fixed iat', { privateKey, claims: { ...claims, iat: 1 } }, '"options.claims.iat" is set per token request'],
    ['a BigInt claim', { privateKey, claims: { ...claims, n: 1n } }, '"options.claims" must be JSON-serialisable'],
  ])('refuses %s', (_case, options, message) => {
    const error = thrown(() => jwtBearerAssertion(options));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(privateKey.d!);
  });

  it('accepts a sub and a scope that are strings', async () => {
    const payload = payloadOf(await jwtBearerAssertion({ privateKey, claims: { ...claims, sub: 'u1', scope: 'a b' } })());
    expect(payload).toMatchObject({ ...claims, sub: 'u1', scope: 'a b' });
  });
});
