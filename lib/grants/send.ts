import { AxiosError, isCancel, type AxiosInstance, type AxiosRequestConfig, type AxiosResponse } from 'axios';
import { redactError } from '../core/redact.js';
import { abortReason, settleOrAbort } from '../core/abortable.js';
import { observeAttempt, type AttemptOutcome, type TokenRequestTrace } from './token-request-trace.js';

/** Bounds on talking to the authorization server (RFC 9700 §4 / reliability S-27: never a retry storm). */
export interface RetryPolicy {
  /** Total time limit of one attempt, from sending the request to the last byte of the response. */
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
 * whatever its status; rejects with the network error, redacted, when no attempt got a response, or with the
 * caller's abort reason as soon as `signal` aborts.
 * Redirects are not followed: the request carries credentials (RFC 9700 §4.12; reliability S-10).
 * @param config the request, or a function that builds each attempt's request (fresh single-use credentials).
 * @param secrets values to scrub from a network error's message and stack, besides its body and credential headers.
 * @param trace for a token endpoint request: each attempt is a `token-request` event and trace.
 */
export async function sendWithRetries(
  http: AxiosInstance,
  config: AxiosRequestConfig | (() => Promise<AxiosRequestConfig>),
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  secrets: readonly (string | undefined)[],
  trace?: TokenRequestTrace,
): Promise<AxiosResponse<unknown>> {
  for (let attempt = 0; ; attempt++) {
    // A function builds each attempt anew: a client assertion or a DPoP proof is single-use, and a retry that
    // resent one would be refused as a replay (RFC 7523 §3 jti, RFC 9449 §11.1).
    const attemptConfig = typeof config === 'function' ? await config() : config;
    const outcome = await observeAttempt(trace, attempt, () => tryOnce(http, attemptConfig, policy, signal, secrets, attempt));
    if (outcome.retryDelayMs === undefined) return outcome.response!;
    await sleep(outcome.retryDelayMs, signal);
  }
}

/** One attempt, and what follows it: its response to return, or the wait before the next; the last failure throws. */
async function tryOnce(
  http: AxiosInstance,
  config: AxiosRequestConfig,
  policy: RetryPolicy,
  signal: AbortSignal | undefined,
  secrets: readonly (string | undefined)[],
  attempt: number,
): Promise<AttemptOutcome> {
  let response: AxiosResponse<unknown>;
  try {
    response = await sendOnce(http, config, policy.timeoutMs, signal);
  } catch (error) {
    // The caller's own abort reason is theirs and holds nothing of ours: passed on untouched (a DOMException's
    // message cannot even be written).
    if (error !== signal?.reason) redactError(error, { secrets, redactBody: true });
    if (attempt >= policy.maxRetries || isCancel(error) || signal?.aborted) throw error;
    return { error, retryDelayMs: backoffMs(policy, attempt) };
  }
  if (attempt >= policy.maxRetries || !isTransient(response.status)) return { response };
  return { response, retryDelayMs: delayMs(policy, attempt, response) };
}

/**
 * One attempt under a total deadline of `timeoutMs`. Axios' `timeout` is a socket-idle timeout in Node: a server that
 * trickles one byte at a time never trips it (issue 9). So the attempt also races a timer, which aborts the request
 * through its `signal` (freeing the socket) and settles even with an adapter that ignores signals. The timer is not
 * `unref()`'d: someone awaits this attempt, and it must not let the process exit under them (DESIGN rule 3).
 */
async function sendOnce(
  http: AxiosInstance,
  config: AxiosRequestConfig,
  timeoutMs: number,
  signal: AbortSignal | undefined,
): Promise<AxiosResponse<unknown>> {
  if (signal?.aborted) throw abortReason(signal);
  const controller = new AbortController();
  const forwardAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener('abort', forwardAbort, { once: true });
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(attemptTimeout(config, timeoutMs)); // first, so that the race settles with it and not axios' cancel
      controller.abort();
    }, timeoutMs);
  });
  const request = http.request<unknown>({
    ...config,
    timeout: timeoutMs,
    maxRedirects: 0,
    validateStatus: () => true,
    responseType: 'text',
    signal: controller.signal,
  });
  request.catch(ignore); // the deadline or the caller's abort may win; the late rejection stays observed
  try {
    const raced = Promise.race([request, deadline]);
    return await (signal === undefined ? raced : settleOrAbort(raced, signal, () => abortReason(signal)));
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', forwardAbort);
  }
}

/**
 * The error of an attempt that ran out of time: the one axios gives for its own timeout, so that a caller sees one
 * error whichever of the two fired. Its config has no body or headers: they hold credentials.
 */
function attemptTimeout(config: AxiosRequestConfig, timeoutMs: number): AxiosError {
  const { method, url } = config;
  return new AxiosError(`timeout of ${timeoutMs}ms exceeded`, AxiosError.ECONNABORTED, { method, url, timeout: timeoutMs } as never);
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

// RFC 9110 §5.6.7: every HTTP-date form (IMF-fixdate, RFC 850, asctime) starts with the day name. Anything else is
// not given to Date.parse, which reads "-5" or "2025" as a year.
const HTTP_DATE = /^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * `Retry-After` as delay-seconds or an HTTP-date, in ms from `now`; `undefined` when absent or unreadable (a negative
 * number, a fraction, garbage), so that the usual backoff applies. The caller caps the result at `maxRetryDelayMs`.
 * @see RFC 9110 §10.2.3
 */
export function parseRetryAfterMs(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  if (!HTTP_DATE.test(trimmed)) return undefined;
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

/**
 * The backoff between two attempts. Not `unref()`'d: the caller awaits the retry, and an unref'd timer as the only
 * thing left in the event loop let a CLI or cron job exit with code 0 mid-request (issue 9, DESIGN rule 3).
 */
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
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

function ignore(): void {}
