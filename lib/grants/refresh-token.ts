import { ErrorCode, TokenRefreshError, isOAuthError } from '../core/errors.js';
import type { TokenSource } from '../core/options.js';
import type { Token, TokenFields } from '../core/token.js';
import type { RequestContext } from './context-params.js';
import type { TokenEndpointOptions } from './grant-options.js';
import { createTokenEndpointClient, type TokenEndpointClient } from './token-endpoint-client.js';
import { grantTokenSource } from './token-source.js';
import { validateEndpointOptions } from './validate-options.js';

/** Options of {@link refreshTokenGrant}. A public client (no `clientSecret`) authenticates with `'none'`. */
export type RefreshTokenGrantOptions = TokenEndpointOptions;

/** How many rejected refresh tokens a grant remembers; one is the usual case, this only bounds memory. */
const MAX_REJECTED = 32;

/**
 * The refresh token grant: renews the access token with the refresh token of the current token (give the first one
 * with `initialToken`). A rotated refresh token in the response replaces the old one; a response without one keeps
 * it (RFC 6749 §6). `invalid_grant` is terminal: the {@link OAuthError} is thrown, and that refresh token is
 * remembered and never sent again (a later call throws `ERR_REFRESH_TOKEN_UNUSABLE` without a request), because
 * replaying a rejected refresh token can get the whole token family revoked (RFC 9700 §4.14.2).
 * @example
 * attachOAuth(api, {
 *   fetchToken: refreshTokenGrant({ tokenUrl: 'https://auth.example.com/oauth/token', clientId: 'my-app' }),
 *   initialToken: { accessToken, refreshToken, expiresIn: 300 },
 *   onTokenUpdate: (token) => store.save(token), // keep the rotated refresh token
 * });
 * @see RFC 6749 §6, §5.2; RFC 9700 §4.14
 */
export function refreshTokenGrant(options: RefreshTokenGrantOptions): TokenSource {
  const client = createTokenEndpointClient(validateEndpointOptions(options, 'refreshTokenGrant'));
  const redeem = refreshTokenRedeemer(client);
  return grantTokenSource(
    ({ lastToken, signal, scope, claims, dpop }) => redeem(lastToken ?? null, signal, { scope, claims, dpop }),
    client,
  );
}

/** Redeems refresh tokens for one grant, refusing any the server has rejected with `invalid_grant`. */
export function refreshTokenRedeemer(client: TokenEndpointClient): {
  (lastToken: Token | null, signal: AbortSignal | undefined, context?: RequestContext): Promise<TokenFields>;
  isUsable(refreshToken: string | undefined): refreshToken is string;
} {
  const rejected = new Set<string>();
  const isUsable = (refreshToken: string | undefined): refreshToken is string => !!refreshToken && !rejected.has(refreshToken);
  const redeem = async (lastToken: Token | null, signal: AbortSignal | undefined, context?: RequestContext): Promise<TokenFields> => {
    const refreshToken = lastToken?.refreshToken;
    if (!isUsable(refreshToken)) throw unusable(refreshToken === undefined || refreshToken === '');
    try {
      const grant: Array<[string, string]> = [
        ['grant_type', 'refresh_token'],
        ['refresh_token', refreshToken],
      ];
      // RFC 9449 §5.2: a DPoP-bound refresh token is redeemed with a proof of the same key.
      return await client.requestToken(grant, signal, [refreshToken, lastToken?.accessToken], context);
    } catch (error) {
      if (isOAuthError(error) && error.error === 'invalid_grant') {
        if (rejected.size >= MAX_REJECTED) rejected.delete(rejected.values().next().value!);
        rejected.add(refreshToken);
      }
      throw error;
    }
  };
  return Object.assign(redeem, { isUsable });
}

function unusable(missing: boolean): TokenRefreshError {
  const reason = missing
    ? 'there is no refresh token to redeem (install one with setToken(), e.g. after signing in again, or give one with initialToken)'
    : 'the authorization server already rejected this refresh token (invalid_grant), so it is not sent again; sign in again';
  return new TokenRefreshError(ErrorCode.REFRESH_TOKEN_UNUSABLE, `Failed to refresh token: ${reason}`);
}
