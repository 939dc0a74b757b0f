import type { AxiosResponse } from 'axios';
import { ErrorCode, TokenRefreshError } from '../core/errors.js';
import type { TokenFields } from '../core/token.js';
import { describeResponse, jsonObjectBody, oauthErrorFromBody } from './response-body.js';

/**
 * Turns the token endpoint's answer into token fields. Throws an {@link OAuthError} for an RFC 6749 §5.2 error
 * body, and a {@link TokenRefreshError} with code `ERR_OAUTH_INVALID_RESPONSE` for anything else that is not a
 * valid token response. Unknown members are ignored (RFC 6749 §5.1).
 * @see RFC 6749 §5.1, §5.2
 */
export function readTokenResponse(
  response: AxiosResponse<unknown>,
  secrets: readonly (string | undefined)[],
  dpopSent = false,
): TokenFields {
  const ok = response.status >= 200 && response.status < 300;
  const body = jsonObjectBody(response);
  if (!ok) {
    throw oauthErrorFromBody(response, secrets) ?? invalidResponse(`the token endpoint answered ${describeResponse(response)}`);
  }
  if (body === undefined) throw invalidResponse(`the token endpoint answered ${describeResponse(response)}, not a JSON object`);
  return tokenFields(body, dpopSent);
}

function tokenFields(body: Record<string, unknown>, dpopSent: boolean): TokenFields {
  const accessToken = body.access_token;
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw invalidResponse('"access_token" is missing or not a non-empty string');
  }
  const fields: TokenFields = { accessToken, tokenType: tokenType(body.token_type, dpopSent) };
  const expiresIn = body.expires_in;
  if (expiresIn !== undefined && expiresIn !== null) fields.expiresIn = seconds(expiresIn);
  const refreshToken = optionalString(body.refresh_token, 'refresh_token');
  if (refreshToken) fields.refreshToken = refreshToken;
  const scope = optionalString(body.scope, 'scope');
  if (scope !== undefined) fields.scope = scope;
  const issuedTokenType = optionalString(body.issued_token_type, 'issued_token_type');
  if (issuedTokenType !== undefined) fields.issuedTokenType = issuedTokenType;
  return fields;
}

/**
 * RFC 6749 §5.1: token_type is case-insensitive. RFC 9700 / S-12: never use a type we cannot send (mac, ...).
 * `DPoP` only when our request carried a proof (RFC 9449 §5); a server that answers `Bearer` despite the proof
 * issued a plain bearer token, and it is used as one, with no proof (RFC 9449 §5).
 */
function tokenType(value: unknown, dpopSent: boolean): string {
  if (value === undefined || value === null) return 'Bearer';
  if (typeof value !== 'string') throw invalidResponse('"token_type" is not a string');
  const lower = value.toLowerCase();
  if (lower === 'bearer') return 'Bearer';
  if (lower === 'dpop' && dpopSent) return 'DPoP';
  const shown = /^[\w.-]{1,20}$/.test(value) ? `"${value}"` : 'this value';
  const why =
    lower === 'dpop'
      ? 'no DPoP proof was sent (set "dpop" in attachOAuth)'
      : 'only Bearer and DPoP tokens can be sent (RFC 6750, RFC 9449)';
  throw invalidResponse(`"token_type" ${shown} is not supported; ${why}`);
}

function seconds(value: unknown): number {
  const n = typeof value === 'string' && /^\s*\d+(\.\d+)?\s*$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isFinite(n) || n < 0) {
    throw invalidResponse('"expires_in" is not a non-negative number of seconds');
  }
  return n;
}

function optionalString(value: unknown, name: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidResponse(`"${name}" is not a string`);
  return value;
}

function invalidResponse(reason: string): TokenRefreshError {
  return new TokenRefreshError(ErrorCode.INVALID_RESPONSE, `Invalid token response: ${reason}`);
}
