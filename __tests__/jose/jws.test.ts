import fc from 'fast-check';
import { generateKeyPairSync } from 'node:crypto';
import { base64url, base64urlDecode, base64urlText } from '../../lib/jose/base64url';
import { checkSigningKey, importSigningKey } from '../../lib/jose/import-key';
import { signCompact, signInput, type Signer } from '../../lib/jose/jws';
import { publicJwk } from '../../lib/jose/thumbprint';
import type { SigningAlg } from '../../lib/jose/algorithms';
import { startJoseCheck, type JoseCheck } from '../support/jose-check';
import * as v from './vectors';

let jose: JoseCheck;
beforeAll(async () => {
  jose = await startJoseCheck();
});
afterAll(() => jose.stop());

async function signer(key: JsonWebKey | string | CryptoKey, alg?: SigningAlg): Promise<Signer> {
  const chosen = checkSigningKey(key, alg, 'key');
  return { alg: chosen, key: await importSigningKey(key, chosen) };
}

const publicOf = ({ d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, ...pub }: JsonWebKey): JsonWebKey => pub;

describe('base64url', () => {
  it('encodes without padding in the URL-safe alphabet and decodes back', () => {
    const bytes = new Uint8Array([0xfb, 0xff, 0xfe, 0x00, 0x3e]);
    expect(base64url(bytes)).toBe('-__-AD4');
    expect([...base64urlDecode('-__-AD4')]).toEqual([...bytes]);
    expect(base64urlText('{"alg":"EdDSA"}')).toBe('eyJhbGciOiJFZERTQSJ9'); // RFC 8037 A.4
  });

  it("agrees with Node's own base64url for every length and byte value, and round-trips", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
        const encoded = base64url(bytes);
        expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
        expect([...base64urlDecode(encoded)]).toEqual([...bytes]);
      }),
      { numRuns: 500 },
    );
  });

  it("encodes text as its UTF-8 bytes, ASCII (btoa) and beyond (table loop) alike, as Node's base64url does", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.string({ unit: 'binary-ascii', maxLength: 300 }), fc.string({ unit: 'grapheme', maxLength: 100 })),
        (text) => {
          expect(base64urlText(text)).toBe(Buffer.from(text, 'utf8').toString('base64url'));
        },
      ),
      { numRuns: 500 },
    );
    expect(base64urlText('é~?>')).toBe(Buffer.from('é~?>', 'utf8').toString('base64url'));
  });

  it('encodes large inputs (no argument-limit overflow)', () => {
    const big = new Uint8Array(200_000).fill(7);
    expect(base64urlDecode(base64url(big))).toEqual(big);
  });

  it('refuses text that is not base64url', () => {
    expect(() => base64urlDecode('a+b/')).toThrow(TypeError);
  });
});

describe('compact JWS with WebCrypto', () => {
  it('HS256 reproduces RFC 7515 A.1 exactly', async () => {
    const s = await signer(v.A1_KEY);
    expect(s.alg).toBe('HS256');
    await expect(signInput(s, `${v.A1_HEADER}.${v.RFC7515_PAYLOAD}`)).resolves.toBe(v.A1_SIGNATURE);
  });

  it('RS256 reproduces RFC 7515 A.2 exactly', async () => {
    const s = await signer(v.A2_KEY);
    expect(s.alg).toBe('RS256');
    await expect(signInput(s, `${v.A2_HEADER}.${v.RFC7515_PAYLOAD}`)).resolves.toBe(v.A2_SIGNATURE);
  });

  it('ES256 signs RFC 7515 A.3 input with a raw R||S signature that jose verifies, like the printed one', async () => {
    const s = await signer(v.A3_KEY);
    const input = `${v.A3_HEADER}.${v.RFC7515_PAYLOAD}`;
    const ours = await signInput(s, input);
    expect(base64urlDecode(ours)).toHaveLength(64);
    await expect(jose.verify(`${input}.${ours}`, publicOf(v.A3_KEY), 'ES256')).resolves.toBeDefined();
    await expect(jose.verify(`${input}.${v.A3_SIGNATURE}`, publicOf(v.A3_KEY), 'ES256')).resolves.toBeDefined();
  });

  it('EdDSA reproduces RFC 8037 A.4 exactly', async () => {
    const s = await signer(v.RFC8037_KEY);
    expect(s.alg).toBe('EdDSA');
    const [header, payload] = v.RFC8037_JWS.split('.');
    await expect(signInput(s, `${header}.${payload}`)).resolves.toBe(v.RFC8037_JWS.split('.')[2]);
  });

  it('PS256 over an RSA key is verified by jose', async () => {
    const s = await signer(v.A2_KEY, 'PS256');
    const jws = await signCompact(s, { typ: 'JWT' }, { sub: 'x' });
    const { header, payload } = await jose.verify(jws, publicOf(v.A2_KEY), 'PS256');
    expect(header).toEqual({ typ: 'JWT', alg: 'PS256' });
    expect(JSON.parse(payload)).toEqual({ sub: 'x' });
  });

  it.each([
    ['ES256', { type: 'ec', options: { namedCurve: 'P-256' } }],
    ['RS256', { type: 'rsa', options: { modulusLength: 2048 } }],
    ['PS256', { type: 'rsa', options: { modulusLength: 2048 } }],
    ['EdDSA', { type: 'ed25519', options: {} }],
  ] as const)('%s from a PKCS#8 PEM signs a JWT that jose verifies with the public JWK', async (alg, spec) => {
    const pair = generateKeyPairSync(spec.type as 'ec', spec.options as { namedCurve: string });
    const pem = pair.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const s = await signer(pem, alg === 'PS256' ? 'PS256' : undefined);
    expect(s.alg).toBe(alg);
    const jws = await signCompact(s, { kid: 'k1' }, { iss: 'c' });
    const { header } = await jose.verify(jws, pair.publicKey.export({ format: 'jwk' }), alg);
    expect(header).toEqual({ kid: 'k1', alg });
  });

  it('signs with a non-extractable CryptoKey and takes its algorithm from it', async () => {
    const pair = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const s = await signer(pair.privateKey);
    expect(s).toEqual({ alg: 'ES256', key: pair.privateKey });
    const jws = await signCompact(s, {}, { a: 1 });
    await expect(jose.verify(jws, await publicJwk(pair.publicKey), 'ES256')).resolves.toBeDefined();
  });

  it('the header alg always comes from the signer', async () => {
    const s = await signer(v.A3_KEY);
    const jws = await signCompact(s, { alg: 'none' }, {});
    expect(JSON.parse(new TextDecoder().decode(base64urlDecode(jws.split('.')[0]!)))).toEqual({ alg: 'ES256' });
  });
});
