import { createHash } from 'node:crypto';
import { base64urlDecode } from '../../lib/jose/base64url';
import { publicJwk } from '../../lib/jose/thumbprint';
import { generateDPoPKeyPair } from '../../lib/dpop/key-pair';
import { MAX_NONCE_ORIGINS, NonceCache } from '../../lib/dpop/nonce-cache';
import { createDPoPProofMaker } from '../../lib/dpop/proof-maker';
import { DPoPKeyError, isDPoPKeyError } from '../../lib';
import { expectNoSecrets } from '../support/secrets-sweep';
import { startJoseCheck, type JoseCheck } from '../support/jose-check';

let jose: JoseCheck;
beforeAll(async () => {
  jose = await startJoseCheck();
});
afterAll(() => jose.stop());
afterEach(() => jest.restoreAllMocks());

const part = (jws: string, index: number): Record<string, unknown> =>
  JSON.parse(new TextDecoder().decode(base64urlDecode(jws.split('.')[index]!))) as Record<string, unknown>;

describe('DPoP proofs (RFC 9449 §4.2)', () => {
  it('are dpop+jwt with the public JWK, and carry htm, htu without query and fragment, iat, jti, ath and the nonce', async () => {
    const keyPair = await generateDPoPKeyPair();
    expect(keyPair.privateKey.extractable).toBe(false);
    const maker = createDPoPProofMaker(keyPair);
    maker.observeNonce('https://api.example.com/other', 'n-1');
    const before = Math.floor(Date.now() / 1000);
    const proof = await maker.proof('get', 'https://api.example.com/orders?id=1#top', 'at-123');

    const { header, payload } = await jose.verify(proof, await publicJwk(keyPair.publicKey), 'ES256');
    expect(header).toEqual({ typ: 'dpop+jwt', alg: 'ES256', jwk: await publicJwk(keyPair.publicKey) });
    expect(header.jwk).not.toHaveProperty('d');
    const claims = JSON.parse(payload) as Record<string, unknown>;
    expect(claims).toMatchObject({
      htm: 'GET',
      htu: 'https://api.example.com/orders',
      nonce: 'n-1',
      ath: createHash('sha256').update('at-123').digest('base64url'),
    });
    expect(claims.iat).toBeGreaterThanOrEqual(before);
    expect(String(claims.jti).length).toBeGreaterThanOrEqual(16);
  });

  it('has no ath without a token, a new jti every time, and signs with EdDSA, RS256 and PS256 keys too', async () => {
    for (const alg of ['ES256', 'EdDSA', 'RS256', 'PS256'] as const) {
      const keyPair = await generateDPoPKeyPair(alg);
      const maker = createDPoPProofMaker(keyPair);
      const [a, b] = await Promise.all([maker.proof('POST', 'https://as.example/token'), maker.proof('POST', 'https://as.example/token')]);
      await jose.verify(a, await publicJwk(keyPair.publicKey), alg);
      expect(part(a, 1)).not.toHaveProperty('ath');
      expect(part(a, 1).jti).not.toBe(part(b, 1).jti);
      expect(part(a, 0).alg).toBe(alg);
    }
  });

  it('serialises the JWK once per key and hashes a token once, whatever the number of proofs', async () => {
    const keyPair = await generateDPoPKeyPair();
    const exportKey = jest.spyOn(crypto.subtle, 'exportKey');
    const digest = jest.spyOn(crypto.subtle, 'digest');
    const maker = createDPoPProofMaker(keyPair);
    for (let i = 0; i < 5; i++) await maker.proof('GET', 'https://api.example.com/a', 'at-1');
    await maker.proof('GET', 'https://api.example.com/a', 'at-2');
    expect(exportKey).toHaveBeenCalledTimes(1);
    expect(digest).toHaveBeenCalledTimes(2);
  });

  it('rejects, never throws, for a URL that does not parse, on the first proof and once everything is cached', async () => {
    const maker = createDPoPProofMaker(await generateDPoPKeyPair());
    await expect(maker.proof('GET', 'not a url', 'at-1')).rejects.toMatchObject({ name: 'TypeError' });
    await maker.proof('GET', 'https://api.example.com/a', 'at-1');
    let later: Promise<string> | undefined;
    expect(() => (later = maker.proof('GET', 'not a url', 'at-1'))).not.toThrow();
    await expect(later).rejects.toMatchObject({ name: 'TypeError' });
  });

  it('generates the key of `dpop: true` on first use, and its thumbprint is the jkt of RFC 7638', async () => {
    const keyPair = await generateDPoPKeyPair();
    const maker = createDPoPProofMaker(async () => keyPair);
    const jwk = await publicJwk(keyPair.publicKey);
    await expect(maker.thumbprint()).resolves.toBe(await jose.thumbprint(jwk));
  });
});

describe('obtaining the key pair (dpop: true, a shared browserStorage)', () => {
  it('asks again after a failed attempt, one attempt at a time, and keeps the key once it has one', async () => {
    const keyPair = await generateDPoPKeyPair();
    const refused = Object.assign(new Error('IndexedDB refused'), { name: 'QuotaExceededError' });
    const obtain = jest.fn<Promise<CryptoKeyPair>, []>().mockRejectedValueOnce(refused).mockResolvedValue(keyPair);
    const maker = createDPoPProofMaker(obtain);
    expect(obtain).toHaveBeenCalledTimes(1); // started at creation

    const failed = await Promise.allSettled([1, 2, 3].map(() => maker.proof('GET', 'https://api.example.com/a', 'at-secret-1')));
    expect(obtain).toHaveBeenCalledTimes(1); // the three proofs shared the one failed attempt
    for (const result of failed) {
      const error = (result as PromiseRejectedResult).reason as Error & { code?: string; cause?: unknown };
      expect(error).toBeInstanceOf(DPoPKeyError);
      expect(isDPoPKeyError(error)).toBe(true);
      expect(error).toMatchObject({ name: 'DPoPKeyError', code: 'ERR_DPOP_KEY_UNAVAILABLE' });
      expect(error.message).toContain('QuotaExceededError');
      expect(error.cause).toBe(refused);
      expectNoSecrets(error, ['at-secret-1']);
    }

    const [a, b] = await Promise.all([maker.proof('GET', 'https://api.example.com/a', 'at-1'), maker.thumbprint()]);
    await jose.verify(a, await publicJwk(keyPair.publicKey), 'ES256');
    expect(b).toBe(await jose.thumbprint(await publicJwk(keyPair.publicKey)));
    await maker.proof('GET', 'https://api.example.com/a', 'at-1');
    expect(obtain).toHaveBeenCalledTimes(2);
  });

  it("turns a synchronous throw of a later attempt into the proof's DPoPKeyError", async () => {
    const keyPair = await generateDPoPKeyPair();
    const broken = new TypeError('no WebCrypto');
    let calls = 0;
    const maker = createDPoPProofMaker(() => {
      calls += 1;
      if (calls === 1) return Promise.reject(new Error('first'));
      if (calls === 2) throw broken;
      return Promise.resolve(keyPair);
    });
    await expect(maker.proof('POST', 'https://as.example/token')).rejects.toMatchObject({ code: 'ERR_DPOP_KEY_UNAVAILABLE' });
    await expect(maker.proof('POST', 'https://as.example/token')).rejects.toMatchObject({ cause: broken });
    await expect(maker.proof('POST', 'https://as.example/token')).resolves.toMatch(/^ey/);
  });
});

describe('the nonce cache', () => {
  it('keeps the last nonce per origin, refuses malformed nonces, and forgets the least recently used origin', () => {
    const cache = new NonceCache();
    cache.set('https://a.example/x', 'n1');
    cache.set('https://a.example/y', 'n2');
    cache.set('https://b.example/', 'bad "nonce"');
    expect(cache.get('https://a.example/z?q')).toBe('n2');
    expect(cache.get('https://b.example/')).toBeUndefined();
    for (let i = 0; i < MAX_NONCE_ORIGINS; i++) cache.set(`https://o${i}.example/`, `n${i}`);
    expect(cache.get('https://a.example/')).toBeUndefined();
    expect(cache.get('https://o0.example/')).toBe('n0');
  });
});
