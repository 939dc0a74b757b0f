import type { AxiosError, AxiosInstance } from 'axios';
import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import type { TokenManagerOptions } from '../core/options.js';
import { TokenManager } from '../core/token-manager.js';
import { rejectUnknownOptions } from '../core/validate.js';
import { DEFAULT_HEADER_NAME, type AttachOAuthOptions } from './attach-options.js';
import type { InterceptorSettings } from './interceptors.js';
import { resolveRouteRules } from './route-rules.js';

/** RFC 9110 §5.6.2 `token`: what a header name and an auth-scheme (§11.1) may be made of. */
const HTTP_TOKEN = /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/;

// Records, not lists, so that the compiler insists on every option: a key missing here would be refused at attach.
const TOKEN_OPTIONS: Record<keyof TokenManagerOptions, true> = {
  fetchToken: true,
  initialToken: true,
  refreshBufferSeconds: true,
  refreshTimeoutMs: true,
  minRefreshIntervalMs: true,
  retryIntervalMs: true,
  keepFresh: true,
  onTokenUpdate: true,
  onRefreshFailed: true,
  onBackgroundError: true,
  now: true,
  storage: true,
  onEvent: true,
  dpop: true,
};
const ATTACH_ONLY_OPTIONS: Record<Exclude<keyof AttachOAuthOptions, keyof TokenManagerOptions>, true> = {
  tokenManager: true,
  origins: true,
  allowInsecureHttp: true,
  shouldRefresh: true,
  headerName: true,
  headerScheme: true,
  stepUp: true,
};
const TOKEN_OPTION_NAMES = Object.keys(TOKEN_OPTIONS) as (keyof TokenManagerOptions)[];
const KNOWN_OPTIONS = [...TOKEN_OPTION_NAMES, ...Object.keys(ATTACH_ONLY_OPTIONS)];

const is401 = (error: AxiosError): boolean => error.response?.status === 401;

/** Checks `options` (naming the first one that is wrong) and resolves what the interceptors need. */
export function resolveSettings(instance: AxiosInstance, options: AttachOAuthOptions, dpop?: DPoPProofMaker): InterceptorSettings {
  rejectUnknownOptions(options, KNOWN_OPTIONS, 'options', 'attachOAuth');
  const { headerName = DEFAULT_HEADER_NAME, headerScheme, shouldRefresh = is401, allowInsecureHttp = false, stepUp = true } = options;
  if (typeof headerName !== 'string' || !HTTP_TOKEN.test(headerName)) {
    throw new TypeError('"options.headerName" must be a valid HTTP header name');
  }
  if (headerScheme !== undefined && (typeof headerScheme !== 'string' || (headerScheme !== '' && !HTTP_TOKEN.test(headerScheme)))) {
    throw new TypeError("\"options.headerScheme\" must be an HTTP auth-scheme (letters, digits and !#$%&'*+-.^_`|~), or ''");
  }
  if (typeof shouldRefresh !== 'function') throw new TypeError('"options.shouldRefresh" must be a function');
  if (typeof allowInsecureHttp !== 'boolean') throw new TypeError('"options.allowInsecureHttp" must be a boolean');
  if (typeof stepUp !== 'boolean') throw new TypeError('"options.stepUp" must be a boolean');
  const rules = resolveRouteRules(options.origins, instance.defaults.baseURL, allowInsecureHttp);
  const manager = resolveManager(options, dpop);
  return {
    instance,
    manager,
    rules,
    allowInsecureHttp,
    shouldRefresh,
    headerName,
    headerScheme,
    stepUp,
    dpop: manager.dpop,
  };
}

function resolveManager(options: AttachOAuthOptions, dpop: DPoPProofMaker | undefined): TokenManager {
  const shared = options.tokenManager;
  if (shared === undefined) return new TokenManager({ ...options, fetchToken: options.fetchToken!, dpop });
  if (!(shared instanceof TokenManager)) throw new TypeError('"options.tokenManager" must be a TokenManager');
  const clash = TOKEN_OPTION_NAMES.find((name) => options[name] !== undefined);
  if (clash !== undefined) {
    throw new TypeError(`"options.${clash}" cannot be combined with "options.tokenManager": set it on the shared manager`);
  }
  return shared;
}
