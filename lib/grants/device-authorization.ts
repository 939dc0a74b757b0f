import { issuerMetadata } from './issuer-metadata.js';
import type { AxiosResponse } from 'axios';
import { abortReason } from '../core/abortable.js';
import { ErrorCode, SignInError, TokenRefreshError, isOAuthError } from '../core/errors.js';
import type { TokenSource, TokenSourceContext } from '../core/options.js';
import { parseEndpointOption } from '../core/secure-url.js';
import type { TokenFields } from '../core/token.js';
import { requireFunction } from '../core/validate.js';
import type { ServerMetadata } from './discovery.js';
import type { DiscoveryMode, TokenEndpointOptions } from './grant-options.js';
import { describeResponse, jsonObjectBody, oauthErrorFromBody } from './response-body.js';
import { headerValue, parseRetryAfterMs } from './send.js';
import { createTokenEndpointClient, type TokenEndpointClient } from './token-endpoint-client.js';
import type { DPoPProofMaker } from '../core/dpop-proof-maker.js';
import { readTokenResponse } from './token-response.js';
import { validateEndpointOptions, type ResolvedEndpointOptions } from './validate-options.js';

/** What the user must be told: where to go and what to type (RFC 8628 §3.3). */
export interface UserCodePrompt {
  /** The page to open, e.g. `https://example.com/device`. */
  verificationUri: string;
  /** The same page with the code filled in, for a QR code, when the server gives one. */
  verificationUriComplete?: string;
  /** The code to type there. Not a secret: it is meant to be shown. */
  userCode: string;
  /** Seconds until the codes expire. */
  expiresIn: number;
}

/** Options of {@link deviceAuthorization}. */
export interface DeviceAuthorizationOptions extends TokenEndpointOptions {
  /** The device authorization endpoint. @default the discovered `device_authorization_endpoint` */
  deviceAuthorizationUrl?: string;
  /** Shows the user where to go and what to type; awaited before polling starts. */
  onUserCode: (prompt: UserCodePrompt) => void | Promise<void>;
  /** Stops the polling at once (`signIn()`'s own `signal` does too). @default none */
  signal?: AbortSignal;
}

/** RFC 8628 §3.2: the polling interval when the server gives none. */
export const DEFAULT_DEVICE_POLL_INTERVAL_SECONDS = 5;
const DEVICE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/**
 * The device authorization grant, for TVs, CLIs and SSH sessions, as a one-shot source for `signIn()`: gets a
 * device code and a user code, hands `verificationUri` and `userCode` to `onUserCode`, then polls the token
 * endpoint every `interval` seconds (5 by default): `authorization_pending` goes on, `slow_down` adds 5 s for good,
 * a 503 or 429 waits its `Retry-After` (at least the interval), `access_denied` and `expired_token` end it with an
 * {@link OAuthError}, and so does the device code's own `expires_in` (`ERR_SIGN_IN_TIMEOUT`). The signal stops it at once.
 * @example
 * await auth.signIn(deviceAuthorization({ issuer, clientId: 'tv', scope: 'openid offline_access',
 *   onUserCode: ({ verificationUri, userCode }) => console.log(`Open ${verificationUri} and type ${userCode}`) }));
 * @see RFC 8628 §3.1–§3.5
 */
export function deviceAuthorization(options: DeviceAuthorizationOptions): TokenSource {
  const { deviceAuthorizationUrl, onUserCode, signal, ...endpoint } = options ?? ({} as DeviceAuthorizationOptions);
  const resolved = validateEndpointOptions(endpoint, 'deviceAuthorization');
  requireFunction(onUserCode, 'options.onUserCode');
  const deviceUrl =
    deviceAuthorizationUrl === undefined
      ? undefined
      : parseEndpointOption(deviceAuthorizationUrl, 'options.deviceAuthorizationUrl', resolved.allowInsecureHttp).href;
  if (deviceUrl === undefined && 'tokenUrl' in resolved.source) {
    throw new TypeError('"options.deviceAuthorizationUrl" is required with "tokenUrl" (give "issuer" to have it discovered)');
  }
  if (signal !== undefined && typeof signal?.addEventListener !== 'function')
    throw new TypeError('"options.signal" must be an AbortSignal');
  // One client for both requests: client authentication (secret, private_key_jwt, client_secret_jwt, mTLS) and, on
  // the polls, the DPoP proof and nonce retry of every other grant (issue 11).
  const client = createTokenEndpointClient(resolved);
  return async (context?: TokenSourceContext) => {
    const stop = new AbortController();
    const unlink = [context?.signal, signal].map((s) => forward(s, stop));
    try {
      return await signInWithDevice(resolved, client, deviceUrl, onUserCode, stop.signal, context?.dpop);
    } finally {
      unlink.forEach((remove) => remove());
    }
  };
}

async function signInWithDevice(
  resolved: ResolvedEndpointOptions,
  client: TokenEndpointClient,
  deviceUrl: string | undefined,
  onUserCode: DeviceAuthorizationOptions['onUserCode'],
  signal: AbortSignal,
  dpop: DPoPProofMaker | undefined,
): Promise<TokenFields> {
  const metadata = deviceUrl === undefined ? await discoverFor(resolved, signal) : undefined;
  const endpoint = deviceEndpoint(deviceUrl, metadata);
  const deviceResponse = await client.postAuthenticated(endpoint, resolved.params, signal, []);
  const device = readDeviceResponse(deviceResponse, [resolved.clientSecret]);
  const expiresAt = Date.now() + device.expiresIn * 1000;
  await onUserCode(device.prompt);
  let intervalMs = device.intervalSeconds * 1000;
  let delayMs = intervalMs;
  for (;;) {
    if (Date.now() + delayMs >= expiresAt) throw expired();
    await sleep(delayMs, signal);
    const grant: Array<[string, string]> = [
      ['grant_type', DEVICE_GRANT],
      ['device_code', device.deviceCode],
    ];
    const { response, secrets } = await client.sendTokenRequest(grant, signal, [device.deviceCode], { dpop }, false);
    delayMs = intervalMs;
    if (response.status === 503 || response.status === 429) {
      // RFC 8628 §3.5 does not cover it, RFC 9110 §10.2.3 does: wait what the server asks, never less than the interval.
      const asked = parseRetryAfterMs(headerValue(response, 'retry-after'), Date.now());
      delayMs = Math.max(intervalMs, asked ?? 0);
      continue;
    }
    try {
      return readTokenResponse(response, secrets, dpop !== undefined);
    } catch (error) {
      if (!isOAuthError(error)) throw error;
      if (error.error === 'authorization_pending') continue;
      // RFC 8628 §3.5: "the interval MUST be increased by 5 seconds for this and all subsequent requests".
      if (error.error === 'slow_down') delayMs = intervalMs += 5_000;
      else throw error; // access_denied, expired_token, or anything else: the flow is over
    }
  }
}

function discoverFor(resolved: ResolvedEndpointOptions, signal: AbortSignal): Promise<ServerMetadata> {
  return issuerMetadata(resolved, resolved.source as { issuer: string; discovery: DiscoveryMode }, signal);
}

function deviceEndpoint(deviceUrl: string | undefined, metadata: ServerMetadata | undefined): string {
  const device = deviceUrl ?? metadata?.deviceAuthorizationEndpoint;
  if (device === undefined) {
    throw new TokenRefreshError(
      ErrorCode.DISCOVERY_FAILED,
      'Discovery failed: the issuer has no device_authorization_endpoint (RFC 8628 §4)',
    );
  }
  return device;
}

interface DeviceResponse {
  deviceCode: string;
  intervalSeconds: number;
  expiresIn: number;
  prompt: UserCodePrompt;
}

/** RFC 8628 §3.2, field by field; an error body (§3.2 refers to RFC 6749 §5.2) becomes an OAuthError. */
function readDeviceResponse(response: AxiosResponse<unknown>, secrets: readonly (string | undefined)[]): DeviceResponse {
  const body = jsonObjectBody(response);
  if (response.status < 200 || response.status >= 300 || body === undefined) {
    throw oauthErrorFromBody(response, secrets) ?? invalid(`the device authorization endpoint answered ${describeResponse(response)}`);
  }
  const text = (name: string, required: boolean): string | undefined => {
    const value = body[name];
    if (value === undefined && !required) return undefined;
    if (typeof value !== 'string' || value === '') throw invalid(`"${name}" is missing or not a non-empty string`);
    return value;
  };
  const seconds = (name: string, fallback?: number): number => {
    const value = body[name] ?? fallback;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw invalid(`"${name}" is not a positive number of seconds`);
    return value;
  };
  const complete = text('verification_uri_complete', false);
  return {
    deviceCode: text('device_code', true)!,
    intervalSeconds: seconds('interval', DEFAULT_DEVICE_POLL_INTERVAL_SECONDS),
    expiresIn: seconds('expires_in'),
    prompt: {
      verificationUri: text('verification_uri', true)!,
      ...(complete === undefined ? {} : { verificationUriComplete: complete }),
      userCode: text('user_code', true)!,
      expiresIn: seconds('expires_in'),
    },
  };
}

function invalid(reason: string): TokenRefreshError {
  return new TokenRefreshError(ErrorCode.INVALID_RESPONSE, `Invalid device authorization response: ${reason}`);
}

function expired(): SignInError {
  return new SignInError(ErrorCode.SIGN_IN_TIMEOUT, 'Sign-in failed: the device code expired before the user approved it (RFC 8628 §3.5)');
}

function forward(signal: AbortSignal | undefined, to: AbortController): () => void {
  const onAbort = (): void => to.abort(signal!.reason);
  if (signal?.aborted) onAbort();
  signal?.addEventListener('abort', onAbort, { once: true });
  return () => signal?.removeEventListener('abort', onAbort);
}

/** The wait between polls. Not `unref()`'d: `signIn()` and its waiters await it (DESIGN rule 3). */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(abortReason(signal));
    const onAbort = (): void => (clearTimeout(timer), reject(abortReason(signal)));
    const timer = setTimeout(() => (signal.removeEventListener('abort', onAbort), resolve()), ms);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
