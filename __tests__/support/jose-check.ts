import path from 'node:path';
import { startChildService } from './child-service';

/*
 * jose (panva) as the referee of our own signatures and thumbprints, in a child process (jose is ESM-only):
 *
 *   const jose = await startJoseCheck();
 *   const { header, payload } = await jose.verify(jws, publicJwk);   // rejects on a bad signature
 *   await jose.thumbprint(jwk);                                      // RFC 7638, SHA-256
 *   await jose.stop();                                               // in afterAll
 */

export interface JoseCheck {
  verify(jws: string, jwk: JsonWebKey, alg?: string): Promise<{ header: Record<string, unknown>; payload: string }>;
  thumbprint(jwk: JsonWebKey): Promise<string>;
  stop(): Promise<void>;
}

export async function startJoseCheck(): Promise<JoseCheck> {
  const child = await startChildService(path.join(__dirname, 'jose-check.child.mjs'), {});
  return {
    verify: (jws, jwk, alg) => child.call('verify', { jws, jwk, ...(alg === undefined ? {} : { alg }) }),
    thumbprint: (jwk) => child.call('thumbprint', { jwk }),
    stop: () => child.stop(),
  };
}
