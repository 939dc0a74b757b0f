import type { AxiosError, AxiosInstance } from 'axios';
import {
  createRequestInterceptor,
  createResponseErrorInterceptor,
  formatHeaderValue,
  type InterceptorSettings,
} from './axios/interceptors.js';
import { DEFAULT_HEADER_NAME, type AttachOAuthOptions } from './axios/attach-options.js';
import { resolveOrigins } from './axios/resolve-origins.js';
import { createOriginGuard } from './axios/origin-guard.js';
import type { Token, TokenInput } from './core/token.js';
import { TokenManager } from './core/token-manager.js';

/** What {@link attachOAuth} returns: the token store's verbs, and `detach()`. */
export interface OAuthHandle {
  /** The token manager behind this instance; pass it as `tokenManager` to share one lock with another instance. */
  readonly tokenManager: TokenManager;
  /** A valid token, fetched (once, however many callers) if there is none. */
  getToken(): Promise<Token>;
  /** The access token string of {@link getToken}. */
  getAccessToken(): Promise<string>;
  /** The header to send, e.g. `{ Authorization: 'Bearer …' }`, for code that builds requests itself. */
  getHeaders(): Promise<Record<string, string>>;
  /** Forces a new token; joins a refresh already in flight. */
  refresh(): Promise<Token>;
  /** Installs a token you obtained yourself; `onTokenUpdate` runs. */
  setToken(token: TokenInput): Token;
  /** Forgets the token (e.g. on logout); the next request fetches a new one. */
  clear(): void;
  /** Revokes the token at the server when the token source can (RFC 7009), then clears it either way. */
  revoke(): Promise<void>;
  /** Ejects both interceptors and stops timers. Requests already waiting still settle. */
  detach(): void;
}

const is401 = (error: AxiosError): boolean => error.response?.status === 401;

/**
 * Makes an axios instance OAuth 2.0 aware: every request to an allowed origin carries a token, however many
 * requests need one at once only one refresh runs, and a wave of 401s is refreshed once and replayed once.
 * @example
 * const api = axios.create({ baseURL: 'https://api.example.com' });
 * const auth = attachOAuth(api, { fetchToken: async () => ({ accessToken: await login(), expiresIn: 3600 }) });
 * await api.get('/orders'); // Authorization: Bearer <token>
 * @see RFC 6750 §2.1 (the header), RFC 6749 §5.1 (token responses)
 */
export function attachOAuth(instance: AxiosInstance, options: AttachOAuthOptions): OAuthHandle {
  if (instance === null || typeof instance !== 'function' || typeof instance.interceptors !== 'object') {
    throw new TypeError('"instance" must be an axios instance (from axios.create())');
  }
  if (options === null || typeof options !== 'object') throw new TypeError('"options" must be an object');
  const settings = resolveSettings(instance, options);
  const requestId = instance.interceptors.request.use(createRequestInterceptor(settings));
  const responseId = instance.interceptors.response.use(undefined, createResponseErrorInterceptor(settings));
  const manager = settings.manager;
  const ownsManager = options.tokenManager === undefined;
  let attached = true;

  return {
    tokenManager: manager,
    getToken: () => manager.getToken(),
    getAccessToken: async () => (await manager.getToken()).accessToken,
    getHeaders: async () => ({ [settings.headerName]: formatHeaderValue(await manager.getToken(), settings.headerScheme) }),
    refresh: () => manager.refresh(),
    setToken: (token) => manager.setToken(token),
    clear: () => manager.clear(),
    revoke: () => manager.revoke(),
    detach: () => {
      if (!attached) return;
      attached = false;
      instance.interceptors.request.eject(requestId);
      instance.interceptors.response.eject(responseId);
      if (ownsManager) manager.dispose();
    },
  };
}

function resolveSettings(instance: AxiosInstance, options: AttachOAuthOptions): InterceptorSettings {
  const { headerName = DEFAULT_HEADER_NAME, headerScheme, shouldRefresh = is401, allowInsecureHttp = false } = options;
  if (typeof headerName !== 'string' || !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(headerName)) {
    throw new TypeError('"options.headerName" must be a valid HTTP header name');
  }
  if (headerScheme !== undefined && (typeof headerScheme !== 'string' || /[\s,]/.test(headerScheme))) {
    throw new TypeError('"options.headerScheme" must be a string without spaces or commas');
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
] as const;

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
