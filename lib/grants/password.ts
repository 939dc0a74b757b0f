import { isOAuthError } from '../core/errors.js';
import type { TokenSource } from '../core/options.js';
import type { TokenEndpointOptions } from './grant-options.js';
import { refreshTokenRedeemer } from './refresh-token.js';
import { createTokenEndpointClient } from './token-endpoint-client.js';
import { grantTokenSource } from './token-source.js';
import { requireWellFormedString } from '../core/validate.js';
import { validateEndpointOptions } from './validate-options.js';

/** Options of {@link passwordGrant}. */
export interface PasswordGrantOptions extends TokenEndpointOptions {
  /** The resource owner's username. */
  username: string;
  /** The resource owner's password. Never put in an error, a log line or a token event. */
  password: string;
}

/**
 * **Legacy.** The resource owner password credentials grant, for first-party setups that cannot move yet. RFC 9700
 * §2.4 says it MUST NOT be used: it teaches users to type passwords into clients and cannot do MFA. Prefer the
 * authorization code flow in your login code, then {@link refreshTokenGrant}.
 *
 * The first token comes from the password; renewals use the refresh token when the server issued one, and go
 * back to the password only if that refresh token is rejected (`invalid_grant`). The password and username are
 * scrubbed from every error this grant throws.
 * @example
 * attachOAuth(api, {
 *   fetchToken: passwordGrant({ tokenUrl, clientId: 'legacy-app', username, password }),
 * });
 * @see RFC 6749 §4.3, §6; RFC 9700 §2.4
 */
export function passwordGrant(options: PasswordGrantOptions): TokenSource {
  const client = createTokenEndpointClient(validateEndpointOptions(options, 'passwordGrant'));
  const username = requireWellFormedString(options.username, 'options.username');
  const password = requireWellFormedString(options.password, 'options.password');
  const redeem = refreshTokenRedeemer(client);
  return grantTokenSource(async ({ lastToken, signal, scope, claims, dpop }) => {
    if (redeem.isUsable(lastToken?.refreshToken)) {
      try {
        return await redeem(lastToken ?? null, signal, { scope, claims, dpop });
      } catch (error) {
        // A dead refresh token is not the end here: the password can start a new grant.
        if (!isOAuthError(error) || error.error !== 'invalid_grant') throw error;
      }
    }
    const grant: Array<[string, string]> = [
      ['grant_type', 'password'],
      ['username', username],
      ['password', password],
    ];
    return client.requestToken(grant, signal, [password, username], { scope, claims, dpop });
  }, client);
}
