import type { AxiosError } from 'axios';
import { isInsufficientScopeError, isStepUpRequiredError } from '../core/challenge-errors.js';
import { emit, sinkFor, wants } from '../core/event-sink.js';
import type { ChallengeEvent } from '../core/events.js';
import type { TokenManager } from '../core/token-manager.js';
import type { Replay } from './answer-challenge.js';

/**
 * The `challenge` event of a decided 401/403 challenge (issue 13), from `answer`, what answering it gave: a step-up
 * or claims {@link Replay} about to request its token, or the InsufficientScopeError / StepUpRequiredError the
 * request rejects with. Anything else (a plain refresh, another error) raises none. Only on the challenge path;
 * built only when someone listens, and from the decided fields alone: never the claims, the challenge's other
 * parameters, the header or a token.
 * @param route the deciding handle's rules, as on the `replay` event.
 */
export function emitChallenge(manager: TokenManager, route: string, error: AxiosError, answer: unknown): void {
  const events = sinkFor(manager);
  if (!wants(events, 'challenge')) return;
  const event = challengeEvent(answer, error.response?.status ?? 0, route);
  if (event !== undefined) emit(events, event);
}

function challengeEvent(answer: unknown, status: number, route: string): ChallengeEvent | undefined {
  if (isInsufficientScopeError(answer)) {
    const { requiredScope, reason } = answer;
    return { type: 'challenge', decision: 'insufficient-scope', status, requiredScope: [...requiredScope], reason, route };
  }
  if (isStepUpRequiredError(answer)) {
    const event: ChallengeEvent = { type: 'challenge', decision: 'step-up-required', status, acrValues: [...answer.acrValues], route };
    if (answer.maxAge !== undefined) event.maxAge = answer.maxAge;
    return event;
  }
  const replay = answer as Partial<Replay> | undefined;
  if (replay?.cause === 'step-up') {
    return { type: 'challenge', decision: 'step-up', status, requiredScope: [...(replay.requiredScope ?? [])], route };
  }
  if (replay?.cause === 'claims') return { type: 'challenge', decision: 'claims', status, route };
  return undefined;
}
