/*
 * Node's `diagnostics_channel`, loaded without importing it: `process.getBuiltinModule` (Node 20.16+, Deno, Bun)
 * is read at the first event, so a browser bundle pulls no Node built-in and no polyfill, and where it is missing
 * (browsers, Node 20 before 20.16) there are no channels, only `onEvent` (issue 13).
 */

/** The channel names, for `diagnostics_channel.subscribe()` / `tracingChannel()`. */
export const CHANNELS = {
  /** A tracing channel (`tracing:axios-oauth-lock:refresh:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`). */
  refresh: 'axios-oauth-lock:refresh',
  /** A tracing channel: one trace per HTTP attempt at the token endpoint. */
  tokenRequest: 'axios-oauth-lock:token-request',
  /** Plain channels: the `replay`, `storage-lock` and `background-error` events. */
  replay: 'axios-oauth-lock:replay',
  storageLock: 'axios-oauth-lock:storage-lock',
  backgroundError: 'axios-oauth-lock:background-error',
} as const;

/** The parts of `node:diagnostics_channel` used here, typed here so that core/ needs no Node types. */
export interface DiagnosticsChannel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

export interface DiagnosticsTracingChannel {
  readonly start: DiagnosticsChannel;
  readonly end: DiagnosticsChannel;
  readonly asyncStart: DiagnosticsChannel;
  readonly asyncEnd: DiagnosticsChannel;
  readonly error: DiagnosticsChannel;
  tracePromise<T>(fn: () => Promise<T>, context: object): Promise<T>;
}

interface DiagnosticsChannelModule {
  channel(name: string): DiagnosticsChannel;
  tracingChannel(name: string): DiagnosticsTracingChannel;
}

export interface Channels {
  refresh: DiagnosticsTracingChannel;
  tokenRequest: DiagnosticsTracingChannel;
  replay: DiagnosticsChannel;
  storageLock: DiagnosticsChannel;
  backgroundError: DiagnosticsChannel;
}

/** `undefined`: not looked up yet; `null`: this runtime has none. */
let loaded: Channels | null | undefined;

/** The channels of this runtime, or `null` where `diagnostics_channel` is not available. */
export function channels(): Channels | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

function load(): Channels | null {
  const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  let dc: DiagnosticsChannelModule | undefined;
  try {
    dc = runtime?.getBuiltinModule?.('node:diagnostics_channel') as DiagnosticsChannelModule | undefined;
  } catch {
    dc = undefined; // a runtime whose getBuiltinModule refuses the id: no channels, events still reach onEvent
  }
  if (dc === undefined || typeof dc.tracingChannel !== 'function') return null;
  return {
    refresh: dc.tracingChannel(CHANNELS.refresh),
    tokenRequest: dc.tracingChannel(CHANNELS.tokenRequest),
    replay: dc.channel(CHANNELS.replay),
    storageLock: dc.channel(CHANNELS.storageLock),
    backgroundError: dc.channel(CHANNELS.backgroundError),
  };
}

/**
 * Whether anyone listens on a tracing channel. `TracingChannel#hasSubscribers` arrived in Node 20.13, so each of
 * its five channels is asked.
 */
export function isTraced(channel: DiagnosticsTracingChannel | undefined): channel is DiagnosticsTracingChannel {
  if (channel === undefined) return false;
  const { start, end, asyncStart, asyncEnd, error } = channel;
  return start.hasSubscribers || end.hasSubscribers || asyncStart.hasSubscribers || asyncEnd.hasSubscribers || error.hasSubscribers;
}
