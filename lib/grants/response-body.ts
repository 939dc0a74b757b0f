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
 * the body is not one. Some servers echo the rejected request, so every member we keep (`error`,
 * `error_description`, `error_uri`) is scrubbed of the known secrets and of the credential this request sent in
 * its `Authorization` header (the `Basic` base64 of `id:secret`), in every encoding {@link scrubSecrets} knows.
 * @see RFC 6749 §5.2, RFC 7009 §2.2.1
 */
export function oauthErrorFromBody(response: AxiosResponse<unknown>, secrets: readonly (string | undefined)[]): OAuthError | undefined {
  const body = jsonObjectBody(response);
  if (body === undefined || typeof body.error !== 'string' || body.error.length === 0) return undefined;
  const all = [...secrets, ...sentCredentials(response)];
  const scrub = (text: string): string => scrubSecrets(text, all);
  return new OAuthError({
    error: scrub(body.error),
    ...(typeof body.error_description === 'string' ? { errorDescription: scrub(body.error_description) } : {}),
    ...(typeof body.error_uri === 'string' ? { errorUri: scrub(body.error_uri) } : {}),
    status: response.status,
  });
}

/** The `Authorization` value the request sent, and its credential alone (`Basic <base64>` → `<base64>`). */
function sentCredentials(response: AxiosResponse<unknown>): string[] {
  const headers = response.config?.headers as (Record<string, unknown> & { get?: (name: string) => unknown }) | undefined;
  if (headers === undefined || headers === null) return [];
  const value =
    typeof headers.get === 'function'
      ? headers.get('authorization')
      : Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  if (typeof value !== 'string' || value === '') return [];
  return [value, value.replace(/^\S+\s+/, '')];
}
