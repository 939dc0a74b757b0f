import { createRouteResolver, type RequestTarget } from '../../lib/axios/origin-guard.js';
import { resolveRouteRules } from '../../lib/axios/route-rules.js';
import type { OriginRule } from '../../lib/index.js';

/** One handle's verdict, as the instance's router gives it: is the request handed to the handle with these rules? */
export function createOriginGuard(rules: OriginRule[], allowInsecureHttp: boolean): (target: RequestTarget) => boolean {
  const resolve = createRouteResolver([{ rules: resolveRouteRules(rules, undefined, allowInsecureHttp), allowInsecureHttp }]);
  return (target) => resolve(target) !== undefined;
}
