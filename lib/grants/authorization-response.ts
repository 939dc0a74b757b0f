import { ErrorCode, OAuthError, TokenRefreshError } from '../core/errors.js';
import { sameIssuer } from './discovery.js';

/** What the callback must match, besides its `state`. */
export interface ResponseExpectations {
  state: string;
  /** The issuer the client talks to, when known (from `issuer`): a present `iss` must be this one (RFC 9207 §2.4). */
  issuer?: string;
  /** The server advertises `authorization_response_iss_parameter_supported`: a response without `iss` is refused. */
  issRequired: boolean;
}

/** The parameters of an authorization response: the query, or the fragment when the query is empty. */
export function callbackParams(callbackUrl: string | URL, path: string): URLSearchParams {
  let url: URL;
  try {
    url = new URL(String(callbackUrl));
  } catch {
    throw new TypeError(`"${path}" must be the absolute URL the browser was sent back to`);
  }
  if (url.search === '' && url.hash.length > 1) return new URLSearchParams(url.hash.slice(1));
  return url.searchParams;
}

/**
 * Checks an authorization response and returns its code. Order matters: `state` first, so that a response that is
 * not for this request (a CSRF or a stale tab) is refused before anything in it is believed, its `error` included;
 * then `iss`, also on error responses (RFC 9207 §2.4), against mix-up attacks; then `error`; then `code`.
 * Never quotes `state` or `code` (secrets of the sign-in).
 * @see RFC 6749 §4.1.2, §4.1.2.1, §10.12; RFC 9207 §2.4; RFC 9700 §4.4
 */
export function checkAuthorizationResponse(params: URLSearchParams, expected: ResponseExpectations): string {
  if (params.getAll('state').length !== 1 || params.get('state') !== expected.state) {
    throw invalid('its "state" does not match the one sent (RFC 6749 §10.12): it is not the answer to this request');
  }
  const iss = params.getAll('iss');
  if (iss.length > 1) throw invalid('it has more than one "iss"');
  if (iss.length === 1 && expected.issuer !== undefined && !sameIssuer(iss[0]!, expected.issuer)) {
    throw invalid(`its "iss" is not ${expected.issuer} (RFC 9207 §2.4): it may come from another authorization server`);
  }
  if (iss.length === 0 && expected.issRequired) {
    throw invalid('it has no "iss", which the server says it always sends (RFC 9207 §2.4)');
  }
  const error = params.get('error');
  if (error !== null && error !== '') {
    const description = params.get('error_description');
    const uri = params.get('error_uri');
    throw new OAuthError({
      error,
      ...(description === null ? {} : { errorDescription: description }),
      ...(uri === null ? {} : { errorUri: uri }),
    });
  }
  const codes = params.getAll('code');
  if (codes.length !== 1 || codes[0] === '') throw invalid('it has no "code" (or more than one)');
  return codes[0]!;
}

function invalid(reason: string): TokenRefreshError {
  return new TokenRefreshError(ErrorCode.AUTHORIZATION_RESPONSE_INVALID, `Invalid authorization response: ${reason}`);
}
