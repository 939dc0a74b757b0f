import { generateKeyPairSync } from 'node:crypto';
import { resolveClientAssertion } from '../../lib/grants/client-assertion';
import type { TokenEndpointOptions } from '../../lib/grants/grant-options';
import { thrown } from '../support/thrown';

/*
 * Key-based client authentication (issue 9, mutation run over lib/grants/client-assertion.ts): when an assertion
 * maker exists at all, what its assertions claim, and which option a refusal names.
 */

const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const privateKey = ec.privateKey.export({ format: 'jwk' }) as JsonWebKey;
const SECRET = 'cs-contract-S3cret-0123456789abcdef';
const TOKEN_URL = 'https://auth.example.com/token';
const base = { tokenUrl: TOKEN_URL, clientId: 'svc' } as TokenEndpointOptions;

const decode = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;
const partsOf = (jwt: string) => {
  const [header, payload] = jwt.split('.');
  return { header: decode(header!), payload: decode(payload!) };
};

describe('resolveClientAssertion: whether there is an assertion maker', () => {
  it('has none for a secret method chosen by the user, nor for a client without a usable secret', () => {
    expect(resolveClientAssertion({ ...base, clientSecret: SECRET }, 'client_secret_basic', 'options')).toBeUndefined();
    expect(resolveClientAssertion({ ...base, clientSecret: SECRET }, 'client_secret_post', 'options')).toBeUndefined();
    expect(resolveClientAssertion(base, undefined, 'options')).toBeUndefined();
    expect(resolveClientAssertion({ ...base, clientSecret: '' }, undefined, 'options')).toBeUndefined();
  });

  it('keeps an HS256 maker ready when discovery may still pick client_secret_jwt for a secret', async () => {
    const maker = resolveClientAssertion({ ...base, clientSecret: SECRET }, undefined, 'options');
    expect(maker?.audience).toBe('token-endpoint');
    const { header } = partsOf(await maker!.create('svc', TOKEN_URL));
    expect(header).toEqual({ alg: 'HS256' });
  });

  it('signs with the private key when discovery will choose and a privateKey is given', async () => {
    const maker = resolveClientAssertion({ ...base, privateKey }, undefined, 'options');
    expect(partsOf(await maker!.create('svc', TOKEN_URL)).header).toEqual({ alg: 'ES256' });
  });

  it('takes the issuer as the default audience when there is one', () => {
    const maker = resolveClientAssertion({ ...base, issuer: 'https://op.example.com', privateKey }, 'private_key_jwt', 'o');
    expect(maker?.audience).toBe('issuer');
  });
});

describe('resolveClientAssertion: the claims of an assertion (RFC 7523 §3)', () => {
  it('is issued now, valid from now, for 60 s, to the audience given', async () => {
    const maker = resolveClientAssertion({ ...base, privateKey }, 'private_key_jwt', 'options')!;
    const before = Math.floor(Date.now() / 1000);
    const { payload } = partsOf(await maker.create('svc', 'https://aud.example.com'));
    const after = Math.floor(Date.now() / 1000);
    expect(payload.iat).toBeGreaterThanOrEqual(before);
    expect(payload.iat).toBeLessThanOrEqual(after);
    expect(payload).toMatchObject({ iss: 'svc', sub: 'svc', aud: 'https://aud.example.com', nbf: payload.iat });
    expect(payload.exp).toBe((payload.iat as number) + 60);
  });

  it('signs client_secret_jwt with HS256 given explicitly, with the extra header members', async () => {
    const maker = resolveClientAssertion(
      { ...base, clientSecret: SECRET, signingAlg: 'HS256', keyId: 'k9', assertionHeader: { typ: 'JWT' } },
      'client_secret_jwt',
      'options',
    )!;
    expect(partsOf(await maker.create('svc', TOKEN_URL)).header).toEqual({ alg: 'HS256', kid: 'k9', typ: 'JWT' });
  });
});

describe('resolveClientAssertion: refusals name the option at fault', () => {
  it.each([
    ['a privateKey with client_secret_jwt', { clientSecret: SECRET, privateKey }, 'client_secret_jwt', '"cfg.privateKey" is not used with'],
    ['an empty secret with client_secret_jwt', { clientSecret: '' }, 'client_secret_jwt', '"cfg.clientSecret" is required'],
    ['HS256 with private_key_jwt', { privateKey, signingAlg: 'HS256' }, 'private_key_jwt', '"cfg.signingAlg" must be one of'],
    ['a numeric keyId', { privateKey, keyId: 42 }, 'private_key_jwt', '"cfg.keyId" must be a non-empty string'],
    ['a string assertionHeader', { privateKey, assertionHeader: 'x' }, 'private_key_jwt', '"cfg.assertionHeader" must be an object'],
    ['a null assertionHeader', { privateKey, assertionHeader: null }, 'private_key_jwt', '"cfg.assertionHeader" must be an object'],
    ['an array assertionHeader', { privateKey, assertionHeader: ['x'] }, 'private_key_jwt', '"cfg.assertionHeader" must be an object'],
    [
      'a kid in assertionHeader',
      { privateKey, assertionHeader: { kid: 'k' } },
      'private_key_jwt',
      '"cfg.assertionHeader.kid" is set from the key',
    ],
    [
      'a numeric header member',
      { privateKey, assertionHeader: { x5u: 1 } },
      'private_key_jwt',
      '"cfg.assertionHeader.x5u" must be a string',
    ],
    [
      'assertionAudience with a secret method',
      { clientSecret: SECRET, assertionAudience: 'issuer' },
      'client_secret_post',
      '"cfg.assertionAudience" is only used',
    ],
  ])('refuses %s', (_case, options, method, message) => {
    const error = thrown(() => resolveClientAssertion({ ...base, ...options } as never, method as never, 'cfg'));
    expect(error).toBeInstanceOf(TypeError);
    expect(error.message).toContain(message);
    expect(error.message).not.toContain(SECRET);
    expect(error.message).not.toContain(privateKey.d!);
  });
});
