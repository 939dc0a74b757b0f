// A protected API (a resource server) that verifies every bearer token for real: RS256 signature against the
// authorization server's JWKS, issuer, audience and expiry, via jose. Started by protected-api.ts.
import http from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { serveIpc } from './child-ipc.mjs';

const config = JSON.parse(process.env.PROTECTED_API_CONFIG);
const jwks = createRemoteJWKSet(new URL(config.jwksUrl));
const stats = { requests: 0, accepted: 0, rejected: 0, distinctTokens: 0 };
const seen = new Set();
const revoked = new Set();

async function verify(header) {
  const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(header ?? '');
  if (!match) throw new Error('no bearer token');
  const { payload } = await jwtVerify(match[1], jwks, { issuer: config.issuer, audience: config.audience });
  if (revoked.has(payload.jti)) throw new Error('token revoked');
  return payload;
}

// A browser page on `corsOrigin` may call: the preflight allows the Authorization header, and the answers are readable.
const cors = config.corsOrigin
  ? { 'access-control-allow-origin': config.corsOrigin, 'access-control-expose-headers': 'www-authenticate', vary: 'origin' }
  : {};

const server = http.createServer(async (req, res) => {
  if (config.corsOrigin && req.method === 'OPTIONS') {
    res.writeHead(204, { ...cors, 'access-control-allow-headers': 'authorization', 'access-control-allow-methods': 'GET, POST' });
    res.end();
    return;
  }
  stats.requests++;
  try {
    const claims = await verify(req.headers.authorization);
    stats.accepted++;
    if (!seen.has(claims.jti)) stats.distinctTokens++;
    seen.add(claims.jti);
    res.writeHead(200, { ...cors, 'content-type': 'application/json' });
    res.end(JSON.stringify({ path: req.url, sub: claims.sub, clientId: claims.client_id, scope: claims.scope }));
  } catch (error) {
    stats.rejected++;
    // RFC 6750 §3: tell the client why, so it knows a new token may help.
    res.writeHead(401, { ...cors, 'www-authenticate': 'Bearer error="invalid_token"', 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: 'invalid_token', reason: String(error.code ?? error.message) }));
  }
});
server.keepAliveTimeout = 1000;
await new Promise((resolve) => server.listen(config.port ?? 0, '127.0.0.1', resolve));

serveIpc(server.address().port, {
  stats: () => ({ ...stats }),
  // Every token accepted so far is refused from now on: the next request gets a 401 and the client must renew.
  revokeSeenTokens: () => {
    seen.forEach((jti) => revoked.add(jti));
    return { revoked: revoked.size };
  },
});
