import { emit, wants, type EventSink } from '../core/event-sink.js';
import type { RedisEvents } from './redis-events.js';

/** The `storage-lock` events of one acquisition of the Redis lock. */
export interface LockEvents {
  /** Another process holds the lock: this one starts waiting. */
  waiting(): void;
  /** The lock is ours: an `acquire`, or a `takeover` when we waited and no message came meanwhile. */
  acquired(): void;
}

const SILENT: LockEvents = { waiting: () => undefined, acquired: () => undefined };

/**
 * Nothing is measured or built unless someone listens. A takeover is told apart from a handover by the messages seen
 * while waiting: a live holder announces its token and its release on the channel, one whose lease expired (it died
 * or stalled) cannot. So it is known only where the client can subscribe (elsewhere every acquisition is an
 * `acquire`), and a poll that takes the freed lock before the release's message arrives counts as a takeover.
 */
export function lockEvents(sink: EventSink | undefined, channel: RedisEvents): LockEvents {
  if (!wants(sink, 'storage-lock')) return SILENT;
  let waitStartedAt: number | undefined;
  let seenBefore = 0;
  return {
    waiting() {
      waitStartedAt = Date.now();
      seenBefore = channel.received;
      emit(sink, { type: 'storage-lock', phase: 'wait', waitedMs: 0 });
    },
    acquired() {
      const waitedMs = waitStartedAt === undefined ? 0 : Date.now() - waitStartedAt;
      const takeover = waitStartedAt !== undefined && channel.available && channel.received === seenBefore;
      emit(sink, { type: 'storage-lock', phase: takeover ? 'takeover' : 'acquire', waitedMs });
    },
  };
}
