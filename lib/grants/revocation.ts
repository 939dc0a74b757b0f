import type { AxiosResponse } from 'axios';
import { ErrorCode, OAuthLockError } from '../core/errors.js';
import { redactError, scrubSecrets } from '../core/redact.js';
import { describeResponse, oauthErrorFromBody } from './response-body.js';

/**
 * Reads a revocation response. 200 means revoked, or unknown to the server, which is the same for us (RFC 7009
 * §2.2). A 503 means the token may still be valid: thrown as `ERR_OAUTH_REVOCATION_FAILED` so the caller can
 * retry later (§2.2.1). An RFC 6749 §5.2 error body (e.g. `unsupported_token_type`) is an {@link OAuthError}.
 * @see RFC 7009 §2.2, §2.2.1
 */
export function readRevocationResponse(response: AxiosResponse<unknown>, secrets: readonly (string | undefined)[]): void {
  if (response.status === 200) return;
  const oauthError = response.status === 503 ? undefined : oauthErrorFromBody(response, secrets);
  if (oauthError !== undefined) throw oauthError;
  const hint = response.status === 503 ? '; the token may still be valid, try again later' : '';
  throw new OAuthLockError(
    ErrorCode.REVOCATION_FAILED,
    `Revocation failed: the revocation endpoint answered ${describeResponse(response)}${hint}`,
  );
}

/**
 * A revocation request that got no response (connection refused, reset, timed out) as `ERR_OAUTH_REVOCATION_FAILED`,
 * like a 503: the token may still be valid (RFC 7009 §2.2.1). `cause` is the network error, redacted: its
 * `config.data` holds the token being revoked and the client secret.
 * @see RFC 7009 §2.2.1
 */
export function revocationUnreachable(error: unknown, secrets: readonly (string | undefined)[]): OAuthLockError {
  redactError(error, { secrets, redactBody: true });
  const detail = error instanceof Error ? scrubSecrets(error.message, secrets) : 'no response';
  return new OAuthLockError(
    ErrorCode.REVOCATION_FAILED,
    `Revocation failed: the revocation endpoint could not be reached (${detail}); the token may still be valid, try again later`,
    { cause: error },
  );
}
