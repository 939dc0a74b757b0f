import {
  ErrorCode,
  InsufficientScopeError,
  StepUpRequiredError,
  isInsufficientScopeError,
  isStepUpRequiredError,
  type AuthChallenge,
} from '../../lib/index.js';
import { scrubbedChallenge } from '../../lib/core/challenge-errors.js';

/*
 * The two errors a challenge can end in (issue 10), as a user reads them: message, fields, JSON, cause, guards across
 * package copies, and the echoed credential scrubbed from the challenge they carry (issue 9).
 */

const params = (entries: Record<string, string>): Record<string, string> => Object.assign(Object.create(null) as object, entries);
const challenge = (entries: Record<string, string>): AuthChallenge => ({ scheme: 'bearer', params: params(entries) });

describe('InsufficientScopeError', () => {
  it.each([
    ['repeated', 'the request was already replayed once'],
    ['disabled', 'step-up is off ("stepUp: false")'],
    ['refused', 'the authorization server refused that scope (invalid_scope)'],
    ['not-granted', 'the authorization server did not grant it'],
  ] as const)('says why (%s) and which scope the API requires', (reason, why) => {
    const error = new InsufficientScopeError({ requiredScope: ['orders:read', 'orders:write'], reason });
    expect(error.message).toBe(`Insufficient scope: the API requires "orders:read orders:write" and ${why}`);
    expect(error.code).toBe(ErrorCode.INSUFFICIENT_SCOPE);
    expect(error.reason).toBe(reason);
  });

  it('keeps a copy of the scope, the cause when given, and no challenge when none was given', () => {
    const scope = ['a'];
    const cause = new Error('invalid_scope');
    const error = new InsufficientScopeError({ requiredScope: scope, reason: 'refused', cause });
    scope.push('b');
    expect(error.requiredScope).toEqual(['a']);
    expect(error.cause).toBe(cause);
    expect(error.challenge).toBeUndefined();
    expect('cause' in new InsufficientScopeError({ requiredScope: ['a'], reason: 'repeated' })).toBe(false);
  });

  it('renders its fields in JSON, with the challenge scrubbed of the token it was sent', () => {
    const error = new InsufficientScopeError({
      requiredScope: ['a'],
      reason: 'repeated',
      challenge: challenge({ error: 'insufficient_scope', error_description: 'token at-secret-1 lacks a' }),
      secrets: ['at-secret-1'],
    });
    const json = JSON.parse(JSON.stringify(error)) as Record<string, unknown>;
    expect(json).toMatchObject({
      name: 'InsufficientScopeError',
      code: ErrorCode.INSUFFICIENT_SCOPE,
      requiredScope: ['a'],
      reason: 'repeated',
    });
    expect(json.challenge).toEqual({
      scheme: 'bearer',
      params: { error: 'insufficient_scope', error_description: 'token [REDACTED] lacks a' },
    });
  });
});

describe('StepUpRequiredError', () => {
  const base = challenge({ error: 'insufficient_user_authentication' });

  it.each([
    [[], undefined, 'Step-up authentication required: the user must sign in again'],
    [['urn:mfa', 'urn:pwd'], undefined, 'Step-up authentication required: the user must sign in again (acr_values "urn:mfa urn:pwd")'],
    [[], 300, 'Step-up authentication required: the user must sign in again (max_age 300)'],
    [['urn:mfa'], 0, 'Step-up authentication required: the user must sign in again (acr_values "urn:mfa", max_age 0)'],
  ])('says what the user must satisfy: acr_values %p, max_age %p', (acrValues, maxAge, message) => {
    const error = new StepUpRequiredError({ acrValues, ...(maxAge === undefined ? {} : { maxAge }), challenge: base });
    expect(error.message).toBe(message);
    expect(error.code).toBe(ErrorCode.STEP_UP_REQUIRED);
    expect(error.acrValues).toEqual(acrValues);
    expect(error.maxAge).toBe(maxAge);
  });

  it('keeps the cause when given, none otherwise', () => {
    const cause = new Error('the 401');
    expect(new StepUpRequiredError({ acrValues: [], challenge: base, cause }).cause).toBe(cause);
    expect('cause' in new StepUpRequiredError({ acrValues: [], challenge: base })).toBe(false);
  });

  it('renders its fields in JSON, with the challenge scrubbed, and scrubs nothing without secrets', () => {
    const echoed = challenge({ error: 'insufficient_user_authentication', error_description: 'at-secret-2 is too old' });
    const json = JSON.parse(
      JSON.stringify(new StepUpRequiredError({ acrValues: ['urn:mfa'], maxAge: 60, challenge: echoed, secrets: ['at-secret-2'] })),
    ) as Record<string, unknown>;
    expect(json).toMatchObject({ name: 'StepUpRequiredError', acrValues: ['urn:mfa'], maxAge: 60 });
    expect(JSON.stringify(json.challenge)).not.toContain('at-secret-2');
    expect(new StepUpRequiredError({ acrValues: [], challenge: echoed }).challenge.params.error_description).toBe('at-secret-2 is too old');
  });
});

describe('the guards', () => {
  // An error of another copy of the package (ESM beside CJS) is no instance of ours, but has our name.
  const foreign = (name: string): Error => Object.assign(new Error('from another copy'), { name });

  it('know each error from any copy of the package, and nothing else', () => {
    expect(isInsufficientScopeError(new InsufficientScopeError({ requiredScope: [], reason: 'repeated' }))).toBe(true);
    expect(isInsufficientScopeError(foreign('InsufficientScopeError'))).toBe(true);
    expect(isInsufficientScopeError(foreign('StepUpRequiredError'))).toBe(false);
    expect(isInsufficientScopeError({ name: 'InsufficientScopeError' })).toBe(false);
    expect(isStepUpRequiredError(new StepUpRequiredError({ acrValues: [], challenge: challenge({}) }))).toBe(true);
    expect(isStepUpRequiredError(foreign('StepUpRequiredError'))).toBe(true);
    expect(isStepUpRequiredError(foreign('InsufficientScopeError'))).toBe(false);
    expect(isStepUpRequiredError({ name: 'StepUpRequiredError' })).toBe(false);
    expect(isStepUpRequiredError(new Error('plain'))).toBe(false);
  });
});

describe('scrubbedChallenge', () => {
  it('scrubs a token68 challenge too, and leaves the original alone', () => {
    const original: AuthChallenge = { scheme: 'negotiate', params: params({}), token68: 'echo-at-secret-3' };
    expect(scrubbedChallenge(original, ['at-secret-3'])).toEqual({ scheme: 'negotiate', params: {}, token68: 'echo-[REDACTED]' });
    expect(original.token68).toBe('echo-at-secret-3');
  });
});
