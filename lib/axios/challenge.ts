import type { AuthChallenge } from '../core/auth-challenge.js';
import { scopeTokens } from '../core/scope.js';
import { parseWwwAuthenticate } from './www-authenticate.js';

/**
 * What a 401/403 of a request we authorised asks for, read from its `WWW-Authenticate` challenges (DESIGN rule 9):
 * - `refresh`: `invalid_token`, or our scheme's challenge without an error: the token is bad; today's refresh path
 *   (which `shouldRefresh` still gates).
 * - `step-up`: `insufficient_scope` with a `scope`: the token lacks that scope (RFC 6750 §3.1).
 * - `claims`: `insufficient_claims` with a readable `claims` (Microsoft Entra CAE): refresh with those claims.
 * - `sign-in`: `insufficient_user_authentication` (RFC 9470): only the user can help; no token request.
 * - `return`: the answer is not about our token (only other schemes' challenges on a 401, e.g. a proxy's
 *   `Basic realm=…`) or asks for nothing we can do (another error code): returned as it is.
 * - `default`: no challenge at all (or none we can match): what the package did before challenges, i.e.
 *   `shouldRefresh` decides (by default: refresh on 401, return a 403).
 * When several challenges of our scheme disagree, the most specific wins, in the order above from `sign-in` up.
 */
export type ChallengeDecision =
  | { action: 'refresh'; challenge: AuthChallenge }
  | { action: 'step-up'; requiredScope: string[]; challenge: AuthChallenge }
  | { action: 'claims'; claims: string; challenge: AuthChallenge }
  | { action: 'sign-in'; acrValues: string[]; maxAge: number | undefined; challenge: AuthChallenge }
  | { action: 'return' }
  | { action: 'default' };

/** A claims request longer than this is not sent anywhere. */
const MAX_CLAIMS_LENGTH = 8 * 1024;

/**
 * Decides a failed response by its challenges.
 * @param sentScheme the auth-scheme of the credential the request carried (`Bearer`, `DPoP`, ...), or `undefined`
 *   when no challenge can be about it (a custom header, or a bare token with `headerScheme: ''`).
 * @see RFC 9110 §11.6.1, RFC 6750 §3.1, RFC 9470 §3
 */
export function decideChallenge(status: number | undefined, header: unknown, sentScheme: string | undefined): ChallengeDecision {
  if ((status !== 401 && status !== 403) || sentScheme === undefined) return { action: 'default' };
  const challenges = parseWwwAuthenticate(header);
  if (challenges.length === 0) return { action: 'default' };
  const scheme = sentScheme.toLowerCase();
  const ours = challenges.filter((challenge) => challenge.scheme === scheme);
  // RFC 9110 §11.6.1: the challenges are for the credentials the server accepts. None for ours: not about our token.
  if (ours.length === 0) return status === 401 ? { action: 'return' } : { action: 'default' };
  const withError = (code: string): AuthChallenge | undefined => ours.find((challenge) => errorOf(challenge) === code);

  const signIn = withError('insufficient_user_authentication');
  if (signIn !== undefined) {
    return { action: 'sign-in', acrValues: words(signIn.params.acr_values), maxAge: seconds(signIn.params.max_age), challenge: signIn };
  }
  const claimsChallenge = withError('insufficient_claims');
  const claims = claimsChallenge === undefined ? undefined : decodeClaims(claimsChallenge.params.claims);
  if (claims !== undefined) return { action: 'claims', claims, challenge: claimsChallenge! };
  const scopeChallenge = withError('insufficient_scope');
  const requiredScope = scopeTokens(scopeChallenge?.params.scope);
  if (requiredScope.length > 0) return { action: 'step-up', requiredScope, challenge: scopeChallenge! };
  const invalid = withError('invalid_token') ?? ours.find((challenge) => errorOf(challenge) === undefined);
  if (invalid !== undefined) return { action: 'refresh', challenge: invalid };
  return { action: 'return' };
}

function errorOf(challenge: AuthChallenge): string | undefined {
  return challenge.params.error?.toLowerCase();
}

// RFC 9470 §3: acr_values is space-separated, in order of preference.
function words(value: string | undefined): string[] {
  return value === undefined ? [] : value.split(' ').filter((word) => word !== '');
}

// RFC 9470 §3: max_age is a non-negative integer number of seconds.
function seconds(value: string | undefined): number | undefined {
  return value !== undefined && /^\d{1,10}$/.test(value) ? Number(value) : undefined;
}

/**
 * The claims request a challenge carries: base64 (or base64url) of a JSON object, decoded to its JSON text, which is
 * what the token endpoint's `claims` parameter takes. Anything else gives `undefined`: nothing is sent on a guess.
 * @see OpenID Connect Core 1.0 §5.5; learn.microsoft.com/entra/identity-platform/claims-challenge
 */
export function decodeClaims(value: string | undefined): string | undefined {
  if (value === undefined || value.length > MAX_CLAIMS_LENGTH) return undefined;
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(value)) return undefined; // (not empty either)
  try {
    const base64 = value.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
    const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
    const bytes = Uint8Array.from(binary, (c) => c.charCodeAt(0));
    const json = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    const parsed: unknown = JSON.parse(json);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed) ? json : undefined;
  } catch {
    return undefined;
  }
}
