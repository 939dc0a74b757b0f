import type { AuthChallenge } from './auth-challenge.js';
import { ErrorCode, OAuthLockError } from './errors.js';
import { scrubSecrets } from './scrub-secrets.js';

/** Why a scope could not be had. */
export type InsufficientScopeReason =
  /** The request was already replayed once (after a step-up, or a refresh) and the API refused it again. */
  | 'repeated'
  /** `stepUp: false`: the package does not ask for more scope. */
  | 'disabled'
  /** The token endpoint refused the scope (`invalid_scope`); the current tokens are kept. */
  | 'refused'
  /** The token endpoint answered, but granted less than the API requires. */
  | 'not-granted';

const MESSAGES: Record<InsufficientScopeReason, string> = {
  repeated: 'the request was already replayed once',
  disabled: 'step-up is off ("stepUp: false")',
  refused: 'the authorization server refused that scope (invalid_scope)',
  'not-granted': 'the authorization server did not grant it',
};

/**
 * The API needs a scope the token does not have (RFC 6750 §3.1 `insufficient_scope`), and no token with it could be
 * had: see {@link InsufficientScopeError.reason}. Carries the scope the API asked for and its parsed challenge.
 * @see RFC 6750 §3.1
 */
export class InsufficientScopeError extends OAuthLockError {
  /** The scope tokens the API's challenge asked for. */
  readonly requiredScope: string[];
  /** The `WWW-Authenticate` challenge that asked for them, when there was one. */
  readonly challenge: AuthChallenge | undefined;
  readonly reason: InsufficientScopeReason;

  /** @param secrets values scrubbed from the challenge (the token the request carried). */
  constructor(init: {
    requiredScope: readonly string[];
    reason: InsufficientScopeReason;
    challenge?: AuthChallenge;
    cause?: unknown;
    secrets?: readonly string[];
  }) {
    const scope = init.requiredScope.join(' ');
    const options = init.cause === undefined ? undefined : { cause: init.cause };
    super(ErrorCode.INSUFFICIENT_SCOPE, `Insufficient scope: the API requires "${scope}" and ${MESSAGES[init.reason]}`, options);
    this.requiredScope = [...init.requiredScope];
    this.challenge = init.challenge === undefined ? undefined : scrubbedChallenge(init.challenge, init.secrets ?? []);
    this.reason = init.reason;
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), requiredScope: this.requiredScope, reason: this.reason, challenge: this.challenge };
  }
}

/**
 * The API needs a stronger or more recent user authentication (RFC 9470 `insufficient_user_authentication`). No token
 * request is made: only the user can satisfy it, by signing in again with `acr_values` and `max_age` sent to the
 * authorization endpoint (RFC 9470 §4).
 * @see RFC 9470 §3, §4
 */
export class StepUpRequiredError extends OAuthLockError {
  /** The `acr_values` the API asked for, most preferred first; `[]` when it gave none. */
  readonly acrValues: string[];
  /** The `max_age` the API asked for, in seconds since the user's last active authentication. */
  readonly maxAge: number | undefined;
  readonly challenge: AuthChallenge;

  constructor(init: {
    acrValues: readonly string[];
    maxAge?: number;
    challenge: AuthChallenge;
    cause?: unknown;
    secrets?: readonly string[];
  }) {
    const wants = [
      init.acrValues.length > 0 ? `acr_values "${init.acrValues.join(' ')}"` : '',
      init.maxAge !== undefined ? `max_age ${init.maxAge}` : '',
    ].filter((part) => part !== '');
    const detail = wants.length > 0 ? ` (${wants.join(', ')})` : '';
    const options = init.cause === undefined ? undefined : { cause: init.cause };
    super(ErrorCode.STEP_UP_REQUIRED, `Step-up authentication required: the user must sign in again${detail}`, options);
    this.acrValues = [...init.acrValues];
    this.maxAge = init.maxAge;
    this.challenge = scrubbedChallenge(init.challenge, init.secrets ?? []);
  }

  override toJSON(): Record<string, unknown> {
    return { ...super.toJSON(), acrValues: this.acrValues, maxAge: this.maxAge, challenge: this.challenge };
  }
}

/** True for an {@link InsufficientScopeError} from any copy of this package. */
export function isInsufficientScopeError(value: unknown): value is InsufficientScopeError {
  return value instanceof InsufficientScopeError || (value instanceof Error && value.name === 'InsufficientScopeError');
}

/** True for a {@link StepUpRequiredError} from any copy of this package. */
export function isStepUpRequiredError(value: unknown): value is StepUpRequiredError {
  return value instanceof StepUpRequiredError || (value instanceof Error && value.name === 'StepUpRequiredError');
}

// A server that echoes the request could put the token it was sent into its challenge.
/** A copy of `challenge` with `secrets` scrubbed from its values (a server may echo the credential it refused). */
export function scrubbedChallenge(challenge: AuthChallenge, secrets: readonly string[]): AuthChallenge {
  const params = Object.create(null) as Record<string, string>;
  for (const [name, value] of Object.entries(challenge.params)) params[name] = scrubSecrets(value, secrets);
  const copy: AuthChallenge = { scheme: challenge.scheme, params };
  if (challenge.token68 !== undefined) copy.token68 = scrubSecrets(challenge.token68, secrets);
  return copy;
}
