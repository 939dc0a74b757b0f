// The reference implementation our own JOSE code is checked against: jose (panva), ESM-only, so it runs in a child
// process (see child-service.ts). Started by jose-check.ts.
import { calculateJwkThumbprint, compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { serveIpc } from './child-ipc.mjs';

serveIpc(0, {
  // Verifies a compact JWS with a public JWK (or a JWK with "k"); throws when the signature is wrong.
  async verify({ jws, jwk, alg }) {
    const key = await importJWK(jwk, alg ?? decodeProtectedHeader(jws).alg);
    const { payload, protectedHeader } = await compactVerify(jws, key);
    return { header: protectedHeader, payload: Buffer.from(payload).toString('utf8') };
  },
  thumbprint: ({ jwk }) => calculateJwkThumbprint(jwk, 'sha256'),
});
