// A resource server that checks scopes (issue 10): RS256 JWTs verified with jose against the authorization server's
// JWKS; `GET /read` needs `api:read`, `POST /write` needs `api:write`. A valid token without the scope gets
// 403 with an RFC 6750 §3 insufficient_scope challenge naming the scope; an invalid one gets 401 invalid_token.
import http from 'node:http';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { serveIpc } from './child-ipc.mjs';

const config = JSON.parse(process.env.SCOPED_API_CONFIG);
const jwks = createRemoteJWKSet(new URL(config.jwksUrl));
const NEEDS = { 'GET /read': 'api:read', 'POST /write': 'api:write' };
const stats = { requests: 0, ok: 0, insufficientScope: 0, invalidToken: 0, tokens: [] };

const server = http.createServer(async (req, res) => {
  stats.requests++;
  let claims;
  try {
    const match = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/.exec(req.headers.authorization ?? '');
    if (!match) throw new Error('no bearer token');
    ({ payload: claims } = await jwtVerify(match[1], jwks, { issuer: config.issuer, audience: config.audience }));
  } catch {
    stats.invalidToken++;
    res.writeHead(401, { 'www-authenticate': 'Bearer realm="scoped-api", error="invalid_token"' });
    return res.end();
  }
  if (!stats.tokens.includes(claims.jti)) stats.tokens.push(claims.jti);
  const needed = NEEDS[`${req.method} ${req.url}`];
  const granted = String(claims.scope ?? '').split(' ');
  if (needed !== undefined && !granted.includes(needed)) {
    stats.insufficientScope++;
    res.writeHead(403, {
      'www-authenticate': `Bearer realm="scoped-api", error="insufficient_scope", scope="${needed}", error_description="needs ${needed}"`,
    });
    return res.end();
  }
  stats.ok++;
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ path: req.url, clientId: claims.client_id, scope: claims.scope }));
});
server.keepAliveTimeout = 1000;
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));

serveIpc(server.address().port, { stats: () => ({ ...stats, tokens: stats.tokens.length }) });
