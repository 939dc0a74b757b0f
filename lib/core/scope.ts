import { TokenRefreshError, isOAuthError } from './errors.js';

/*
 * Scope lists for step-up (RFC 6750 §3.1 insufficient_scope): a step-up asks for the UNION of the scope in use and the
 * scope the API wants, never a replacement (replacing it loses what the token could already do, and a client that
 * overwrites scopes steps up forever: modelcontextprotocol/typescript-sdk #1582).
 */

/** RFC 6749 §3.3 scope-token: printable ASCII except space, `"` and `\`. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;
/** Scope tokens kept in any one list: a server's header cannot grow what we remember, or send, without bound. */
export const MAX_SCOPE_TOKENS = 64;

/** The scope tokens of a space-delimited scope (or of a list), valid ones only, without repeats, in order. */
export function scopeTokens(scope: string | readonly string[] | undefined): string[] {
  if (scope === undefined) return [];
  const items = typeof scope === 'string' ? scope.split(/[ \t]+/) : scope;
  return unionScope(items.filter((item) => typeof item === 'string' && SCOPE_TOKEN.test(item)));
}

/** Every token of the lists, once, first occurrence first, at most {@link MAX_SCOPE_TOKENS}. */
export function unionScope(...lists: ReadonlyArray<readonly string[]>): string[] {
  const union = new Set<string>();
  for (const list of lists) {
    for (const token of list) {
      if (union.size >= MAX_SCOPE_TOKENS) return [...union];
      union.add(token);
    }
  }
  return [...union];
}

/** Whether `have` holds every token of `need`. */
export function coversScope(have: readonly string[], need: readonly string[]): boolean {
  return need.every((token) => have.includes(token));
}

/**
 * What a token can do for `required`: `'granted'` when its granted scope covers it (or, granted scope unknown, the scope
 * it was requested with does: RFC 6749 §5.1 omits `scope` when it equals the request), `'refused'` when it was requested
 * with that scope but granted less, `'missing'` when nobody asked for it.
 */
export function scopeVerdict(
  grantedScope: string | undefined,
  requestedScope: readonly string[] | undefined,
  required: readonly string[],
): 'granted' | 'refused' | 'missing' {
  const asked = requestedScope !== undefined && coversScope(requestedScope, required);
  if (grantedScope === undefined) return asked ? 'granted' : 'missing';
  if (coversScope(scopeTokens(grantedScope), required)) return 'granted';
  return asked ? 'refused' : 'missing';
}

/** RFC 6749 §5.2 `invalid_scope`, as the source threw it or wrapped in a TokenRefreshError. */
export function isScopeRefusal(error: unknown): boolean {
  const cause = error instanceof TokenRefreshError ? (error as { cause?: unknown }).cause : error;
  return isOAuthError(cause) && cause.error === 'invalid_scope';
}
