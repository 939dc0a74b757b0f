import { createHash } from 'node:crypto';
import { resolveDPoPOption } from '../../lib/dpop/dpop-option.js';
import { dpopAlgOf, generateDPoPKeyPair } from '../../lib/dpop/key-pair.js';
import { NonceCache } from '../../lib/dpop/nonce-cache.js';
import { createDPoPProofMaker } from '../../lib/dpop/proof-maker.js';
import { DPOP_KEY_PAIR_STORE } from '../../lib/core/dpop-key-pair-store.js';
import { base64urlDecode } from '../../lib/jose/base64url.js';

/*
 * lib/dpop as a user meets it: which `dpop` values attach, which key pairs sign, which nonces are kept, and what each
 * proof claims when proofs overlap. Issue 9, "tests that can fail": the mutation run (`-- dpop-jose`) found these
 * unpinned.
 */

const claimsOf = (proof: string): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64urlDecode(proof.split('.')[1]!))) as Record<string, unknown>;
const sha256 = (text: string): string => createHash('sha256').update(text).digest('base64url');
const API = 'https://api.example.com/orders';
const SHARED = Symbol.for('axios-oauth-lock.sharedAcrossProcesses');

describe('the dpop option', () => {
  it('is off for undefined and false', () => {
    expect(resolveDPoPOption(undefined, undefined, 'options.dpop')).toBeUndefined();
    expect(resolveDPoPOption(false, undefined, 'options.dpop')).toBeUndefined();
  });

  it('with true, makes a key per manager beside a storage that processes do not share', async () => {
    const maker = resolveDPoPOption(true, { get: () => undefined, set: () => undefined }, 'options.dpop');
    await expect(maker!.proof('POST', API)).resolves.toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
  });

  it('with true, refuses a storage shared by processes, naming the option', () => {
    const shared = { [SHARED]: true };
    expect(() => resolveDPoPOption(true, shared, 'options.dpop')).toThrow(/^"options\.dpop" true makes a key per process/);
  });

  it('with true, signs with the key pair a key-keeping storage hands out, made by the generator it is given', async () => {
    let made: CryptoKeyPair | undefined;
    const storage = { [SHARED]: true, [DPOP_KEY_PAIR_STORE]: async (generate: () => Promise<CryptoKeyPair>) => (made = await generate()) };
    const maker = resolveDPoPOption(true, storage, 'options.dpop')!;
    const proof = await maker.proof('POST', API);
    expect(made?.privateKey.type).toBe('private');
    const header = JSON.parse(new TextDecoder().decode(base64urlDecode(proof.split('.')[0]!))) as { jwk: JsonWebKey };
    const jwk = await crypto.subtle.exportKey('jwk', made!.publicKey);
    expect(header.jwk).toMatchObject({ kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
  });

  it.each([
    ['null', null],
    ['a string', 'yes'],
    ['an object without keys', {}],
    ['a pair of strings', { privateKey: 'k', publicKey: 'k' }],
  ])('refuses %s with a TypeError naming the option', (_name, value) => {
    expect(() => resolveDPoPOption(value, undefined, 'options.dpop')).toThrow(
      new TypeError('"options.dpop" must be true or a CryptoKeyPair (see generateDPoPKeyPair())'),
    );
  });

  it('refuses a pair with the keys swapped, or a private key that may not sign', async () => {
    const pair = await generateDPoPKeyPair();
    const message = new TypeError(`"options.dpop" must be a key pair whose private key may 'sign'`);
    expect(() => resolveDPoPOption({ privateKey: pair.publicKey, publicKey: pair.privateKey }, undefined, 'options.dpop')).toThrow(message);
    expect(() => resolveDPoPOption({ privateKey: pair.privateKey, publicKey: pair.privateKey }, undefined, 'options.dpop')).toThrow(
      message,
    );
    const { privateKey: deriveOnly } = await crypto.subtle.generateKey({ name: 'ECDH', namedCurve: 'P-256' }, false, ['deriveBits']);
    expect(() => resolveDPoPOption({ privateKey: deriveOnly, publicKey: pair.publicKey }, undefined, 'options.dpop')).toThrow(message);
  });

  it('refuses a key pair of another algorithm', async () => {
    const p384 = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign', 'verify']);
    expect(() => resolveDPoPOption(p384, undefined, 'options.dpop')).toThrow(
      new TypeError('"options.dpop" must be an ES256, EdDSA, RS256 or PS256 key pair'),
    );
  });
});

describe('generateDPoPKeyPair and the algorithm of a key', () => {
  it('refuses an algorithm DPoP does not sign with, listing those it does', () => {
    expect(() => generateDPoPKeyPair('HS256' as never)).toThrow(new TypeError(`"alg" must be one of 'ES256', 'EdDSA', 'RS256', 'PS256'`));
  });

  it.each(['ES256', 'EdDSA', 'RS256', 'PS256'] as const)('makes a %s pair whose algorithm reads back as %s', async (alg) => {
    const pair = await generateDPoPKeyPair(alg);
    expect(dpopAlgOf(pair.privateKey)).toBe(alg);
    expect(pair.privateKey.extractable).toBe(false);
  });

  it('reads no DPoP algorithm from a P-384, RSA SHA-384, RSA-OAEP, HMAC or AES key', async () => {
    const keys = [
      (await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-384' }, false, ['sign'])).privateKey,
      (
        await crypto.subtle.generateKey(
          { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-384' },
          false,
          ['sign'],
        )
      ).privateKey,
      (
        await crypto.subtle.generateKey(
          { name: 'RSA-OAEP', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
          false,
          ['decrypt'],
        )
      ).privateKey,
      await crypto.subtle.generateKey({ name: 'HMAC', hash: 'SHA-256' }, false, ['sign']),
      await crypto.subtle.generateKey({ name: 'AES-GCM', length: 128 }, false, ['encrypt']),
    ];
    expect(keys.map((key) => dpopAlgOf(key))).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });
});

describe('the nonce cache', () => {
  it('keeps only nonces of NQCHAR characters, the whole value', () => {
    const cache = new NonceCache();
    for (const nonce of [' leading-space', 'a"b', 'back\\slash', 'tab\t', '']) {
      cache.set(API, nonce);
      expect(cache.get(API)).toBeUndefined();
    }
    cache.set(API, 'n-1!#[]~');
    expect(cache.get(API)).toBe('n-1!#[]~');
  });

  it('answers nothing for a URL that does not parse, and throws for none', () => {
    const cache = new NonceCache();
    expect(() => cache.set('not a url', 'n-1')).not.toThrow();
    expect(cache.get('not a url')).toBeUndefined();
    expect(cache.get('also not a url')).toBeUndefined();
  });

  it('keeps no nonce for an opaque origin: file: URLs do not share one', () => {
    const cache = new NonceCache();
    cache.set('file:///a', 'n-1');
    expect(cache.get('file:///b')).toBeUndefined();
  });
});

describe('proofs that overlap', () => {
  it('give each of two tokens its own ath, even when the second is asked for before the first is hashed', async () => {
    const maker = createDPoPProofMaker(await generateDPoPKeyPair());
    await maker.proof('GET', API, 'warm-up');
    const [a, b] = await Promise.all([maker.proof('GET', API, 'at-a'), maker.proof('GET', API, 'at-b')]);
    expect([claimsOf(a).ath, claimsOf(b).ath]).toEqual([sha256('at-a'), sha256('at-b')]);
    expect(claimsOf(await maker.proof('GET', API, 'at-b')).ath).toBe(sha256('at-b'));
  });

  it('give two proofs for one new token both its ath while its hash is still being computed', async () => {
    const maker = createDPoPProofMaker(await generateDPoPKeyPair());
    await maker.proof('GET', API, 'warm-up');
    const proofs = await Promise.all([maker.proof('GET', API, 'at-c'), maker.proof('GET', API, 'at-c')]);
    expect(proofs.map((proof) => claimsOf(proof).ath)).toEqual([sha256('at-c'), sha256('at-c')]);
  });

  it('give no ath to a proof without a token, first or after proofs with one', async () => {
    const first = createDPoPProofMaker(await generateDPoPKeyPair());
    expect(claimsOf(await first.proof('POST', API))).not.toHaveProperty('ath');
    const later = createDPoPProofMaker(await generateDPoPKeyPair());
    await later.proof('GET', API, 'at-d');
    expect(claimsOf(await later.proof('POST', API))).not.toHaveProperty('ath');
  });
});

describe('the clock correction', () => {
  const iatOf = async (maker: ReturnType<typeof createDPoPProofMaker>): Promise<number> =>
    claimsOf(await maker.proof('POST', API)).iat as number;
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);

  it('corrects a difference of 5 s, the smallest it acts on', async () => {
    const maker = createDPoPProofMaker(await generateDPoPKeyPair());
    expect(maker.correctClock!(Date.now() + 5_000)).toBe(true);
    expect((await iatOf(maker)) - nowSeconds()).toBeGreaterThanOrEqual(4);
  });

  it('drops an earlier correction when the server now agrees with this clock to within 5 s', async () => {
    const maker = createDPoPProofMaker(await generateDPoPKeyPair());
    expect(maker.correctClock!(Date.now() + 10_000)).toBe(true);
    expect((await iatOf(maker)) - nowSeconds()).toBeGreaterThanOrEqual(9);
    expect(maker.correctClock!(Date.now() + 3_000)).toBe(true);
    expect(Math.abs((await iatOf(maker)) - nowSeconds())).toBeLessThanOrEqual(1);
  });
});
