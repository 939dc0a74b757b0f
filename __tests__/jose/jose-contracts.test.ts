import { createHash } from 'node:crypto';
import { isSigningAlg, SIGNING_ALGS } from '../../lib/jose/algorithms';
import { base64urlDecode, randomId } from '../../lib/jose/base64url';
import { checkSigningKey, importSigningKey } from '../../lib/jose/import-key';
import { signInput } from '../../lib/jose/jws';
import { jwkThumbprint, publicJwk } from '../../lib/jose/thumbprint';
import { expectNoSecrets } from '../support/secrets-sweep';
import * as v from './vectors';

/*
 * What thumbprints, the algorithm table and base64url promise that the mutation run over lib/jose found unpinned
 * (issue 9): oct thumbprints, refusals with clear errors, the Ed25519 name of RFC 9864, decoding and jti ids.
 */

describe('JWK thumbprints and public JWKs', () => {
  it('an oct JWK thumbprint hashes {"k","kty"} in that order (RFC 7638 §3.2)', async () => {
    const expected = createHash('sha256').update(`{"k":"${v.A1_KEY.k}","kty":"oct"}`).digest('base64url');
    await expect(jwkThumbprint({ ...v.A1_KEY, alg: 'HS256' })).resolves.toBe(expected);
  });

  it('refuses a JWK of an unknown or missing key type with a TypeError', async () => {
    const unsupported = new TypeError('JWK thumbprint: unsupported key type');
    await expect(jwkThumbprint({ kty: 'XYZ', k: 'a-secret-value' })).rejects.toEqual(unsupported);
    await expect(jwkThumbprint({ x: 'x' })).rejects.toEqual(unsupported);
  });

  it('refuses to make a public JWK of a symmetric key, never exposing its secret', async () => {
    const secret = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, true, ['sign']);
    const k = (await crypto.subtle.exportKey('jwk', secret)).k!;
    const error: unknown = await publicJwk(secret).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toEqual(new TypeError('publicJwk: not an asymmetric public key'));
    expectNoSecrets(error, [k]);
  });
});

describe('the JWS algorithm table', () => {
  it('knows every algorithm the package signs with, and nothing else', () => {
    for (const alg of ['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519', 'HS256']) expect(isSigningAlg(alg)).toBe(true);
    expect(SIGNING_ALGS).toEqual(['ES256', 'RS256', 'PS256', 'EdDSA', 'Ed25519', 'HS256']);
    for (const other of ['RS512', 'none', '', 'es256', 256, undefined, null, ['ES256']]) expect(isSigningAlg(other)).toBe(false);
  });

  it('signs with an Ed25519 key under the fully specified name Ed25519 (RFC 9864) as under EdDSA (RFC 8037 A.4)', async () => {
    const alg = checkSigningKey(v.RFC8037_KEY, 'Ed25519', 'k');
    expect(alg).toBe('Ed25519');
    const key = await importSigningKey(v.RFC8037_KEY, alg);
    const [header, payload, signature] = v.RFC8037_JWS.split('.');
    await expect(signInput({ alg, key }, `${header!}.${payload!}`)).resolves.toBe(signature);
  });
});

describe('base64url', () => {
  it('decodes with or without padding', () => {
    expect(Array.from(base64urlDecode('YQ=='))).toEqual([0x61]);
    expect(Array.from(base64urlDecode('YQ'))).toEqual([0x61]);
    expect(Array.from(base64urlDecode('YWI='))).toEqual([0x61, 0x62]);
    expect(Array.from(base64urlDecode('-_8'))).toEqual([0xfb, 0xff]);
  });

  it('refuses base64 (not url) and other text with a TypeError', () => {
    for (const text of ['a+b', 'a/b', 'YQ===', 'Y Q']) expect(() => base64urlDecode(text)).toThrow(new TypeError('not base64url'));
  });

  it('jti ids are 128 bits of base64url, distinct, across many refills of the random pool', () => {
    const ids = Array.from({ length: 200 }, () => randomId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});

describe('regression: base64url of a length no encoding produces (1 mod 4) threw a DOMException, not the TypeError promised', () => {
  it('throws TypeError("not base64url")', () => {
    for (const text of ['Y', 'YWJjZ', 'YWJjZ=']) expect(() => base64urlDecode(text)).toThrow(new TypeError('not base64url'));
  });
});
