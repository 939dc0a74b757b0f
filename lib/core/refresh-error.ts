import { ErrorCode, TokenRefreshError } from './errors.js';
import { redactError, scrubSecrets } from './redact.js';
import type { Token } from './token.js';

/**
 * Wraps whatever a refresh threw into the one {@link TokenRefreshError} every waiter receives, after taking the
 * secrets out of it: a token source's AxiosError carries the client secret and refresh token in `config.data`, and
 * a message may quote the tokens being replaced.
 */
export function toRefreshError(error: unknown, lastToken: Token | null): TokenRefreshError {
  const secrets = [lastToken?.accessToken, lastToken?.refreshToken].filter((s): s is string => typeof s === 'string' && s !== '');
  redactError(error, { secrets, redactBody: true });
  if (error instanceof TokenRefreshError) return error;
  const summary = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new TokenRefreshError(ErrorCode.REFRESH_FAILED, `Failed to refresh token: ${scrubSecrets(summary, secrets)}`, { cause: error });
}
