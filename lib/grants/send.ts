import { isCancel, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { redactError } from '../core/redact.js';
import { abortReason } from '../core/abortable.js';

/** Bounds on talking to the authorization server (RFC 9700 §4 / reliability S-27: never a retry storm). */
export interface RetryPolicy {
  /** Time limit of one attempt. */
  timeoutMs: number;
  /** Extra attempts after a network error, a 5xx or a 429. */
  maxRetries: number;
  /** First backoff delay; doubles per retry, times a jitter factor in [0.5, 1). */
  retryDelayMs: number;
  /** Cap on any wait, `Retry-After` included. */
  maxRetryDelayMs: number;
}

/**
 * Sends one request to the authorization server, retrying transient failures (no response, 5xx, 429) with
 * exponential backoff and jitter, or after the server's `Retry-After` (capped). Resolves with the last response
 * whatever its status; rejects with the network error, redacted, when no attempt got a response.
 * Redirects are not followed: the request carries credentials (RFC 9700 §4.12; reliability S-10).
 * @param secrets values to scrub from a network error's message and stack, besides its body and credential headers.
 */
export async function sendWithRetries(
  http: AxiosInstance,
  config: AxiosRequestConfig,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  secrets: readonly (string | undefined)[],
): Promise<AxiosResponse<unknown>> {
  for (let attempt = 0; ; attempt++) {
    let response: AxiosResponse<unknown>;
    try {
      response = await http.request<unknown>({
        ...config,
        timeout: policy.timeoutMs,
        maxRedirects: 0,
        validateStatus: () => true,
        responseType: 'text',
        ...(signal === undefined ? {} : { signal }),
      });
    } catch (error) {
      redactError(error, { secrets, redactBody: true });
      if (attempt >= policy.maxRetries || isCancel(error) || signal?.aborted) throw error;
      await sleep(backoffMs(policy, attempt), signal);
      continue;
    }
    if (attempt >= policy.maxRetries || !isTransient(response.status)) return response;
    await sleep(delayMs(policy, attempt, response), signal);
  }
}

function isTransient(status: number): boolean {
  return status === 429 || status >= 500;
}

function delayMs(policy: RetryPolicy, attempt: number, response: AxiosResponse<unknown>): number {
  const retryAfterMs = parseRetryAfterMs(headerValue(response, 'retry-after'), Date.now());
  if (retryAfterMs === undefined) return backoffMs(policy, attempt);
  return Math.min(retryAfterMs, policy.maxRetryDelayMs);
}

function backoffMs(policy: RetryPolicy, attempt: number): number {
  // Jitter spreads the retries of many clients that failed together (e.g. an auth server restart).
  const jitter = 0.5 + Math.random() / 2;
  return Math.min(policy.retryDelayMs * 2 ** attempt * jitter, policy.maxRetryDelayMs);
}

/**
 * `Retry-After` as delay-seconds or an HTTP-date, in ms from `now`; `undefined` when absent or unreadable.
 * @see RFC 9110 §10.2.3
 */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A response header as a single string, whatever shape the adapter gave the headers in. */
export function headerValue(response: AxiosResponse<unknown>, name: string): string | undefined {
  const headers = response.headers as Record<string, unknown> & { get?: (n: string) => unknown };
  const value = typeof headers?.get === 'function' ? headers.get(name) : headers?.[name];
  if (Array.isArray(value)) return value.join(', ');
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortReason(signal));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    // A backoff must not keep the process alive on its own (DESIGN rule 7).
    (timer as { unref?: () => void }).unref?.();
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
