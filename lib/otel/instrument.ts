/// <reference types="node" />
import { AsyncLocalStorage } from 'node:async_hooks';
import { subscribe, tracingChannel, unsubscribe } from 'node:diagnostics_channel';
import {
  context,
  metrics,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type MeterProvider,
  type Span,
  type TracerProvider,
} from '@opentelemetry/api';
import { CHANNEL_PREFIX } from '../core/diagnostics.js';
import { eventError, type ChallengeEvent, type ReplayEvent } from '../core/events.js';
import { createInstruments, type Instruments } from './instruments.js';

/** Options of {@link instrumentOAuthLock}. */
export interface InstrumentOAuthLockOptions {
  /** @default the global tracer provider (`trace.getTracerProvider()`) */
  tracerProvider?: TracerProvider;
  /** @default the global meter provider (`metrics.getMeterProvider()`) */
  meterProvider?: MeterProvider;
}

/** What the `axios-oauth-lock:refresh` trace carries (see lib/core/trace-refresh.ts). */
interface RefreshContext {
  reason: string;
  outcome?: string;
  durationMs?: number;
  waiters?: number;
  error?: unknown;
}

/** What the `axios-oauth-lock:token-request` trace carries (see lib/grants/token-request-trace.ts). */
interface TokenRequestContext {
  grantType: string;
  origin: string;
  attempt: number;
  status?: number;
  durationMs?: number;
  retryDelayMs?: number;
  error?: unknown;
}

const SCOPE = 'axios-oauth-lock';
const REPLAY = `${CHANNEL_PREFIX}replay`;
const CHALLENGE = `${CHANNEL_PREFIX}challenge`;
// A span ends at `asyncEnd`, which also follows a rejection (then `error` is set in the context): the traced
// functions are async, so `end` (synchronous return) and `error` alone say nothing new.
const ignore = (): void => undefined;
const IGNORED = { start: ignore, end: ignore, asyncStart: ignore, error: ignore };

/**
 * Records what the lock does as OpenTelemetry spans and metrics, from the package's `diagnostics_channel` channels
 * (Node only). Spans: `oauth.token.refresh` per refresh (`oauth.refresh.reason`, `oauth.refresh.outcome`,
 * `oauth.waiters`), with one `oauth.token.request` child per token endpoint attempt (`oauth.grant_type`,
 * `server.address`, `server.port`, `http.response.status_code`, `oauth.request.attempt`). Metrics: see the README. No
 * attribute holds a token or a secret; a failure is recorded as the span's error status with the error's code, never
 * its message. Returns a function that unsubscribes.
 * @example
 * import { instrumentOAuthLock } from 'axios-oauth-lock/otel';
 * const stop = instrumentOAuthLock({ tracerProvider, meterProvider });
 */
export function instrumentOAuthLock(options: InstrumentOAuthLockOptions = {}): () => void {
  const tracer = (options.tracerProvider ?? trace.getTracerProvider()).getTracer(SCOPE);
  const instruments = createInstruments((options.meterProvider ?? metrics.getMeterProvider()).getMeter(SCOPE));
  // The refresh span's context, through the refresh's async work: the token request's span becomes its child.
  const store = new AsyncLocalStorage<Context>();
  const spans = new WeakMap<object, Span>();

  const refresh = tracingChannel<unknown, RefreshContext>(`${CHANNEL_PREFIX}refresh`);
  const refreshHandlers = { ...IGNORED, asyncEnd: safely((ctx: RefreshContext) => endRefresh(spans, instruments, ctx)) };
  refresh.start.bindStore(
    store,
    safely((ctx: RefreshContext): Context => {
      const parent = context.active();
      const span = tracer.startSpan('oauth.token.refresh', { attributes: { 'oauth.refresh.reason': ctx.reason } }, parent);
      spans.set(ctx, span);
      return trace.setSpan(parent, span);
    }),
  );
  refresh.subscribe(refreshHandlers);

  const tokenRequest = tracingChannel<unknown, TokenRequestContext>(`${CHANNEL_PREFIX}token-request`);
  const tokenRequestHandlers = { ...IGNORED, asyncEnd: safely((ctx: TokenRequestContext) => endTokenRequest(spans, instruments, ctx)) };
  tokenRequest.start.bindStore(
    store,
    safely((ctx: TokenRequestContext): Context => {
      const parent = store.getStore() ?? context.active();
      const span = tracer.startSpan(
        'oauth.token.request',
        {
          kind: SpanKind.CLIENT,
          attributes: { 'oauth.grant_type': ctx.grantType, 'oauth.request.attempt': ctx.attempt, ...serverOf(ctx.origin) },
        },
        parent,
      );
      spans.set(ctx, span);
      return trace.setSpan(parent, span);
    }),
  );
  tokenRequest.subscribe(tokenRequestHandlers);

  const onReplay = safely((message: unknown) => instruments.replays.add(1, { 'oauth.replay.cause': (message as ReplayEvent).cause }));
  subscribe(REPLAY, onReplay);
  // By decision and reason only: a required scope is no secret, but as an attribute it would multiply the series.
  const onChallenge = safely((message: unknown) => {
    const { decision, reason } = message as ChallengeEvent;
    instruments.challenges.add(
      1,
      reason === undefined
        ? { 'oauth.challenge.decision': decision }
        : { 'oauth.challenge.decision': decision, 'oauth.challenge.reason': reason },
    );
  });
  subscribe(CHALLENGE, onChallenge);

  let active = true;
  return () => {
    if (!active) return;
    active = false;
    refresh.start.unbindStore(store);
    refresh.unsubscribe(refreshHandlers);
    tokenRequest.start.unbindStore(store);
    tokenRequest.unsubscribe(tokenRequestHandlers);
    unsubscribe(REPLAY, onReplay);
    unsubscribe(CHALLENGE, onChallenge);
  };
}

function endRefresh(spans: WeakMap<object, Span>, instruments: Instruments, ctx: RefreshContext): void {
  const outcome = ctx.outcome ?? 'failed';
  const attributes: Attributes = { 'oauth.refresh.reason': ctx.reason, 'oauth.refresh.outcome': outcome };
  instruments.refreshes.add(1, attributes);
  if (ctx.durationMs !== undefined) instruments.refreshDuration.record(ctx.durationMs / 1000, attributes);
  if (ctx.waiters !== undefined) instruments.waiters.record(ctx.waiters, { 'oauth.refresh.reason': ctx.reason });
  const span = spans.get(ctx);
  if (span === undefined) return;
  span.setAttributes({ 'oauth.refresh.outcome': outcome, 'oauth.waiters': ctx.waiters ?? 0 });
  if (ctx.error !== undefined) failed(span, ctx.error);
  span.end();
}

function endTokenRequest(spans: WeakMap<object, Span>, instruments: Instruments, ctx: TokenRequestContext): void {
  const attributes: Attributes = { 'oauth.grant_type': ctx.grantType };
  if (ctx.status !== undefined) attributes['http.response.status_code'] = ctx.status;
  if (ctx.error !== undefined) attributes['error.type'] = errorType(ctx.error);
  instruments.tokenRequests.add(1, attributes);
  const span = spans.get(ctx);
  if (span === undefined) return;
  if (ctx.status !== undefined) span.setAttribute('http.response.status_code', ctx.status);
  if (ctx.retryDelayMs !== undefined) span.setAttribute('oauth.request.retry_delay_ms', ctx.retryDelayMs);
  if (ctx.error !== undefined) failed(span, ctx.error);
  else if (ctx.status !== undefined && ctx.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR, message: String(ctx.status) });
  span.end();
}

/** The error's code (or class name) only: a message may quote what the server said, and is not ours to export. */
function failed(span: Span, error: unknown): void {
  const type = errorType(error);
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR, message: type });
}

function errorType(error: unknown): string {
  const described = eventError(error);
  return described.code ?? described.name;
}

function serverOf(origin: string): Attributes {
  try {
    const url = new URL(origin);
    const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
    return { 'server.address': url.hostname, 'server.port': port };
  } catch {
    return {};
  }
}

/**
 * A subscriber that throws would surface as an uncaught exception (diagnostics_channel rethrows it on the next tick)
 * and a throwing store transform likewise: telemetry must never take the process down.
 */
function safely<A, R>(fn: (arg: A) => R): (arg: A) => R | undefined {
  return (arg) => {
    try {
      return fn(arg);
    } catch {
      return undefined;
    }
  };
}
