/*
 * Node's `diagnostics_channel`, loaded without importing it: `process.getBuiltinModule` (Node 20.16+, Deno, Bun) is
 * read at the first event, so a browser bundle pulls no Node built-in and no polyfill; where it is missing
 * (browsers, Node 20 before 20.16) there are no channels, and `onEvent` still works (issue 13).
 *
 * Channels: tracing channels `axios-oauth-lock:refresh` and `axios-oauth-lock:token-request` (that is
 * `tracing:axios-oauth-lock:refresh:start`, `:end`, `:asyncStart`, `:asyncEnd`, `:error`), and one plain channel per
 * other event, named after its type: `axios-oauth-lock:replay`, `:challenge`,
 * `:storage-lock`, `:background-error`.
 */

/** The channel names' prefix. */
export const CHANNEL_PREFIX = 'axios-oauth-lock:';

/** The parts of `node:diagnostics_channel` used here, typed here so that core/ needs no Node types. */
export interface DiagnosticsChannel {
  readonly hasSubscribers: boolean;
  publish(message: unknown): void;
}

/** `hasSubscribers` arrived in Node 20.13, before `process.getBuiltinModule` (20.16). */
export interface DiagnosticsTracingChannel {
  readonly hasSubscribers: boolean;
  tracePromise<T>(fn: () => Promise<T>, context: object): Promise<T>;
}

interface DiagnosticsChannelModule {
  channel(name: string): DiagnosticsChannel;
  tracingChannel(name: string): DiagnosticsTracingChannel;
}

/** `undefined`: not looked up yet; `null`: this runtime has none. */
let dc: DiagnosticsChannelModule | null | undefined;
const tracing: Record<string, DiagnosticsTracingChannel> = {};

function diagnostics(): DiagnosticsChannelModule | null {
  if (dc === undefined) {
    try {
      const runtime = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
      dc = (runtime?.getBuiltinModule?.('node:diagnostics_channel') as DiagnosticsChannelModule | undefined) ?? null;
    } catch {
      dc = null; // a runtime that refuses the id: no channels
    }
  }
  return dc;
}

/** The plain channel `axios-oauth-lock:<name>`, or `undefined` without `diagnostics_channel`. */
export function plainChannel(name: string): DiagnosticsChannel | undefined {
  return diagnostics()?.channel(CHANNEL_PREFIX + name);
}

/** The tracing channel `axios-oauth-lock:<name>` when someone subscribed to it, else `undefined`. */
export function tracedChannel(name: 'refresh' | 'token-request'): DiagnosticsTracingChannel | undefined {
  const found = diagnostics();
  if (found === null) return undefined;
  const channel = (tracing[name] ??= found.tracingChannel(CHANNEL_PREFIX + name));
  return channel.hasSubscribers ? channel : undefined;
}
