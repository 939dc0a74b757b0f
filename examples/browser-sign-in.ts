/*
 * A single-page app that signs its user in with the authorization code flow + PKCE (RFC 6749 §4.1, RFC 7636) and
 * calls an API, in the browser: bundle this module with your app.
 *
 *   page 1:          await startSignIn(config)                  // the browser leaves for the authorization server
 *   /callback page:  const { api, auth } = createApi(config);
 *                    await finishSignIn(auth, config);          // api requests sent meanwhile wait for it
 *   any other tab:   createApi(config).api.get('/orders')       // the token is shared through browserStorage
 *
 * Register the client as a public web app (token_endpoint_auth_method "none") with the redirect URI
 * <your origin>/callback; the token endpoint must allow your origin for CORS (oidc-provider does for a public
 * client's redirect URI origins). A server that requires pushed authorization requests (PAR, RFC 9126) gets one:
 * createAuthorizationRequest pushes by itself then. __tests__/integration/browser-sign-in.test.ts runs this very file
 * in Chromium.
 */
import axios, { type AxiosInstance } from 'axios';
import {
  attachOAuth,
  authorizationCodeGrant,
  browserStorage,
  createAuthorizationRequest,
  refreshTokenGrant,
  type AuthorizationRequest,
  type OAuthHandle,
  type Token,
} from 'axios-oauth-lock';

export interface AppConfig {
  issuer: string;
  clientId: string;
  apiUrl: string;
  /** Add 'offline_access' (and maybe `prompt: 'consent'`, as your server wants) to get a refresh token. */
  scope: string[];
  /** Names the token in browserStorage: every tab of the origin with this key shares it. */
  storageKey: string;
}

/** The pending sign-in lives in sessionStorage: this tab only, gone when the tab closes. */
const PENDING = 'oauth-pending-sign-in';

const callbackUri = (): string => new URL('/callback', location.origin).href;

/** The app's API client. Every tab makes one; a token another tab stored is used at once, without a grant. */
export function createApi(config: AppConfig): { api: AxiosInstance; auth: OAuthHandle } {
  const api = axios.create({ baseURL: config.apiUrl });
  const auth = attachOAuth(api, {
    // Renewals after the sign-in: the refresh token it obtained (public client: no secret).
    fetchToken: refreshTokenGrant({ issuer: config.issuer, clientId: config.clientId }),
    storage: browserStorage({ key: config.storageKey }),
  });
  return { api, auth };
}

/** Page 1: sends the browser to the authorization server's login page. */
export async function startSignIn(config: AppConfig): Promise<void> {
  const request = await createAuthorizationRequest({
    issuer: config.issuer,
    clientId: config.clientId,
    redirectUri: callbackUri(),
    scope: config.scope,
  });
  // `state` and `codeVerifier` are secrets of this one sign-in: never log them, never put them in a URL.
  sessionStorage.setItem(PENDING, JSON.stringify(request));
  location.assign(request.url);
}

/**
 * The callback page: checks the answer (`state`, `iss`) and redeems the code. The sign-in starts before this returns,
 * so requests sent right after it wait for the new token instead of failing.
 */
export function finishSignIn(auth: OAuthHandle, config: AppConfig): Promise<Token> {
  const saved = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING); // a code is good once: a reload must not try again
  if (saved === null) return Promise.reject(new Error('No sign-in is pending in this tab: start one with startSignIn()'));
  const request = JSON.parse(saved) as AuthorizationRequest;
  const signedIn = auth.signIn(
    authorizationCodeGrant({ issuer: config.issuer, clientId: config.clientId, callbackUrl: location.href, ...request }),
  );
  // The grant has read the callback URL: take the code and state out of the address bar and the history.
  history.replaceState(null, '', location.pathname);
  return signedIn;
}
