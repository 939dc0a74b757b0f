import { jwkThumbprint, publicJwk } from '../../lib/jose/thumbprint';
import { startJoseCheck, type JoseCheck } from '../support/jose-check';
import * as v from './vectors';

let jose: JoseCheck;
beforeAll(async () => {
  jose = await startJoseCheck();
});
afterAll(() => jose.stop());

describe('JWK thumbprints (RFC 7638)', () => {
  it('matches the RFC 7638 §3.1 example, ignoring the optional members', async () => {
    await expect(jwkThumbprint(v.RFC7638_KEY)).resolves.toBe(v.RFC7638_THUMBPRINT);
  });

  it('matches the RFC 8037 A.3 Ed25519 example', async () => {
    const { d: _d, ...pub } = v.RFC8037_KEY;
    await expect(jwkThumbprint(pub)).resolves.toBe(v.RFC8037_THUMBPRINT);
  });

  it('agrees with jose for EC and RSA keys, and for the public JWK of a non-extractable key', async () => {
    const ec = await crypto.subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign', 'verify']);
    const jwk = await publicJwk(ec.publicKey);
    expect(Object.keys(jwk).sort()).toEqual(['crv', 'kty', 'x', 'y']);
    await expect(jwkThumbprint(jwk)).resolves.toBe(await jose.thumbprint(jwk));
    await expect(jwkThumbprint(v.A2_KEY)).resolves.toBe(await jose.thumbprint(v.A2_KEY));
  });

  it('refuses a key type it does not know and a missing member', async () => {
    await expect(jwkThumbprint({ kty: 'XYZ' })).rejects.toThrow(TypeError);
    await expect(jwkThumbprint({ kty: 'EC', crv: 'P-256', x: 'a' })).rejects.toThrow('"y"');
  });
});
