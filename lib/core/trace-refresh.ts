import { channels, isTraced, type DiagnosticsTracingChannel } from './diagnostics.js';
import type { EventSink } from './event-sink.js';
import { eventError, type RefreshEndEvent, type RefreshOutcome } from './events.js';
import { obtainToken, type ObtainRequest, type Obtained } from './obtain-token.js';
import type { RefreshReason } from './options.js';
import { toRefreshError } from './refresh-error.js';

/** What the token manager tells about one refresh. */
export interface RefreshTrace {
  events: EventSink;
  /** Generation of the token being replaced. */
  generation: number;
  /** How many callers await the refresh, read when it settles. */
  waiters: () => number;
  /** `clear()` or `setToken()` ran since the refresh started. */
  abandoned: () => boolean;
}

/**
 * The tracing channel's context: the `refresh:start` fields at `start`, the `refresh:end` fields added by
 * `asyncEnd`, where `result` is the `refresh:end` event, or `error` the (redacted) TokenRefreshError.
 */
type RefreshContext = Omit<Partial<RefreshEndEvent>, 'type' | 'error'> & { reason: RefreshReason; generation: number };

/**
 * {@link obtainToken} (one refresh) as the events `refresh:start` and `refresh:end`, and as a trace on the
 * `axios-oauth-lock:refresh` tracing channel, so that spans of the token request (and of anything else the token
 * source does) nest under it. With nobody listening it is `obtainToken()` itself. The traced function resolves with the
 * `refresh:end` event, never with the token: `tracePromise()` hands its value to every subscriber (issue 13).
 */
export function traceRefresh(trace: RefreshTrace, request: ObtainRequest): Promise<Obtained> {
  const channel = channels()?.refresh;
  const traced = isTraced(channel);
  if (!traced && !trace.events.listening) return obtainToken(request);
  return observed(trace, request, traced ? channel : undefined);
}

async function observed(trace: RefreshTrace, request: ObtainRequest, channel: DiagnosticsTracingChannel | undefined): Promise<Obtained> {
  const { events, generation } = trace;
  const {
    now,
    context: { reason, lastToken },
  } = request;
  const startedAt = now();
  const context: RefreshContext = { reason, generation };
  events.deliver({ type: 'refresh:start', reason, generation });
  let obtained: Obtained | undefined;
  let ended: RefreshEndEvent | undefined;
  const settle = (outcome: RefreshOutcome, error?: unknown): RefreshEndEvent => {
    const { waiters, abandoned } = trace;
    const event: RefreshEndEvent = { type: 'refresh:end', reason, outcome, durationMs: now() - startedAt, waiters: waiters() };
    if (abandoned()) event.outcome = 'abandoned';
    else if (error !== undefined) event.error = eventError(error);
    Object.assign(context, { outcome: event.outcome, durationMs: event.durationMs, waiters: event.waiters });
    return (ended = event);
  };
  const run = async (): Promise<RefreshEndEvent> => {
    try {
      obtained = await obtainToken(request);
    } catch (error) {
      settle('failed', error);
      // What subscribers see as `error`: redacted like what the waiters get (the manager's own call is a no-op then).
      throw toRefreshError(error, lastToken);
    }
    return settle(obtained.adopted ? 'adopted' : 'fetched');
  };
  try {
    await (channel === undefined ? run() : channel.tracePromise(run, context));
  } finally {
    if (ended !== undefined) events.deliver(ended);
  }
  return obtained!;
}
