import type { AxiosResponse } from 'axios';
import { channels, isTraced, type DiagnosticsTracingChannel } from '../core/diagnostics.js';
import { sinkFor, type EventSink } from '../core/event-sink.js';
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

/** The tracing channel's context: the event's fields, plus `result` (the event) or `error` (the network error). */
type TokenRequestContext = Omit<Partial<TokenRequestEvent>, 'type' | 'error'>;

/**
 * Runs one attempt as a `token-request` event and a trace on the `axios-oauth-lock:token-request` channel. The
 * traced function resolves with the event, never with the response: its body holds the tokens, and
 * `tracePromise()` hands the resolved value to every subscriber (issue 13). With nobody listening it is `run()`.
 * @param attempt 0 for the first one.
 */
export function observeAttempt(
  trace: TokenRequestTrace | undefined,
  attempt: number,
  run: () => Promise<AttemptOutcome>,
): Promise<AttemptOutcome> {
  if (trace === undefined) return run();
  const events = sinkFor(trace.signal);
  const channel = channels()?.tokenRequest;
  const traced = isTraced(channel);
  if (!traced && !events.listening) return run();
  return observed(trace, attempt + 1, run, events, traced ? channel : undefined);
}

async function observed(
  trace: TokenRequestTrace,
  attempt: number,
  run: () => Promise<AttemptOutcome>,
  events: EventSink,
  channel: DiagnosticsTracingChannel | undefined,
): Promise<AttemptOutcome> {
  const startedAt = Date.now();
  const context: TokenRequestContext = { grantType: trace.grantType, origin: originOf(trace.url), attempt };
  let outcome: AttemptOutcome | undefined;
  let ended: TokenRequestEvent | undefined;
  const settle = (thrown: unknown): TokenRequestEvent => {
    const event: TokenRequestEvent = { type: 'token-request', grantType: trace.grantType, origin: context.origin!, attempt, durationMs: 0 };
    const status = outcome?.response?.status;
    if (status !== undefined) event.status = status;
    event.durationMs = Date.now() - startedAt;
    if (outcome?.retryDelayMs !== undefined) event.retryDelayMs = Math.round(outcome.retryDelayMs);
    if (thrown !== undefined) event.error = eventError(thrown);
    const { type: _type, error: _error, ...fields } = event;
    Object.assign(context, fields);
    return (ended = event);
  };
  const traced = async (): Promise<TokenRequestEvent> => {
    try {
      outcome = await run();
    } catch (error) {
      settle(error);
      throw error;
    }
    const event = settle(outcome.error);
    // A network error that will be retried is still this attempt's failure, for the trace as for the event.
    if (outcome.error !== undefined) throw outcome.error as Error; // what axios rejected with
    return event;
  };
  try {
    await (channel === undefined ? traced() : channel.tracePromise(traced, context));
  } catch (error) {
    if (outcome === undefined) throw error; // the last attempt failed: the request fails
  } finally {
    if (ended !== undefined) events.deliver(ended);
  }
  return outcome!; // set, or the catch above threw
}

/** The endpoint's origin only: a path or query could carry something that is nobody's business. */
function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'invalid-url';
  }
}
