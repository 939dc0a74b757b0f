import { generateKeyPairSync } from 'node:crypto';
import { checkSigningKey } from '../../lib/jose/import-key';
import { expectNoSecrets } from '../support/secrets-sweep';
import { thrown } from '../support/thrown';
import * as v from './vectors';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const pkcs8 = rsa.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
const pkcs1 = rsa.privateKey.export({ type: 'pkcs1', format: 'pem' }) as string;
const pemBody = (pem: string): string => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');

describe('checking a signing key', () => {
  it('infers the algorithm from a JWK, a PEM and its alg member', () => {
    expect(checkSigningKey(v.A3_KEY, undefined, 'k')).toBe('ES256');
    expect(checkSigningKey(v.RFC8037_KEY, undefined, 'k')).toBe('EdDSA');
    expect(checkSigningKey({ ...v.A2_KEY, alg: 'PS256' }, undefined, 'k')).toBe('PS256');
    expect(checkSigningKey(pkcs8, undefined, 'k')).toBe('RS256');
    expect(checkSigningKey(pkcs8, 'PS256', 'k')).toBe('PS256');
  });

  it('refuses an algorithm the key cannot sign with, naming the option', () => {
    expect(() => checkSigningKey(v.A3_KEY, 'RS256', 'options.privateKey')).toThrow(
      new TypeError('"options.privateKey" is an EC P-256 key, which cannot sign with RS256'),
    );
  });

  it('refuses a public JWK, a PKCS#1 PEM and other strings with a hint, never quoting the key', () => {
    const { d: _d, ...publicKey } = v.A3_KEY;
    expect(() => checkSigningKey(publicKey, undefined, 'o.k')).toThrow('"o.k" is a public JWK');
    const legacy = thrown(() => checkSigningKey(pkcs1, undefined, 'o.k'));
    expect(legacy.message).toContain('openssl pkcs8 -topk8 -nocrypt');
    expect(() => checkSigningKey('not a key', undefined, 'o.k')).toThrow('not a PKCS#8 PEM');
    expectNoSecrets(legacy, [pemBody(pkcs1).slice(40, 120)]);
    expectNoSecrets(
      thrown(() => checkSigningKey(v.A3_KEY, 'RS256', 'o.k')),
      [v.A3_KEY.d],
    );
  });

  it('refuses a CryptoKey that is public or cannot sign', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    expect(() => checkSigningKey(pair.publicKey, undefined, 'k')).toThrow('"k" must be a private key, not a public one');
  });
});
