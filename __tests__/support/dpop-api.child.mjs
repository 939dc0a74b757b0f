// A resource server that verifies DPoP for real (RFC 9449 §7, §4.3): the access token (RS256 JWT of the AS), the
// proof's signature with its own jwk, typ, htm, htu, iat window, jti replay, ath, the token's cnf.jkt against the
// proof key's thumbprint, and its own nonce (the first proof without it gets 401 use_dpop_nonce). Started by
// dpop-api.ts.
import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import { calculateJwkThumbprint, compactVerify, createRemoteJWKSet, decodeProtectedHeader, importJWK, jwtVerify } from 'jose';
import { serveIpc } from './child-ipc.mjs';

const config = JSON.parse(process.env.DPOP_API_CONFIG);
const jwks = createRemoteJWKSet(new URL(config.jwksUrl));
const stats = { requests: 0, accepted: 0, nonceChallenges: 0, rejected: 0, reasons: {}, replayedProofs: 0, distinctTokens: 0 };
const seenJti = new Set();
const seenTokens = new Set();
const revoked = new Set();
let nonce = randomBytes(12).toString('base64url');
let origin;

class Reject extends Error {}
const IAT_WINDOW_SECONDS = 60;

async function verify(req) {
  const match = /^DPoP ([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? '');
  if (!match) throw new Reject('no DPoP token');
  const proof = req.headers.dpop;
  if (typeof proof !== 'string') throw new Reject('no proof');
  const { payload: token } = await jwtVerify(match[1], jwks, { issuer: config.issuer, audience: config.audience });
  if (revoked.has(token.jti)) throw new Reject('token revoked');
  const header = decodeProtectedHeader(proof);
  if (header.typ !== 'dpop+jwt' || !header.jwk || header.jwk.d) throw new Reject('bad proof header');
  const { payload } = await compactVerify(proof, await importJWK(header.jwk, header.alg));
  const claims = JSON.parse(Buffer.from(payload).toString('utf8'));
  if (claims.htm !== req.method) throw new Reject('htm');
  if (claims.htu !== `${origin}${new URL(req.url, origin).pathname}`) throw new Reject('htu');
  if (Math.abs(Date.now() / 1000 - claims.iat) > IAT_WINDOW_SECONDS) throw new Reject('iat');
  if (claims.ath !== createHash('sha256').update(match[1]).digest('base64url')) throw new Reject('ath');
  if (token.cnf?.jkt !== (await calculateJwkThumbprint(header.jwk))) throw new Reject('cnf.jkt');
  if (seenJti.has(claims.jti)) {
    stats.replayedProofs++;
    throw new Reject('jti replayed');
  }
  seenJti.add(claims.jti);
  if (claims.nonce !== nonce) return { nonceChallenge: true };
  return { token };
}

const server = http.createServer(async (req, res) => {
  stats.requests++;
  try {
    const result = await verify(req);
    if (result.nonceChallenge) {
      stats.nonceChallenges++;
      res.writeHead(401, { 'www-authenticate': 'DPoP error="use_dpop_nonce", algs="ES256"', 'dpop-nonce': nonce });
      return res.end();
    }
    stats.accepted++;
    if (!seenTokens.has(result.token.jti)) stats.distinctTokens++;
    seenTokens.add(result.token.jti);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: true, clientId: result.token.client_id }));
  } catch (error) {
    stats.rejected++;
    const reason = error instanceof Reject ? error.message : String(error.code ?? error.message);
    stats.reasons[reason] = (stats.reasons[reason] ?? 0) + 1;
    res.writeHead(401, { 'www-authenticate': 'DPoP error="invalid_token"', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_token', reason }));
  }
});
server.keepAliveTimeout = 1000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
origin = `http://127.0.0.1:${server.address().port}`;

serveIpc(server.address().port, {
  stats: () => ({ ...stats, reasons: { ...stats.reasons } }),
  // Every token accepted so far is refused from now on (401 invalid_token): the client must get a new one.
  revokeSeenTokens: () => {
    seenTokens.forEach((jti) => revoked.add(jti));
  },
  rotateNonce: () => {
    nonce = randomBytes(12).toString('base64url');
  },
});
