import { tracedChannel } from './diagnostics.js';
import type { EventSink } from './event-sink.js';
import { eventError, type RefreshEndEvent } from './events.js';
import { obtainToken, type ObtainRequest, type Obtained } from './obtain-token.js';
import { toRefreshError } from './refresh-error.js';

/** What the token manager tells about one refresh. */
export interface RefreshTrace {
  events: EventSink | undefined;
  /** Generation of the token being replaced. */
  generation: number;
  /** How many callers await the refresh, read when it settles. */
  waiters: () => number;
  /** `clear()` or `setToken()` ran since the refresh started. */
  abandoned: () => boolean;
}

/**
 * {@link obtainToken} (one refresh) as the events `refresh:start` and `refresh:end`, and as a trace on the
 * `axios-oauth-lock:refresh` tracing channel, so that spans of the token request (and of whatever else the token
 * source does) nest under it. Its context holds the `refresh:start` fields, and by `asyncEnd` the `refresh:end`
 * ones, with `error` the (redacted) TokenRefreshError. The traced function resolves with the `refresh:end` event,
 * never with the token: `tracePromise()` hands the resolved value to every subscriber (issue 13).
 * With nobody listening it is `obtainToken()` itself.
 */
export function traceRefresh(trace: RefreshTrace, request: ObtainRequest): Promise<Obtained> {
  const { events, generation } = trace;
  const channel = tracedChannel('refresh');
  if (channel === undefined && events === undefined) return obtainToken(request);
  const { reason, lastToken } = request.context;
  const startedAt = request.now();
  const context = { type: 'refresh:start', reason, generation };
  events?.({ type: 'refresh:start', reason, generation });
  let obtained: Obtained | undefined;
  const settle = (error?: unknown): RefreshEndEvent => {
    const outcome = trace.abandoned() ? 'abandoned' : obtained === undefined ? 'failed' : obtained.adopted ? 'adopted' : 'fetched';
    const end: RefreshEndEvent = { type: 'refresh:end', reason, outcome, durationMs: request.now() - startedAt, waiters: trace.waiters() };
    if (outcome === 'failed') end.error = eventError(error);
    events?.(end);
    Object.assign(context, end);
    return end;
  };
  const run = (): Promise<RefreshEndEvent> =>
    obtainToken(request).then(
      (result) => ((obtained = result), settle()),
      (error: unknown) => {
        settle(error);
        // What subscribers see as `error`: redacted like what the waiters get (the manager's own call is then a no-op).
        throw toRefreshError(error, lastToken);
      },
    );
  return (channel === undefined ? run() : channel.tracePromise(run, context)).then(() => obtained!);
}
