import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import type { TokenSource } from '../core/options.js';
import { requireFunction, requireWellFormedString } from '../core/validate.js';
import type { TokenEndpointOptions } from './grant-options.js';
import { createTokenEndpointClient } from './token-endpoint-client.js';
import { grantTokenSource } from './token-source.js';
import { validateEndpointOptions } from './validate-options.js';

/** A token the grant asks for at each exchange: the caller's current one, say. */
export type TokenProvider = () => string | Promise<string>;

/** Options of {@link tokenExchangeGrant}. */
export interface TokenExchangeGrantOptions extends TokenEndpointOptions {
  /** The token of the party the new token acts for; called once per exchange. Never put in an error. */
  subjectToken: TokenProvider;
  /** Its type, e.g. `'urn:ietf:params:oauth:token-type:access_token'`. */
  subjectTokenType: string;
  /** The token of the acting party, for delegation (RFC 8693 §1.1). @default undefined (impersonation) */
  actorToken?: TokenProvider;
  /** Its type; required with `actorToken`. @default undefined */
  actorTokenType?: string;
  /** The type of token wanted; the response's `issued_token_type` must be it. @default undefined (the server's choice) */
  requestedTokenType?: string;
}

const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';

/**
 * The token exchange grant: a service acting for its caller swaps the caller's token (`subjectToken`, fetched per
 * exchange) for one meant for a downstream API (`audience`, `resource`, `scope`). Renewal is another exchange. The
 * response's `issued_token_type` is required (RFC 8693 §2.2.1) and must equal `requestedTokenType` when one was
 * asked for; a `token_type` of `N_A` (a token that is not an access token) is refused, since it cannot go in a header.
 * @example
 * attachOAuth(downstream, { fetchToken: tokenExchangeGrant({ issuer, clientId, clientSecret,
 *   subjectToken: () => incomingToken, subjectTokenType: 'urn:ietf:params:oauth:token-type:access_token',
 *   audience: 'https://downstream.example.com' }) });
 * @see RFC 8693 §2
 */
export function tokenExchangeGrant(options: TokenExchangeGrantOptions): TokenSource {
  const { subjectToken, subjectTokenType, actorToken, actorTokenType, requestedTokenType, ...endpoint } =
    options ?? ({} as TokenExchangeGrantOptions);
  const client = createTokenEndpointClient(validateEndpointOptions(endpoint, 'tokenExchangeGrant'));
  requireFunction(subjectToken, 'options.subjectToken');
  requireWellFormedString(subjectTokenType, 'options.subjectTokenType');
  if (actorToken !== undefined) {
    requireFunction(actorToken, 'options.actorToken');
    requireWellFormedString(actorTokenType, 'options.actorTokenType');
  } else if (actorTokenType !== undefined) {
    throw new TypeError('"options.actorTokenType" needs "options.actorToken"');
  }
  if (requestedTokenType !== undefined) requireWellFormedString(requestedTokenType, 'options.requestedTokenType');
  return grantTokenSource(async ({ signal, scope, claims, dpop }) => {
    const subject = requireWellFormedString(await subjectToken(), 'the subjectToken() result');
    const actor = actorToken === undefined ? undefined : requireWellFormedString(await actorToken(), 'the actorToken() result');
    const grant: Array<[string, string]> = [
      ['grant_type', TOKEN_EXCHANGE],
      ['subject_token', subject],
      ['subject_token_type', subjectTokenType],
    ];
    if (actor !== undefined) grant.push(['actor_token', actor], ['actor_token_type', actorTokenType!]);
    if (requestedTokenType !== undefined) grant.push(['requested_token_type', requestedTokenType]);
    const fields = await client.requestToken(grant, signal, [subject, actor], { scope, claims, dpop });
    if (fields.issuedTokenType === undefined) throw invalid('"issued_token_type" is missing (RFC 8693 §2.2.1)');
    if (requestedTokenType !== undefined && fields.issuedTokenType !== requestedTokenType) {
      throw invalid(`"issued_token_type" is not the requested ${requestedTokenType}`);
    }
    return fields;
  }, client);
}

function invalid(reason: string): TokenRefreshError {
  return new TokenRefreshError(ErrorCode.INVALID_RESPONSE, `Invalid token response: ${reason}`);
}
