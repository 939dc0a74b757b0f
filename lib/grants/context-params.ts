import type { TokenSourceContext } from '../core/options.js';
import { scopeTokens, unionScope } from '../core/scope.js';

/** The members of a token source's context that change what a grant sends: scope and claims (issue 10), DPoP proofs. */
export type RequestContext = Pick<Partial<TokenSourceContext>, 'scope' | 'claims' | 'dpop'>;

/**
 * The grant's configured parameters with the context applied: `context.scope` (a step-up's) is requested together with
 * the configured scope, never instead of it (space-delimited, RFC 6749 §3.3); `context.claims` is sent as the `claims`
 * parameter (OpenID Connect Core 1.0 §5.5), replacing one given in `extraParams`.
 */
export function withContext(params: ReadonlyArray<[string, string]>, context: RequestContext | undefined): Array<[string, string]> {
  const scope = context?.scope === undefined ? [] : scopeTokens(context.scope);
  const claims = typeof context?.claims === 'string' && context.claims !== '' ? context.claims : undefined;
  if (scope.length === 0 && claims === undefined) return [...params];
  const configured = params.filter(([name]) => name === 'scope').map(([, value]) => value);
  const out: Array<[string, string]> = [];
  for (const param of params) {
    if (param[0] === 'scope' && scope.length > 0) continue;
    if (param[0] === 'claims' && claims !== undefined) continue;
    out.push(param);
  }
  if (scope.length > 0) out.push(['scope', unionScope(scopeTokens(configured.join(' ')), scope).join(' ')]);
  if (claims !== undefined) out.push(['claims', claims]);
  return out;
}
