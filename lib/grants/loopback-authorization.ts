/// <reference types="node" />
// Node only (node:http): exported from lib/node.ts, the `axios-oauth-lock/node` subpath, never from the main entry.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { abortReason } from '../core/abortable.js';
import { ErrorCode, SignInError } from '../core/errors.js';
import type { TokenSource, TokenSourceContext } from '../core/options.js';
import { durationMsOption, numberOption, optionalBoolean, requireFunction } from '../core/validate.js';
import { redeemingSource } from './authorization-code.js';
import { createAuthorizationRequest, type AuthorizationRequestOptions } from './authorization-request.js';
import type { TokenEndpointOptions } from './grant-options.js';
import { validateEndpointOptions } from './validate-options.js';

/** Options of {@link loopbackAuthorization}. */
export interface LoopbackAuthorizationOptions extends Omit<TokenEndpointOptions, 'timeoutMs'> {
  /** Opens the URL in the user's browser, e.g. with the `open` package, or prints it. */
  openUrl: (url: string) => void | Promise<void>;
  /**
   * How long the user has to sign in, from the moment the listener is up; then the listener closes and the
   * sign-in fails with `ERR_SIGN_IN_TIMEOUT`. (Each HTTP attempt to the token endpoint keeps the grants' 10 s.)
   * @default 300000 (5 minutes)
   */
  timeoutMs?: number;
  /** Aborts the sign-in and closes the listener (`signIn()`'s own `signal` does too). @default none */
  signal?: AbortSignal;
  /** The path of the redirect URI. @default '/callback' */
  callbackPath?: string;
  /** The port to listen on; 0 takes a free one (RFC 8252 §7.3 servers accept any port for loopback). @default 0 */
  port?: number;
  /** The authorization endpoint, when `tokenUrl` is given instead of `issuer`. @default discovered from `issuer` */
  authorizationUrl?: string;
  /** OIDC `prompt`. @default undefined */
  prompt?: string;
  /** OIDC `login_hint`. @default undefined */
  loginHint?: string;
  /** OIDC `acr_values` (step-up, RFC 9470). @default undefined */
  acrValues?: string | string[];
  /** OIDC `max_age` in seconds (step-up, RFC 9470). @default undefined */
  maxAge?: number;
  /**
   * Push the authorization request first (PAR, RFC 9126), client-authenticated like the code redemption; see
   * `createAuthorizationRequest`. @default whether the discovered metadata says `require_pushed_authorization_requests`
   */
  pushed?: boolean;
}

/** Default of {@link LoopbackAuthorizationOptions.timeoutMs}. */
export const DEFAULT_LOOPBACK_TIMEOUT_MS = 300_000;

/**
 * The authorization code flow with PKCE for a Node CLI, over a loopback redirect: listens on `127.0.0.1` on an
 * ephemeral port, hands the authorization URL (redirect URI `http://127.0.0.1:<port>/callback`) to `openUrl`,
 * accepts only that path with the right `state` (anything else gets 404), answers the browser with a small page
 * (the user may close it, or what went wrong), redeems the code, and closes the listener on success, failure, abort
 * or deadline. A one-shot source for `signIn()`. Node only: import it from `axios-oauth-lock/node`.
 * @example
 * import { loopbackAuthorization } from 'axios-oauth-lock/node';
 * await auth.signIn(loopbackAuthorization({ issuer, clientId: 'cli', scope: ['openid', 'offline_access'], openUrl: (url) => open(url) }));
 * @see RFC 8252 §7.3, §8.3; RFC 7636; RFC 6749 §4.1
 */
export function loopbackAuthorization(options: LoopbackAuthorizationOptions): TokenSource {
  const { timeoutMs, openUrl, signal, callbackPath = '/callback', port = 0, ...rest } = options ?? ({} as LoopbackAuthorizationOptions);
  const { authorizationUrl, prompt, loginHint, acrValues, maxAge, pushed, ...endpoint } = rest;
  const resolved = validateEndpointOptions(endpoint, 'loopbackAuthorization');
  requireFunction(openUrl, 'options.openUrl');
  const deadlineMs = durationMsOption(timeoutMs, DEFAULT_LOOPBACK_TIMEOUT_MS, 'options.timeoutMs', 1);
  if (typeof callbackPath !== 'string' || !/^\/[\w\-./~]*$/.test(callbackPath)) {
    throw new TypeError('"options.callbackPath" must be a path starting with "/"');
  }
  if (!Number.isInteger(numberOption(port, 0, 'options.port', 0, 65535))) throw new RangeError('"options.port" must be an integer');
  if (signal !== undefined && typeof signal?.addEventListener !== 'function')
    throw new TypeError('"options.signal" must be an AbortSignal');
  const requestOptions = (redirectUri: string): AuthorizationRequestOptions => ({
    clientId: endpoint.clientId,
    redirectUri,
    ...(authorizationUrl === undefined ? { issuer: endpoint.issuer } : { authorizationUrl }),
    ...defined({ discovery: endpoint.discovery, scope: endpoint.scope, resource: endpoint.resource, audience: endpoint.audience }),
    ...defined({ prompt, loginHint, acrValues, maxAge, httpClient: endpoint.httpClient, allowInsecureHttp: endpoint.allowInsecureHttp }),
    // A pushed request (RFC 9126 §2.1) authenticates the client as the code redemption will.
    ...defined({ pushed, clientSecret: endpoint.clientSecret, authMethod: endpoint.authMethod, privateKey: endpoint.privateKey }),
    ...defined({ keyId: endpoint.keyId, signingAlg: endpoint.signingAlg, assertionHeader: endpoint.assertionHeader }),
    ...defined({ assertionAudience: endpoint.assertionAudience }),
  });
  if (authorizationUrl === undefined && endpoint.issuer === undefined) {
    throw new TypeError('"options.authorizationUrl" is required with "tokenUrl" (give "issuer" to have it discovered)');
  }
  if (optionalBoolean(pushed, 'options.pushed') === true && endpoint.issuer === undefined) {
    throw new TypeError('"options.pushed" needs "options.issuer": the pushed_authorization_request_endpoint is discovered');
  }
  let used = false;
  return async (context?: TokenSourceContext) => {
    if (used)
      throw new SignInError(ErrorCode.SIGN_IN_FAILED, 'Sign-in failed: a loopbackAuthorization() source signs in once; create another');
    used = true;
    const stop = new AbortController();
    const unlink = [context?.signal, signal].map((s) => forward(s, stop));
    const listener = await listen(port);
    try {
      const redirectUri = `http://127.0.0.1:${(listener.address() as AddressInfo).port}${callbackPath}`;
      const request = await createAuthorizationRequest(requestOptions(redirectUri));
      const callback = waitForCallback(listener, callbackPath, request.state);
      const deadline = setTimeout(
        () => stop.abort(new SignInError(ErrorCode.SIGN_IN_TIMEOUT, `Sign-in failed: nobody signed in within ${deadlineMs} ms`)),
        deadlineMs,
      ); // not unref()'d: signIn() and its waiters await it (DESIGN rule 3)
      try {
        // Not awaited before the callback: an openUrl that waits for the browser to finish would wait for itself.
        Promise.resolve()
          .then(() => openUrl(request.url))
          .catch((error: unknown) => stop.abort(error));
        const { params, answer } = await untilAborted(callback.promise, stop.signal);
        const source = redeemingSource(resolved, params, { state: request.state, codeVerifier: request.codeVerifier, redirectUri });
        try {
          const token = await source({ reason: 'initial', lastToken: null, signal: stop.signal });
          answer(200, 'Signed in', 'You are signed in. You may close this window and return to the application.');
          return token;
        } catch (error) {
          answer(400, 'Sign-in failed', error instanceof Error ? error.message : 'Sign-in failed.');
          throw error;
        }
      } finally {
        clearTimeout(deadline);
        callback.cancel();
      }
    } finally {
      unlink.forEach((remove) => remove());
      await close(listener);
    }
  };
}

function defined<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function forward(signal: AbortSignal | undefined, to: AbortController): () => void {
  if (signal === undefined) return () => undefined;
  if (signal.aborted) to.abort(signal.reason);
  const onAbort = (): void => to.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  return () => signal.removeEventListener('abort', onAbort);
}

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    // RFC 8252 §8.3: the loopback IP literal, not `localhost` (which may resolve elsewhere or be firewalled).
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

interface Callback {
  params: URLSearchParams;
  answer: (status: number, title: string, text: string) => void;
}

/** The first request to `path` with `state`; every other request is answered 404 and changes nothing. */
function waitForCallback(server: Server, path: string, state: string): { promise: Promise<Callback>; cancel: () => void } {
  let settled = false;
  let pending: ServerResponse | undefined;
  const promise = new Promise<Callback>((resolve) => {
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      if (settled || req.method !== 'GET' || url.pathname !== path || url.searchParams.get('state') !== state) {
        return page(res, 404, 'Not found', 'Nothing here.');
      }
      settled = true;
      pending = res;
      resolve({ params: url.searchParams, answer: (status, title, text) => page(res, status, title, text) });
    });
  });
  return {
    promise,
    cancel: () => {
      settled = true;
      if (pending !== undefined && !pending.headersSent) page(pending, 400, 'Sign-in failed', 'The sign-in was cancelled.');
    },
  };
}

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><meta charset="utf-8"><title>${escape(title)}</title><h1>${escape(title)}</h1><p>${escape(text)}</p>`;
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'Referrer-Policy': 'no-referrer',
    Connection: 'close',
  });
  res.end(body);
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => (signal.removeEventListener('abort', onAbort), resolve(value)),
      (error: unknown) => (signal.removeEventListener('abort', onAbort), reject(error as Error)),
    );
  });
}
