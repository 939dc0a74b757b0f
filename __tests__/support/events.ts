import type { OAuthLockEvent } from '../../lib/core/events';

/** An `onEvent` that records every event, and the events of one type. */
export function recordEvents() {
  const events: OAuthLockEvent[] = [];
  const onEvent = jest.fn((event: OAuthLockEvent) => {
    events.push(event);
  });
  const ofType = <T extends OAuthLockEvent['type']>(type: T) =>
    events.filter((e): e is Extract<OAuthLockEvent, { type: T }> => e.type === type);
  return { events, onEvent, ofType };
}

/** A clock the test moves by hand, for exact durations. */
export function manualClock(start = 1_700_000_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => void (now += ms) };
}
