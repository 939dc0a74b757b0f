import type { TokenSource } from '../core/options.js';
import { requireFunction, requireWellFormedString } from '../core/validate.js';
import type { TokenEndpointOptions } from './grant-options.js';
import type { TokenProvider } from './token-exchange.js';
import { createTokenEndpointClient } from './token-endpoint-client.js';
import { grantTokenSource } from './token-source.js';
import { validateEndpointOptions } from './validate-options.js';

/** Options of {@link jwtBearerGrant}. */
export interface JwtBearerGrantOptions extends TokenEndpointOptions {
  /**
   * Returns a signed JWT assertion (RFC 7523 §3: `iss`, `sub`, `aud`, `exp`, a fresh `jti`), called once per token
   * request: a new assertion each time. Never put in an error.
   */
  assertion: TokenProvider;
}

const JWT_BEARER = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/**
 * The JWT bearer grant (RFC 7523 §2.1), the way Google service accounts get tokens: the token request carries a
 * JWT the client signed. This version takes the assertion from your function; signing from a key and claims comes
 * with the package's JWS layer.
 * @example
 * attachOAuth(api, { fetchToken: jwtBearerGrant({ tokenUrl, clientId, assertion: () => signServiceAccountJwt() }) });
 * @see RFC 7523 §2.1, §3
 */
export function jwtBearerGrant(options: JwtBearerGrantOptions): TokenSource {
  const { assertion, ...endpoint } = options ?? ({} as JwtBearerGrantOptions);
  const client = createTokenEndpointClient(validateEndpointOptions(endpoint, 'jwtBearerGrant'));
  requireFunction(assertion, 'options.assertion');
  return grantTokenSource(async ({ signal }) => {
    const jwt = requireWellFormedString(await assertion(), 'the assertion() result');
    const grant: Array<[string, string]> = [
      ['grant_type', JWT_BEARER],
      ['assertion', jwt],
    ];
    return client.requestToken(grant, signal, [jwt]);
  }, client);
}
