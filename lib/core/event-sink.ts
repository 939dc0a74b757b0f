import { channels, type Channels } from './diagnostics.js';
import type { OAuthLockEvent, OAuthLockEventListener } from './events.js';

/** The plain (not tracing) channels. */
type PlainChannel = keyof Pick<Channels, 'replay' | 'storageLock' | 'backgroundError'>;

/**
 * Where the events of one token manager go: its `onEvent` listener and the `diagnostics_channel` channels. An
 * event costs nothing when nobody listens: callers ask {@link wants} (a boolean or two) before building a payload.
 * A listener that throws never reaches a request: its error goes to `onBackgroundError` (and raises no event, which
 * could throw again).
 */
export class EventSink {
  readonly #listener: OAuthLockEventListener | undefined;
  readonly #onListenerError: ((error: Error) => void) | undefined;

  constructor(listener: OAuthLockEventListener | undefined, onListenerError: ((error: Error) => void) | undefined) {
    this.#listener = listener;
    this.#onListenerError = onListenerError;
  }

  /** An `onEvent` listener is set (the tracing channels are asked separately). */
  get listening(): boolean {
    return this.#listener !== undefined;
  }

  /** Whether an event for `channel` would reach anyone. */
  wants(channel: PlainChannel): boolean {
    return this.#listener !== undefined || channels()?.[channel].hasSubscribers === true;
  }

  /** To `onEvent`, then to the channel's subscribers. */
  emit(channel: PlainChannel, event: OAuthLockEvent): void {
    this.deliver(event);
    const target = channels()?.[channel];
    if (target?.hasSubscribers === true) target.publish(event);
  }

  /** To `onEvent` only (the tracing channels are published by their trace). */
  deliver(event: OAuthLockEvent): void {
    const listener = this.#listener;
    if (listener === undefined) return;
    try {
      listener(event);
    } catch (error) {
      this.#reportListenerError(error);
    }
  }

  #reportListenerError(error: unknown): void {
    try {
      this.#onListenerError?.(error instanceof Error ? error : new Error(String(error)));
    } catch {
      // Nowhere left to report to; never let it reach a request.
    }
  }
}

/** Events raised where only the channels listen: code called outside any token manager. */
const CHANNELS_ONLY = new EventSink(undefined, undefined);

/**
 * The sink a token manager lent to what it calls: keyed by the manager itself (for the interceptors) and by the
 * `AbortSignal` of a refresh (the token source and the storage's lock receive that signal, and with it reach the
 * manager's `onEvent` without a new parameter in the public `TokenSource`/`TokenStorage` contracts).
 */
const lent = new WeakMap<object, EventSink>();

/** Lends `sink` to whoever holds `key`; only when `onEvent` is set (the channels need no lending). */
export function lendSink(key: object, sink: EventSink): void {
  if (sink.listening) lent.set(key, sink);
}

/** The sink lent with `key`, else one that reaches the channels only. */
export function sinkFor(key: object | undefined): EventSink {
  return (key === undefined ? undefined : lent.get(key)) ?? CHANNELS_ONLY;
}
