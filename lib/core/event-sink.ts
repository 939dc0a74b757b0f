import { plainChannel } from './diagnostics.js';
import type { OAuthLockEvent, OAuthLockEventListener } from './events.js';

/*
 * Where the events of one token manager go: its `onEvent` listener (wrapped into an {@link EventSink}, or
 * `undefined` when there is none) and the `diagnostics_channel` channels. An event costs nothing when nobody
 * listens: callers ask {@link wants} (or check the sink and the tracing channel) before building a payload.
 * Plain functions, not a class: a bundle's minifier can shorten them (issue 13: the browser bundles stay small).
 */

/** The events published on a plain channel named after their type (the others go to tracing channels). */
export type PlainEvent = Extract<OAuthLockEvent, { type: 'replay' | 'challenge' | 'storage-lock' | 'background-error' }>;

/** Delivers to `onEvent`; never throws. */
export type EventSink = (event: OAuthLockEvent) => void;

/**
 * `onEvent`, made safe: what it throws never reaches a request, and goes to `onBackgroundError` (raising no
 * `background-error` event, whose delivery could throw again).
 */
export function eventSink(
  listener: OAuthLockEventListener | undefined,
  onError: ((error: Error) => void) | undefined,
): EventSink | undefined {
  return (
    listener &&
    ((event) => {
      try {
        listener(event);
      } catch (error) {
        try {
          onError?.(error instanceof Error ? error : new Error(String(error)));
        } catch {
          // Nowhere left to report to; never let it reach a request.
        }
      }
    })
  );
}

/** Whether an event of `type` would reach anyone. */
export function wants(sink: EventSink | undefined, type: PlainEvent['type']): boolean {
  return sink !== undefined || plainChannel(type)?.hasSubscribers === true;
}

/** To `onEvent`, then to the subscribers of the event's channel. */
export function emit(sink: EventSink | undefined, event: PlainEvent): void {
  sink?.(event);
  const channel = plainChannel(event.type);
  if (channel?.hasSubscribers === true) channel.publish(event);
}

/**
 * The sinks token managers lent to what they call: keyed by the manager itself (for the interceptors) and by the
 * `AbortSignal` of a refresh (the token source and the storage's lock receive that signal, and through it reach
 * the manager's `onEvent` with no new member in the public `TokenSource`/`TokenStorage` contracts).
 */
const lent = new WeakMap<object, EventSink>();

/** Lends `sink` to whoever holds `key` (nothing to lend without `onEvent`: the channels are global). */
export function lendSink(key: object, sink: EventSink | undefined): void {
  if (sink !== undefined) lent.set(key, sink);
}

/** The sink lent with `key`, if any. */
export function sinkFor(key: object | undefined): EventSink | undefined {
  return key && lent.get(key);
}
