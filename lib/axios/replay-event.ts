import { emit, sinkFor, wants } from '../core/event-sink.js';
import type { ReplayCause } from '../core/events.js';
import type { TokenManager } from '../core/token-manager.js';

/**
 * The `replay` event of a request about to be replayed: `stale` when the request was sent with a token already
 * replaced (no refresh for it, DESIGN rule 2), else `refreshed`, unless `cause` says what else earned the replay (a
 * step-up, a claims challenge, a DPoP nonce or clock challenge). Only on the 401/403 path; built only when someone
 * listens.
 * @param sentGeneration what the request was sent with; @param stale whether that was not the current token at the 401.
 * @param route the replaying handle's rules, as the README writes them.
 */
export function emitReplay(
  manager: TokenManager,
  sentGeneration: number,
  stale: boolean,
  route: string,
  cause?: Exclude<ReplayCause, 'refreshed' | 'stale'>,
): void {
  const events = sinkFor(manager);
  if (!wants(events, 'replay')) return;
  emit(events, {
    type: 'replay',
    cause: cause ?? (stale ? 'stale' : 'refreshed'),
    sentGeneration,
    generation: manager.generation,
    route,
  });
}
