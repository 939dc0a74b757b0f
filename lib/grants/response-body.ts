import type { AxiosResponse } from 'axios';
import { OAuthError } from '../core/errors.js';
import { scrubSecrets } from '../core/redact.js';
import { headerValue } from './send.js';

/**
 * The response body as a JSON object, or `undefined` for anything else (HTML error page, empty body, an array):
 * a proxy's HTML 502 must become a typed error, never a `SyntaxError` from `JSON.parse`.
 */
export function jsonObjectBody(response: AxiosResponse<unknown>): Record<string, unknown> | undefined {
  let body = response.data;
  if (typeof body === 'string') {
    try {
      body = JSON.parse(body) as unknown;
    } catch {
      return undefined;
    }
  }
  return body !== null && typeof body === 'object' && !Array.isArray(body) ? (body as Record<string, unknown>) : undefined;
}

/** "HTTP 502 with a text/html body": the status and media type only; the body itself may echo secrets. */
export function describeResponse(response: AxiosResponse<unknown>): string {
  const data = response.data;
  const empty = data === undefined || data === null || data === '';
  const mediaType = /^[\w.+-]+\/[\w.+-]+/.exec(headerValue(response, 'content-type') ?? '')?.[0];
  const what = empty ? 'an empty body' : mediaType ? `a ${mediaType} body` : 'a body of no declared type';
  return `HTTP ${response.status} with ${what}`;
}

/**
 * An RFC 6749 §5.2 error body (`{"error": "invalid_grant", ...}`) as an {@link OAuthError}, or `undefined` when
 * the body is not one. Known secrets are scrubbed from the description: some servers echo the rejected value.
 * @see RFC 6749 §5.2, RFC 7009 §2.2.1
 */
export function oauthErrorFromBody(response: AxiosResponse<unknown>, secrets: readonly (string | undefined)[]): OAuthError | undefined {
  const body = jsonObjectBody(response);
  if (body === undefined || typeof body.error !== 'string' || body.error.length === 0) return undefined;
  const scrub = (text: string): string =>
    scrubSecrets(
      text,
      secrets.filter((s): s is string => !!s),
    );
  return new OAuthError({
    error: scrub(body.error),
    ...(typeof body.error_description === 'string' ? { errorDescription: scrub(body.error_description) } : {}),
    ...(typeof body.error_uri === 'string' ? { errorUri: body.error_uri } : {}),
    status: response.status,
  });
}
