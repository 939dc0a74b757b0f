import type { AxiosError, AxiosInstance } from 'axios';
import type { TokenManagerOptions } from '../core/options.js';
import { TokenManager } from '../core/token-manager.js';
import { DEFAULT_HEADER_NAME, type AttachOAuthOptions } from './attach-options.js';
import type { InterceptorSettings } from './interceptors.js';
import { createOriginGuard } from './origin-guard.js';
import { resolveOrigins } from './resolve-origins.js';

/** RFC 9110 §5.6.2 `token`: what a header name and an auth-scheme (§11.1) may be made of. */
const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

const TOKEN_OPTION_NAMES = [
  'fetchToken',
  'initialToken',
  'refreshBufferSeconds',
  'refreshTimeoutMs',
  'minRefreshIntervalMs',
  'retryIntervalMs',
  'keepFresh',
  'onTokenUpdate',
  'onRefreshFailed',
  'onBackgroundError',
  'now',
  'storage',
] as const satisfies readonly (keyof TokenManagerOptions)[];

const ATTACH_OPTION_NAMES = [
  'tokenManager',
  'origins',
  'allowInsecureHttp',
  'shouldRefresh',
  'headerName',
  'headerScheme',
] as const satisfies readonly (keyof AttachOAuthOptions)[];

// Compile-time: a new option must be added to the lists above, or plain-JavaScript callers would be told it does not exist.
type Unlisted = Exclude<keyof AttachOAuthOptions, (typeof TOKEN_OPTION_NAMES)[number] | (typeof ATTACH_OPTION_NAMES)[number]>;
type AssertTrue<T extends true> = T;
type _EveryOptionListed = AssertTrue<[Unlisted] extends [never] ? true : false>;

const KNOWN_OPTIONS: ReadonlySet<string> = new Set([...TOKEN_OPTION_NAMES, ...ATTACH_OPTION_NAMES]);

const is401 = (error: AxiosError): boolean => error.response?.status === 401;

/** Checks `options` (naming the first one that is wrong) and resolves what the interceptors need. */
export function resolveSettings(instance: AxiosInstance, options: AttachOAuthOptions): InterceptorSettings {
  // In plain JavaScript a misspelled key (`refreshBuferSeconds`) would otherwise be ignored without a word.
  const unknown = Object.keys(options).find((key) => !KNOWN_OPTIONS.has(key));
  if (unknown !== undefined) throw new TypeError(`"options.${unknown}" is not an option of attachOAuth()`);
  const { headerName = DEFAULT_HEADER_NAME, headerScheme, shouldRefresh = is401, allowInsecureHttp = false } = options;
  if (typeof headerName !== 'string' || !HTTP_TOKEN.test(headerName)) {
    throw new TypeError('"options.headerName" must be a valid HTTP header name');
  }
  if (headerScheme !== undefined && (typeof headerScheme !== 'string' || (headerScheme !== '' && !HTTP_TOKEN.test(headerScheme)))) {
    throw new TypeError("\"options.headerScheme\" must be an HTTP auth-scheme (letters, digits and !#$%&'*+-.^_`|~), or ''");
  }
  if (typeof shouldRefresh !== 'function') throw new TypeError('"options.shouldRefresh" must be a function');
  if (typeof allowInsecureHttp !== 'boolean') throw new TypeError('"options.allowInsecureHttp" must be a boolean');
  const rules = resolveOrigins(options.origins, instance.defaults.baseURL, allowInsecureHttp);
  return {
    instance,
    manager: resolveManager(options),
    isAllowed: createOriginGuard(rules, allowInsecureHttp),
    shouldRefresh,
    headerName,
    headerScheme,
  };
}

function resolveManager(options: AttachOAuthOptions): TokenManager {
  const shared = options.tokenManager;
  if (shared === undefined) return new TokenManager({ ...options, fetchToken: options.fetchToken! });
  if (!(shared instanceof TokenManager)) throw new TypeError('"options.tokenManager" must be a TokenManager');
  const clash = TOKEN_OPTION_NAMES.find((name) => options[name] !== undefined);
  if (clash !== undefined) {
    throw new TypeError(`"options.${clash}" cannot be combined with "options.tokenManager": set it on the shared manager`);
  }
  return shared;
}
