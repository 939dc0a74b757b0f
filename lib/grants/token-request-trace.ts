import type { AxiosResponse } from 'axios';
import { tracedChannel } from '../core/diagnostics.js';
import { sinkFor } from '../core/event-sink.js';
import { eventError, type TokenRequestEvent } from '../core/events.js';

/** Which token endpoint request this is, for its events; absent for discovery and revocation. */
export interface TokenRequestTrace {
  grantType: string;
  url: string;
  /** The refresh's signal: it leads to the token manager's `onEvent`. */
  signal: AbortSignal | undefined;
}

/** What one attempt came to: the response to return, or (with `retryDelayMs`) the wait before the next attempt. */
export interface AttemptOutcome {
  response?: AxiosResponse<unknown>;
  retryDelayMs?: number;
  /** The (redacted) network error of an attempt that is retried. */
  error?: unknown;
}

/**
 * One attempt as a `token-request` event and a trace on the `axios-oauth-lock:token-request` channel, whose context
 * holds the event's fields (`error`: the network error). The traced function resolves with the event, never with
 * the response: its body holds the tokens, and `tracePromise()` hands the resolved value to every subscriber
 * (issue 13). With nobody listening it is `run()`.
 * @param attempt 0 for the first one.
 */
export function observeAttempt(
  trace: TokenRequestTrace | undefined,
  attempt: number,
  run: () => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  const events = sinkFor(trace?.signal);
  const channel = trace && tracedChannel('token-request');
  if (trace === undefined || (channel === undefined && events === undefined)) return run();
  const startedAt = Date.now();
  const event: TokenRequestEvent = {
    type: 'token-request',
    grantType: trace.grantType,
    origin: originOf(trace.url),
    attempt: attempt + 1,
    durationMs: 0,
  };
  const context = { ...event };
  let outcome: AttemptOutcome | undefined;
  const settle = (thrown: unknown): TokenRequestEvent => {
    event.durationMs = Date.now() - startedAt;
    const status = outcome?.response?.status;
    if (status !== undefined) event.status = status;
    if (outcome?.retryDelayMs !== undefined) event.retryDelayMs = Math.round(outcome.retryDelayMs);
    if (thrown !== undefined) event.error = eventError(thrown);
    events?.(event);
    return Object.assign(context, event);
  };
  const traced = async (): Promise<TokenRequestEvent> => {
    try {
      outcome = await run();
    } catch (error) {
      settle(error);
      throw error;
    }
    settle(outcome.error);
    // A network error that will be retried is still this attempt's failure, for the trace as for the event.
    if (outcome.error !== undefined) throw outcome.error as Error; // what axios rejected with
    return event;
  };
  return (channel === undefined ? traced() : channel.tracePromise(traced, context)).then(
    () => outcome!,
    (error: unknown) => {
      if (outcome === undefined) throw error; // the last attempt failed: so does the request
      return outcome;
    },
  );
}

/** The endpoint's origin only: its path or query is nobody's business. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}
