import type { AxiosInstance } from 'axios';
import type { AttachOAuthOptions } from './axios/attach-options.js';
import { resolveSettings } from './axios/attach-settings.js';
import { formatHeaderValue, Route } from './axios/interceptors.js';
import { Router } from './axios/router.js';
import { resolveDPoPOption } from './dpop/dpop-option.js';
import type { TokenSource } from './core/options.js';
import type { SignInOptions } from './core/sign-in.js';
import type { Token, TokenInput } from './core/token.js';
import type { TokenManager } from './core/token-manager.js';

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
  /**
   * Signs in with a one-shot token source (authorization code, loopback, device, password): requests wait for it,
   * its token is installed and stored, and `fetchToken` renews it later. See {@link TokenManager.signIn}.
   */
  signIn(source: TokenSource, options?: SignInOptions): Promise<Token>;
  /** Installs a token you obtained yourself; `onTokenUpdate` runs. */
  setToken(token: TokenInput): Token;
  /** Forgets the token (e.g. on logout); the next request fetches a new one. */
  clear(): void;
  /** Revokes the token at the server when the token source can (RFC 7009), then clears it either way. */
  revoke(): Promise<void>;
  /**
   * Takes this handle off the instance (the instance's interceptors go with the last handle) and stops its timers.
   * Other handles on the instance keep working; requests already waiting still settle.
   */
  detach(): void;
}

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
  const dpop = resolveDPoPOption(options.dpop, options.storage, 'options.dpop');
  const settings = resolveSettings(instance, options, dpop);
  const router = Router.of(instance);
  const route = new Route(settings);
  const manager = settings.manager;
  const ownsManager = options.tokenManager === undefined;
  try {
    router.add(route);
  } catch (error) {
    if (ownsManager) manager.dispose();
    throw error;
  }
  let attached = true;

  return {
    tokenManager: manager,
    getToken: () => manager.getToken(),
    getAccessToken: async () => (await manager.getToken()).accessToken,
    getHeaders: async () => ({ [settings.headerName]: formatHeaderValue(await manager.getToken(), settings.headerScheme) }),
    refresh: () => manager.refresh(),
    signIn: (source, signInOptions) => manager.signIn(source, signInOptions),
    setToken: (token) => manager.setToken(token),
    clear: () => manager.clear(),
    revoke: () => manager.revoke(),
    detach: () => {
      if (!attached) return;
      attached = false;
      router.remove(route);
      if (ownsManager) manager.dispose();
    },
  };
}
