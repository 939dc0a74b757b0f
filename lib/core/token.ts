import { ErrorCode, TokenRefreshError } from './errors.js';

/** A token as the store keeps it. */
export interface Token {
  /** The access token sent to the API. */
  accessToken: string;
  /** The `token_type` the server gave, used as the header scheme. `'Bearer'` when none was given. */
  tokenType: string;
  /** When the access token expires, in epoch milliseconds. `undefined`: unknown, so a 401 is the only signal. */
  expiresAt?: number;
  /** The refresh token, when the server issued one (kept from the previous token when a refresh omits it). */
  refreshToken?: string;
  /** The granted scope, space-delimited. */
  scope?: string;
  /** When the token was requested, in epoch milliseconds (expiry counts from the request, not the response). */
  obtainedAt: number;
}

/** A token in the shape the caller has it: camelCase. */
export interface TokenFields {
  accessToken: string;
  /** Lifetime in seconds from now. */
  expiresIn?: number | string;
  /** Expiry in epoch milliseconds; wins over `expiresIn`. */
  expiresAt?: number;
  refreshToken?: string;
  tokenType?: string;
  scope?: string;
  /** RFC 8693 §2.2.1 `issued_token_type`, from a token exchange: what kind of token `accessToken` is. */
  issuedTokenType?: string;
}

/**
 * A token response as RFC 6749 §5.1 puts it on the wire.
 * @see RFC 6749 §5.1
 */
export interface TokenResponseJson {
  access_token: string;
  token_type?: string;
  expires_in?: number | string;
  refresh_token?: string;
  scope?: string;
}

/** What a token source may return: camelCase fields, the raw RFC 6749 JSON, or a bare access token string. */
export type TokenInput = string | TokenFields | TokenResponseJson;

/** RFC 6750 §2.1 `b64token`: anything else could break or inject into the header. */
const B64TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/;
const JWT_SHAPE = /^[A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]*$/;

/**
 * Turns whatever a token source returned into a {@link Token}, or throws a {@link TokenRefreshError} with code
 * `ERR_INVALID_TOKEN` naming what was wrong (never the value itself, which may be a secret).
 * @param obtainedAt epoch ms at which the token was requested; `expiresIn` counts from here.
 * @see RFC 6749 §5.1
 */
export function normalizeToken(input: unknown, obtainedAt: number): Token {
  return readToken(input, obtainedAt, invalid);
}

/** What a bad token is turned into: the reason names the field at fault, never its value. */
export type InvalidTokenError = (reason: string) => Error;

/** {@link normalizeToken} with the error of the caller's choosing (a TypeError for an option, say). */
export function readToken(input: unknown, obtainedAt: number, fail: InvalidTokenError): Token {
  try {
    return parse(input, obtainedAt);
  } catch (error) {
    if (error instanceof InvalidToken) throw fail(error.message);
    throw error;
  }
}

/** Internal: the reason a token is unusable, before it becomes the error the caller wants. */
class InvalidToken extends Error {}

function parse(input: unknown, obtainedAt: number): Token {
  const fields = readFields(input);
  const accessToken = fields.accessToken;
  if (typeof accessToken !== 'string' || accessToken.length === 0) {
    throw problem('the access token is missing or not a non-empty string');
  }
  if (!B64TOKEN.test(accessToken)) {
    throw problem('the access token has characters not allowed in an Authorization header (RFC 6750 §2.1)');
  }
  const token: Token = { accessToken, tokenType: readTokenType(fields.tokenType), obtainedAt };
  const expiresAt = readExpiresAt(fields, obtainedAt) ?? jwtExpiresAt(accessToken);
  if (expiresAt !== undefined) token.expiresAt = expiresAt;
  const refreshToken = optionalString(fields.refreshToken, 'refresh token');
  if (refreshToken !== undefined) token.refreshToken = refreshToken;
  const scope = optionalString(fields.scope, 'scope');
  if (scope !== undefined) token.scope = scope;
  return token;
}

interface LooseFields {
  accessToken?: unknown;
  tokenType?: unknown;
  expiresIn?: unknown;
  expiresAt?: unknown;
  refreshToken?: unknown;
  scope?: unknown;
}

function readFields(input: unknown): LooseFields {
  if (typeof input === 'string') return { accessToken: input };
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw problem(`the token source returned ${describe(input)} instead of a token`);
  }
  const o = input as Record<string, unknown>;
  const wire = !('accessToken' in o) && 'access_token' in o;
  if (!wire) return o;
  return {
    accessToken: o.access_token,
    tokenType: o.token_type,
    expiresIn: o.expires_in,
    refreshToken: o.refresh_token,
    scope: o.scope,
  };
}

function readTokenType(value: unknown): string {
  if (value === undefined || value === null) return 'Bearer';
  if (typeof value !== 'string' || !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(value)) {
    throw problem('the token type is not a valid header scheme');
  }
  // RFC 6749 §5.1: token_type is case-insensitive; some APIs reject anything but the canonical "Bearer" (and "DPoP").
  const lower = value.toLowerCase();
  return lower === 'bearer' ? 'Bearer' : lower === 'dpop' ? 'DPoP' : value;
}

function readExpiresAt(fields: LooseFields, obtainedAt: number): number | undefined {
  if (fields.expiresAt !== undefined && fields.expiresAt !== null) {
    if (typeof fields.expiresAt !== 'number' || !Number.isFinite(fields.expiresAt)) {
      throw problem('expiresAt is not a finite number of epoch milliseconds');
    }
    return fields.expiresAt;
  }
  if (fields.expiresIn === undefined || fields.expiresIn === null) return undefined;
  const seconds = typeof fields.expiresIn === 'string' && fields.expiresIn.trim() !== '' ? Number(fields.expiresIn) : fields.expiresIn;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) {
    throw problem('expires_in is not a number of seconds');
  }
  return obtainedAt + Math.max(0, seconds) * 1000;
}

/** With no expiry given, a JWT access token's own `exp` claim is the best estimate. */
function jwtExpiresAt(accessToken: string): number | undefined {
  const match = JWT_SHAPE.exec(accessToken);
  if (!match) return undefined;
  try {
    const base64 = match[1]!.replace(/-/g, '+').replace(/_/g, '/');
    const payload: unknown = JSON.parse(atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '=')));
    const exp = (payload as { exp?: unknown } | null)?.exp;
    return typeof exp === 'number' && Number.isFinite(exp) ? exp * 1000 : undefined;
  } catch {
    return undefined; // Opaque tokens that merely look like a JWT are fine: the 401 is the backstop.
  }
}

function optionalString(value: unknown, what: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw problem(`the ${what} is not a string`);
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'undefined' ? 'nothing' : `a ${typeof value}`;
}

function invalid(reason: string): TokenRefreshError {
  return new TokenRefreshError(ErrorCode.INVALID_TOKEN, `Failed to refresh token: ${reason}`);
}

function problem(reason: string): InvalidToken {
  return new InvalidToken(reason);
}
