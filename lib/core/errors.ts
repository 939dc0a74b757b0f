/**
 * Stable error codes. Match on `error.code`, never on the message.
 */
export const ErrorCode = {
  /** The token source threw or rejected; `cause` holds the (redacted) error. */
  REFRESH_FAILED: 'ERR_TOKEN_REFRESH_FAILED',
  /** The token source did not settle within `refreshTimeoutMs`. */
  REFRESH_TIMEOUT: 'ERR_TOKEN_REFRESH_TIMEOUT',
  /** The token source answered something that is not a usable token. */
  INVALID_TOKEN: 'ERR_INVALID_TOKEN',
  /** `clear()` or `detach()` ran while the refresh was in flight. */
  TOKEN_CLEARED: 'ERR_TOKEN_CLEARED',
  /** The authorization server answered with an RFC 6749 §5.2 error body. */
  OAUTH_ERROR: 'ERR_OAUTH_ERROR',
  /** The authorization server answered something that is not a valid token or discovery response. */
  INVALID_RESPONSE: 'ERR_OAUTH_INVALID_RESPONSE',
  /** The issuer's metadata (RFC 8414 / OIDC Discovery) could not be fetched, or failed validation. Not cached. */
  DISCOVERY_FAILED: 'ERR_OAUTH_DISCOVERY_FAILED',
  /** No refresh token to redeem, or one the server already rejected with `invalid_grant` (never sent twice). */
  REFRESH_TOKEN_UNUSABLE: 'ERR_REFRESH_TOKEN_UNUSABLE',
  /** The revocation endpoint answered 503 or something unexpected, or could not be reached: the token may still be valid (RFC 7009 §2.2.1). */
  REVOCATION_FAILED: 'ERR_OAUTH_REVOCATION_FAILED',
  /** The API needs a scope the token lacks (`insufficient_scope`) and no token with it could be had (issue 10). */
  INSUFFICIENT_SCOPE: 'ERR_INSUFFICIENT_SCOPE',
  /** The API needs a stronger or more recent sign-in (RFC 9470 `insufficient_user_authentication`). */
  STEP_UP_REQUIRED: 'ERR_STEP_UP_REQUIRED',
  /** A `signIn()` failed (the user declined, the code was wrong, the flow expired or was aborted); `cause` says why. */
  SIGN_IN_FAILED: 'ERR_SIGN_IN_FAILED',
  /** A sign-in's own deadline passed (`loopbackAuthorization`'s `timeoutMs`, the device code's `expires_in`). */
  SIGN_IN_TIMEOUT: 'ERR_SIGN_IN_TIMEOUT',
  /** `signIn()` was called while another sign-in of the same token manager was still running. */
  SIGN_IN_IN_PROGRESS: 'ERR_SIGN_IN_IN_PROGRESS',
  /** The authorization response (the redirect back) failed a check: `state`, `iss`, a missing `code` (RFC 6749 §10.12, RFC 9207). */
  AUTHORIZATION_RESPONSE_INVALID: 'ERR_OAUTH_AUTHORIZATION_RESPONSE_INVALID',
  /** The DPoP key pair could not be generated or loaded (`cause` says why); the next proof tries again (issue 11). */
  DPOP_KEY_UNAVAILABLE: 'ERR_DPOP_KEY_UNAVAILABLE',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/**
 * Base class of every error this package creates. `name` equals the class name and `code` is one of
 * {@link ErrorCode}, so both survive a trip through JSON or a second copy of the package.
 */
export class OAuthLockError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    if (options && 'cause' in options) {
      // Non-enumerable like a native `cause`, so JSON.stringify shows only what toJSON chooses.
      Object.defineProperty(this, 'cause', { value: options.cause, writable: true, configurable: true });
    }
  }

  toJSON(): Record<string, unknown> {
    const json: Record<string, unknown> = { name: this.name, code: this.code, message: this.message };
    const cause = (this as { cause?: unknown }).cause;
    if (cause instanceof Error) json.cause = describeCause(cause);
    return json;
  }
}

/**
 * A token could not be obtained: the token source failed, timed out or answered garbage. Every request waiting
 * for that refresh rejects with the same instance.
 * @see RFC 6749 §5.2, §6
 */
export class TokenRefreshError extends OAuthLockError {}

/**
 * The authorization server answered with an RFC 6749 §5.2 error (`invalid_grant`, `invalid_client`, ...).
 * @see RFC 6749 §5.2
 */
export class OAuthError extends OAuthLockError {
  /** The `error` member, e.g. `invalid_grant`. */
  readonly error: string;
  readonly errorDescription?: string;
  readonly errorUri?: string;
  /** HTTP status of the response. */
  readonly status?: number;

  constructor(init: { error: string; errorDescription?: string; errorUri?: string; status?: number }) {
    const detail = init.errorDescription ? `: ${init.errorDescription}` : '';
    super(ErrorCode.OAUTH_ERROR, `Authorization server answered "${init.error}"${detail}`);
    this.error = init.error;
    if (init.errorDescription !== undefined) this.errorDescription = init.errorDescription;
    if (init.errorUri !== undefined) this.errorUri = init.errorUri;
    if (init.status !== undefined) this.status = init.status;
  }

  override toJSON(): Record<string, unknown> {
    return {
      ...super.toJSON(),
      error: this.error,
      errorDescription: this.errorDescription,
      errorUri: this.errorUri,
      status: this.status,
    };
  }
}

/**
 * A sign-in (`handle.signIn()`) failed. The `signIn()` call and every request that waited for it reject with the same
 * instance; `cause` holds the real, redacted error (an {@link OAuthError} such as `access_denied` when the server
 * said no). A {@link TokenRefreshError}, so code that handles "no token could be obtained" handles this too.
 */
export class SignInError extends TokenRefreshError {}

function describeCause(cause: Error): Record<string, unknown> {
  const toJSON = (cause as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') return toJSON.call(cause) as Record<string, unknown>;
  const code = (cause as { code?: unknown }).code;
  return { name: cause.name, message: cause.message, ...(code === undefined ? {} : { code }) };
}

// Guards check the name too, because an ESM and a CJS copy of this package can both be loaded in one process.
function isNamed(value: unknown, name: string, ctor: abstract new (...args: never[]) => unknown): boolean {
  return value instanceof ctor || (value instanceof Error && value.name === name);
}

/** True for a {@link TokenRefreshError} from any copy of this package. */
export function isTokenRefreshError(value: unknown): value is TokenRefreshError {
  return isNamed(value, 'TokenRefreshError', TokenRefreshError);
}

/** True for an {@link OAuthError} from any copy of this package. */
export function isOAuthError(value: unknown): value is OAuthError {
  return isNamed(value, 'OAuthError', OAuthError);
}

/** True for a {@link SignInError} from any copy of this package. */
export function isSignInError(value: unknown): value is SignInError {
  return isNamed(value, 'SignInError', SignInError);
}
