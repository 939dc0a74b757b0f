import type { TokenSource, TokenSourceContext } from '../core/options.js';
import type { Token, TokenFields } from '../core/token.js';
import type { TokenEndpointClient } from './token-endpoint-client.js';

/**
 * Wraps a grant's fetch function as a {@link TokenSource}, with a `revoke()` when the server may have a revocation
 * endpoint: it revokes the refresh token when there is one, else the access token (RFC 7009 §2.1; revoking the
 * refresh token also ends the access tokens of the same grant on servers that support it).
 */
export function grantTokenSource(
  fetch: (context: Partial<TokenSourceContext>) => Promise<TokenFields>,
  client: TokenEndpointClient,
): TokenSource {
  // A grant may also be called by hand, without a context.
  const source: TokenSource = (context?: TokenSourceContext) => fetch(context ?? {});
  if (client.mayRevoke) {
    source.revoke = (token: Token) =>
      token.refreshToken ? client.revoke(token.refreshToken, 'refresh_token') : client.revoke(token.accessToken, 'access_token');
  }
  return source;
}
