import { createHash, createPublicKey, verify, type JsonWebKey } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/*
 * The checks a DPoP server makes of one proof (RFC 9449 §4.3), for the browser tests' loopback server: the JWS is
 * an ES256 `dpop+jwt` signed by the key in its header, for this method and URL, fresh, its `jti` not seen before,
 * and at a resource server `ath` is the hash of the access token. The answer is the key's RFC 7638 thumbprint.
 */

const json = (part: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

export function createDPoPChecker(origin: () => string) {
  const seenJti = new Set<string>();
  return (req: IncomingMessage, accessToken?: string): { jkt: string } | { error: string } => {
    const proof = req.headers.dpop;
    if (typeof proof !== 'string') return { error: 'no DPoP header' };
    const [h, p, s] = proof.split('.');
    if (h === undefined || p === undefined || s === undefined) return { error: 'not a compact JWS' };
    const header = json(h);
    const claims = json(p);
    const jwk = header.jwk as JsonWebKey & { d?: string };
    if (header.typ !== 'dpop+jwt' || header.alg !== 'ES256' || jwk?.kty !== 'EC' || jwk.d !== undefined) return { error: 'bad header' };
    const key = createPublicKey({ key: jwk, format: 'jwk' });
    if (!verify('sha256', Buffer.from(`${h}.${p}`), { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(s, 'base64url')))
      return { error: 'bad signature' };
    const url = new URL(req.url ?? '/', origin());
    if (claims.htm !== req.method || claims.htu !== `${origin()}${url.pathname}`) return { error: 'wrong htm or htu' };
    if (typeof claims.iat !== 'number' || Math.abs(claims.iat - Date.now() / 1000) > 60) return { error: 'stale iat' };
    if (typeof claims.jti !== 'string' || seenJti.has(claims.jti)) return { error: 'replayed jti' };
    seenJti.add(claims.jti);
    if (accessToken !== undefined && claims.ath !== createHash('sha256').update(accessToken).digest('base64url'))
      return { error: 'wrong ath' };
    const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
    return { jkt: createHash('sha256').update(canonical).digest('base64url') };
  };
}
