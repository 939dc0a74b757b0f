import { emit, wants, type EventSink } from '../core/event-sink.js';
import type { RedisEvents } from './redis-events.js';

/** The `storage-lock` events of one acquisition of the Redis lock. */
export interface LockEvents {
  /** Another process holds the lock: this one starts waiting. */
  waiting(): void;
  /** The lock is ours: an `acquire`, or a `takeover` when we waited and no release was announced meanwhile. */
  acquired(): void;
}

const SILENT: LockEvents = { waiting: () => undefined, acquired: () => undefined };

/**
 * Nothing is measured or built unless someone listens. A takeover is told apart from a handover by the release
 * messages seen while waiting (a holder that releases announces it; one whose lease expired cannot), so it is known
 * only where the client can subscribe; elsewhere every acquisition is an `acquire`.
 */
export function lockEvents(sink: EventSink | undefined, channel: RedisEvents): LockEvents {
  if (!wants(sink, 'storage-lock')) return SILENT;
  let waitStartedAt: number | undefined;
  let releasesBefore = 0;
  return {
    waiting() {
      waitStartedAt = Date.now();
      releasesBefore = channel.releases;
      emit(sink, { type: 'storage-lock', phase: 'wait', waitedMs: 0 });
    },
    acquired() {
      const waitedMs = waitStartedAt === undefined ? 0 : Date.now() - waitStartedAt;
      const takeover = waitStartedAt !== undefined && channel.available && channel.releases === releasesBefore;
      emit(sink, { type: 'storage-lock', phase: takeover ? 'takeover' : 'acquire', waitedMs });
    },
  };
}
