import type { AxiosError, InternalAxiosRequestConfig } from 'axios';
import { InsufficientScopeError, StepUpRequiredError, scrubbedChallenge } from '../core/challenge-errors.js';
import type { Token } from '../core/token.js';
import type { TokenManager } from '../core/token-manager.js';
import type { RequestAuthState } from './augmentation.js';
import { decideChallenge } from './challenge.js';
import { wwwAuthenticateOf } from './www-authenticate.js';

/** What answering a challenge needs from the attach settings. */
export interface ChallengeSettings {
  manager: TokenManager;
  headerName: string;
  /** Step up on `insufficient_scope`; `false` rejects at once with an InsufficientScopeError. */
  stepUp: boolean;
}

/** How to get the token a failed request is replayed with. */
export interface Replay {
  /** A refresh (with or without claims): `shouldRefresh`, a stream body and the one-replay rule still apply. */
  refresh: boolean;
  /** Starts (or joins) the token request; called only once the replay is decided. */
  token: () => Promise<Token>;
  /** What the challenge asked for, for the `challenge` and `replay` events; absent for a plain refresh. */
  cause?: 'step-up' | 'claims';
  /** The scope a step-up asks for (`cause: 'step-up'`). */
  requiredScope?: readonly string[];
}

/**
 * Answers a failed response of a request we authorised by its challenge (see `decideChallenge`): a {@link Replay}, an
 * error to throw instead of the API's (`StepUpRequiredError`, `InsufficientScopeError`: the API's error is their
 * `cause`), or `undefined` to return the API's error as it is.
 */
export function answerChallenge(error: AxiosError, s: ChallengeSettings, state: RequestAuthState): Replay | Error | undefined {
  const config = error.config as InternalAxiosRequestConfig;
  const sent = sentCredential(config, s.headerName);
  const decision = decideChallenge(error.response?.status, wwwAuthenticateOf(error.response), sent?.scheme);
  const secrets = sent === undefined ? [] : [sent.credential];
  const { manager } = s;
  switch (decision.action) {
    case 'sign-in':
      return new StepUpRequiredError({ ...decision, cause: error, secrets });
    case 'step-up': {
      const { requiredScope, challenge } = decision;
      // One step-up per request (rule 3): a second insufficient_scope means the server wants what we cannot get.
      if (state.replayed || !s.stepUp) {
        return new InsufficientScopeError({
          requiredScope,
          challenge,
          reason: state.replayed ? 'repeated' : 'disabled',
          cause: error,
          secrets,
        });
      }
      return {
        refresh: false,
        cause: 'step-up',
        requiredScope,
        // Scrubbed of the credential this request sent: the step-up may replace it before the error is built.
        token: () => manager.tokenForScope(state.generation, requiredScope, scrubbedChallenge(challenge, secrets)),
      };
    }
    case 'claims':
      return { refresh: true, cause: 'claims', token: () => manager.tokenWithClaims(state.generation, decision.claims) };
    case 'return':
      return undefined;
    default:
      return { refresh: true, token: () => manager.tokenAfterRejection(state.generation) };
  }
}

/**
 * The scheme and credential our header carried. Challenges are about the `Authorization` header (RFC 9110 §11.6.1,
 * §11.6.2), so with another header name, or a bare token (`headerScheme: ''`), there is no scheme to match: then the
 * response is decided as before challenges were read (`shouldRefresh`).
 */
function sentCredential(config: InternalAxiosRequestConfig, headerName: string): { scheme: string; credential: string } | undefined {
  if (headerName.toLowerCase() !== 'authorization') return undefined;
  const headers = config.headers as unknown as Record<string, unknown> & { get?: (name: string) => unknown };
  const value = headers[headerName] ?? (typeof headers.get === 'function' ? headers.get(headerName) : undefined);
  if (typeof value !== 'string') return undefined;
  const space = value.indexOf(' ');
  return space > 0 ? { scheme: value.slice(0, space), credential: value.slice(space + 1) } : undefined;
}
