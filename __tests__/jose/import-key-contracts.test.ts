import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { checkSigningKey, importHmacSecret, importSigningKey } from '../../lib/jose/import-key';
import { expectNoSecrets } from '../support/secrets-sweep';
import { thrown } from '../support/thrown';
import * as v from './vectors';

/*
 * What a user relies on when handing a private key to the package (issue 9, mutation run over lib/jose/import-key.ts):
 * which keys are accepted and with which algorithm, and which clear TypeError names what is wrong, never quoting the key.
 */

const rsaPem = exportPkcs8(generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey);
const pssPem = exportPkcs8(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).privateKey);
const edPem = exportPkcs8(generateKeyPairSync('ed25519').privateKey);
const p384Pem = exportPkcs8(generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey);
const body = (text: string): string => text.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

function exportPkcs8(key: KeyObject): string {
  return key.export({ type: 'pkcs8', format: 'pem' }) as string;
}

function pair(algorithm: EcKeyGenParams | RsaHashedKeyGenParams | Algorithm): Promise<CryptoKeyPair> {
  return crypto.subtle.generateKey(algorithm, false, ['sign', 'verify']) as Promise<CryptoKeyPair>;
}
const rsaParams = (name: string, hash: string): RsaHashedKeyGenParams => ({
  name,
  hash,
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
});

describe('a CryptoKey as the signing key', () => {
  it('is accepted with the algorithm it was made for: ES256, RS256, PS256, EdDSA, HS256', async () => {
    expect(checkSigningKey((await pair({ name: 'ECDSA', namedCurve: 'P-256' })).privateKey, undefined, 'k')).toBe('ES256');
    expect(checkSigningKey((await pair(rsaParams('RSASSA-PKCS1-v1_5', 'SHA-256'))).privateKey, undefined, 'k')).toBe('RS256');
    expect(checkSigningKey((await pair(rsaParams('RSA-PSS', 'SHA-256'))).privateKey, undefined, 'k')).toBe('PS256');
    expect(checkSigningKey((await pair({ name: 'Ed25519' })).privateKey, undefined, 'k')).toBe('EdDSA');
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(checkSigningKey(hmac, undefined, 'k')).toBe('HS256');
  });

  it('an Ed25519 key signs as EdDSA or under its fully specified name Ed25519 (RFC 9864)', async () => {
    const key = (await pair({ name: 'Ed25519' })).privateKey;
    expect(checkSigningKey(key, 'Ed25519', 'k')).toBe('Ed25519');
    expect(checkSigningKey(key, 'EdDSA', 'k')).toBe('EdDSA');
  });

  it('refuses an algorithm of the same key type that the CryptoKey was not made for (its algorithm is fixed)', async () => {
    const pss = (await pair(rsaParams('RSA-PSS', 'SHA-256'))).privateKey;
    expect(() => checkSigningKey(pss, 'RS256', 'options.privateKey')).toThrow(
      new TypeError('"options.privateKey" is an RSA key, which cannot sign with RS256'),
    );
    const pkcs1 = (await pair(rsaParams('RSASSA-PKCS1-v1_5', 'SHA-256'))).privateKey;
    expect(() => checkSigningKey(pkcs1, 'PS256', 'k')).toThrow(new TypeError('"k" is an RSA key, which cannot sign with PS256'));
  });

  it('names a symmetric key as such when refusing an asymmetric algorithm', async () => {
    const hmac = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
    expect(() => checkSigningKey(hmac, 'ES256', 'k')).toThrow(new TypeError('"k" is a symmetric (oct) key, which cannot sign with ES256'));
  });

  it('refuses a key without the sign usage', async () => {
    const verifyOnly = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    expect(() => checkSigningKey(verifyOnly, undefined, 'k')).toThrow(new TypeError(`"k" must be a CryptoKey with the 'sign' usage`));
  });

  it('refuses keys of curves, hashes and algorithms the package does not sign with', async () => {
    const unsupported = new TypeError('"k" is a CryptoKey of an unsupported algorithm (ES256, RS256, PS256, EdDSA)');
    const p384 = (await pair({ name: 'ECDSA', namedCurve: 'P-384' })).privateKey;
    expect(() => checkSigningKey(p384, undefined, 'k')).toThrow(unsupported);
    const rs384 = (await pair(rsaParams('RSASSA-PKCS1-v1_5', 'SHA-384'))).privateKey;
    expect(() => checkSigningKey(rs384, undefined, 'k')).toThrow(unsupported);
    const ps512 = (await pair(rsaParams('RSA-PSS', 'SHA-512'))).privateKey;
    expect(() => checkSigningKey(ps512, undefined, 'k')).toThrow(unsupported);
    const hs512 = await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-512' }, false, ['sign']);
    expect(() => checkSigningKey(hs512, undefined, 'k')).toThrow(unsupported);
    // A CryptoKey from another realm is duck-typed; an algorithm without a hash (Ed448) is still not ours.
    const ed448 = { type: 'private', algorithm: { name: 'Ed448' }, usages: ['sign'] };
    expect(() => checkSigningKey(ed448, undefined, 'k')).toThrow(unsupported);
  });

  it('is used as given, and keys the package imports itself are not extractable', async () => {
    const key = (await pair({ name: 'ECDSA', namedCurve: 'P-256' })).privateKey;
    await expect(importSigningKey(key, 'ES256')).resolves.toBe(key);
    expect((await importSigningKey(v.A3_KEY, 'ES256')).extractable).toBe(false);
    expect((await importSigningKey(rsaPem, 'RS256')).extractable).toBe(false);
    const secret = await importHmacSecret('a shared client secret');
    expect(secret.extractable).toBe(false);
    expect(secret.usages).toEqual(['sign']);
  });

  it('an object with only some of type, algorithm and usages is read as a JWK, not as a CryptoKey', () => {
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    expect(checkSigningKey({ ...v.A3_KEY, type: 'private', usages: ['sign'] }, undefined, 'k')).toBe('ES256');
    expect(checkSigningKey({ ...v.A3_KEY, algorithm, usages: ['sign'] }, undefined, 'k')).toBe('ES256');
    expect(checkSigningKey({ ...v.A3_KEY, type: 'private', algorithm }, undefined, 'k')).toBe('ES256');
  });
});

describe('what is not a key at all', () => {
  it.each([
    ['null', null],
    ['undefined', undefined],
    ['a number', 42],
    ['an array', [v.A3_KEY]],
    ['a function', () => v.A3_KEY],
  ])('%s is refused naming the three accepted forms', (_name, input) => {
    expect(() => checkSigningKey(input, undefined, 'options.privateKey')).toThrow(
      new TypeError('"options.privateKey" must be a CryptoKey, a private JWK or a PKCS#8 PEM string'),
    );
  });
});

describe('a JWK as the signing key', () => {
  it('an oct JWK signs with HS256', () => {
    expect(checkSigningKey(v.A1_KEY, undefined, 'k')).toBe('HS256');
  });

  it('an explicit algorithm wins over the JWK alg member (alg is not passed to WebCrypto)', () => {
    expect(checkSigningKey({ ...v.A2_KEY, alg: 'PS256' }, 'RS256', 'k')).toBe('RS256');
  });

  it.each([
    ['EC P-384', { kty: 'EC', crv: 'P-384', x: 'x', y: 'y', d: 'private-part' }],
    ['OKP Ed448', { kty: 'OKP', crv: 'Ed448', x: 'x', d: 'private-part' }],
    ['OKP X25519', { kty: 'OKP', crv: 'X25519', x: 'x', d: 'private-part' }],
    ['an unknown kty', { kty: 'XYZ', d: 'private-part' }],
    ['EC with the Ed25519 curve', { kty: 'EC', crv: 'Ed25519', x: 'x', d: 'private-part' }],
    ['OKP with the P-256 curve', { kty: 'OKP', crv: 'P-256', x: 'x', y: 'y', d: 'private-part' }],
  ])('refuses %s naming the supported key types', (_name, jwk) => {
    const error = thrown(() => checkSigningKey(jwk, undefined, 'k'));
    expect(error).toEqual(new TypeError('"k" is a JWK of an unsupported key type (EC P-256, RSA, OKP Ed25519)'));
    expectNoSecrets(error, ['private-part']);
  });

  it('refuses an alg member the package does not sign with, naming the member', () => {
    expect(() => checkSigningKey({ ...v.A2_KEY, alg: 'RS512' }, undefined, 'options.privateKey')).toThrow(
      new TypeError('"options.privateKey.alg" is not one of ES256, RS256, PS256, EdDSA'),
    );
  });
});

describe('a PKCS#8 PEM as the signing key', () => {
  it('infers PS256 for an RSASSA-PSS key, EdDSA for an Ed25519 key', () => {
    expect(checkSigningKey(pssPem, undefined, 'k')).toBe('PS256');
    expect(checkSigningKey(edPem, undefined, 'k')).toBe('EdDSA');
    expect(() => checkSigningKey(pssPem, 'ES256', 'k')).toThrow(new TypeError('"k" is an RSA key, which cannot sign with ES256'));
  });

  it('refuses a key type the package does not sign with, without quoting the key', () => {
    const error = thrown(() => checkSigningKey(p384Pem, undefined, 'k'));
    expect(error).toEqual(new TypeError('"k" is a PKCS#8 key of an unsupported type (EC P-256, RSA, Ed25519)'));
    expectNoSecrets(error, [body(p384Pem).slice(20, 80)]);
  });

  it('accepts surrounding whitespace, as from a file or an environment variable', () => {
    expect(checkSigningKey(`\n  ${rsaPem.trim()}`, undefined, 'k')).toBe('RS256');
    expect(checkSigningKey(rsaPem.trim(), undefined, 'k')).toBe('RS256');
    expect(checkSigningKey(`${rsaPem}\n\n`, undefined, 'k')).toBe('RS256');
  });

  it('refuses text before or after the PEM block, without quoting the key', () => {
    const notPem = new TypeError('"k" is a string but not a PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----")');
    const before = thrown(() => checkSigningKey(`Bag Attributes\n${rsaPem}`, undefined, 'k'));
    expect(before).toEqual(notPem);
    expect(() => checkSigningKey(`${rsaPem}trailing`, undefined, 'k')).toThrow(notPem);
    expectNoSecrets(before, [body(rsaPem).slice(40, 120)]);
  });

  it('imports a PEM with its line breaks into a key that signs', async () => {
    const key = await importSigningKey(edPem, 'EdDSA');
    expect(key.type).toBe('private');
    expect(key.algorithm.name).toBe('Ed25519');
  });
});
