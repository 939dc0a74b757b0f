import { issuerMetadata } from './issuer-metadata.js';
import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import type { TokenSource } from '../core/options.js';
import { requireWellFormedString } from '../core/validate.js';
import { checkRedirectUri } from './authorization-request.js';
import { callbackParams, checkAuthorizationResponse } from './authorization-response.js';
import type { TokenEndpointOptions } from './grant-options.js';
import { CODE_VERIFIER } from './pkce.js';
import { createTokenEndpointClient } from './token-endpoint-client.js';
import { grantTokenSource } from './token-source.js';
import { validateEndpointOptions, type ResolvedEndpointOptions } from './validate-options.js';

/** Options of {@link authorizationCodeGrant}: the saved {@link AuthorizationRequest}, the callback, and the server. */
export interface AuthorizationCodeGrantOptions extends TokenEndpointOptions {
  /** The redirect URI of the authorization request, repeated in the token request (RFC 6749 §4.1.3). */
  redirectUri: string;
  /** The URL the browser came back to (`location.href`), with `code`, `state` and maybe `iss` or `error`. */
  callbackUrl: string | URL;
  /** The `state` of the authorization request. */
  state: string;
  /** The PKCE code verifier of the authorization request. */
  codeVerifier: string;
  /** Ignored: accepted so that a saved {@link AuthorizationRequest} can be spread in as it is. */
  url?: string;
}

/**
 * The authorization code grant with PKCE, as a one-shot source for `signIn()`: checks the callback (`state`; `iss`
 * against the issuer, required when the server advertises `authorization_response_iss_parameter_supported` and
 * refused whenever it differs; an `error` answer becomes an {@link OAuthError}), then redeems the code with its
 * `code_verifier`. An authorization code is good once (RFC 6749 §4.1.2), so a second call throws; renewals are the
 * job of `fetchToken` (e.g. {@link refreshTokenGrant}). `iss` can only be compared when `issuer` is given.
 *
 * The ID token, if any, is not validated: this is an API client. For an OpenID Connect login, use openid-client.
 * @example
 * const saved = JSON.parse(sessionStorage.getItem('oauth')!);
 * await auth.signIn(authorizationCodeGrant({ issuer, clientId, callbackUrl: location.href, ...saved }));
 * @see RFC 6749 §4.1, RFC 7636 §4.5, RFC 9207, RFC 9700 §2.1.1
 */
export function authorizationCodeGrant(options: AuthorizationCodeGrantOptions): TokenSource {
  const resolved = validateEndpointOptions(options, 'authorizationCodeGrant');
  const redirectUri = checkRedirectUri(options.redirectUri, 'options.redirectUri');
  const state = requireWellFormedString(options.state, 'options.state');
  const codeVerifier = requireWellFormedString(options.codeVerifier, 'options.codeVerifier');
  if (!CODE_VERIFIER.test(codeVerifier)) {
    throw new TypeError('"options.codeVerifier" must be 43 to 128 characters of A-Z a-z 0-9 - . _ ~ (RFC 7636 §4.1)');
  }
  const params = callbackParams(options.callbackUrl, 'options.callbackUrl');
  return redeemingSource(resolved, params, { state, codeVerifier, redirectUri });
}

/** The source that checks the callback and redeems its code once; shared with the loopback flow. */
export function redeemingSource(
  resolved: ResolvedEndpointOptions,
  params: URLSearchParams,
  request: { state: string; codeVerifier: string; redirectUri: string },
): TokenSource {
  const client = createTokenEndpointClient(resolved);
  let used = false;
  return grantTokenSource(async ({ signal, scope, claims, dpop }) => {
    if (used) throw alreadyRedeemed();
    used = true;
    const { source } = resolved;
    const metadata = 'issuer' in source ? await issuerMetadata(resolved, source, signal) : undefined;
    const code = checkAuthorizationResponse(params, {
      state: request.state,
      ...(metadata === undefined ? {} : { issuer: metadata.issuer }),
      issRequired: metadata?.issParameterSupported === true,
    });
    const grant: Array<[string, string]> = [
      ['grant_type', 'authorization_code'],
      ['code', code],
      ['redirect_uri', request.redirectUri],
      ['code_verifier', request.codeVerifier],
    ];
    // The context's DPoP proof maker binds the first token to the manager's key, as a refresh would (RFC 9449 §5).
    return client.requestToken(grant, signal, [code, request.codeVerifier, request.state], { scope, claims, dpop });
  }, client);
}

function alreadyRedeemed(): TokenRefreshError {
  return new TokenRefreshError(
    ErrorCode.AUTHORIZATION_RESPONSE_INVALID,
    'Invalid authorization response: its code was already redeemed (a code is good once); pass this source to signIn(), and a refreshTokenGrant() as fetchToken',
  );
}
