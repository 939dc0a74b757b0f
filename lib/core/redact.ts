import { REDACTED, scrubSecrets } from './scrub-secrets.js';

export { REDACTED, scrubSecrets };

const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization'];
const MAX_CAUSE_DEPTH = 8;

interface HeaderBag {
  has?: (name: string) => boolean;
  set?: (name: string, value: string) => unknown;
  [key: string]: unknown;
}

interface RequestLikeError {
  message?: unknown;
  stack?: unknown;
  cause?: unknown;
  config?: { headers?: HeaderBag; data?: unknown; auth?: unknown; oauthLockState?: unknown };
  request?: unknown;
  response?: { config?: RequestLikeError['config']; request?: unknown };
}

/**
 * Takes secrets out of an error, in place, before anyone can log it: credential headers in `config` (axios'
 * `toJSON()` serialises it), the raw request (Node's `request._header` holds every header verbatim) and any
 * known secret value in a message or stack (in every encoding, see {@link scrubSecrets}), down the `cause` chain.
 * The raw request and the interceptors' per-request state (`config.oauthLockState`) are hidden, not deleted.
 * @param headerNames extra header names to redact, e.g. a custom token header.
 * @param redactBody also replace the request body: a token endpoint POST carries secrets in it.
 * @see RFC 6749 §10.3, §10.4
 */
export function redactError(
  error: unknown,
  options: { secrets?: readonly (string | undefined)[]; headerNames?: readonly string[]; redactBody?: boolean } = {},
): void {
  const secrets = (options.secrets ?? []).filter((s): s is string => typeof s === 'string' && s.length > 0);
  const headers = [...CREDENTIAL_HEADERS, ...(options.headerNames ?? []).map((h) => h.toLowerCase())];
  const seen = new Set<unknown>();
  let current: unknown = error;
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && isObject(current) && !seen.has(current); depth++) {
    seen.add(current);
    const e = current as RequestLikeError;
    redactConfig(e.config, headers, options.redactBody === true);
    if (isObject(e.response)) {
      redactConfig(e.response.config, headers, options.redactBody === true);
      hide(e.response, 'request');
    }
    hide(e, 'request');
    if (secrets.length > 0) {
      if (typeof e.message === 'string') e.message = scrubSecrets(e.message, secrets);
      if (typeof e.stack === 'string') e.stack = scrubSecrets(e.stack, secrets);
    }
    current = e.cause;
  }
}

function redactConfig(config: RequestLikeError['config'], headerNames: readonly string[], redactBody: boolean): void {
  if (!isObject(config)) return;
  if (isObject(config.headers)) redactHeaders(config.headers, headerNames);
  if (redactBody && config.data !== undefined) config.data = REDACTED;
  if (config.auth !== undefined) config.auth = REDACTED;
  // Internal state, not the caller's business (issue 9): kept readable for the interceptors, out of every rendering.
  hide(config, 'oauthLockState');
}

function redactHeaders(headers: HeaderBag, headerNames: readonly string[]): void {
  for (const key of Object.keys(headers)) {
    if (headerNames.includes(key.toLowerCase()) && headers[key] !== undefined && headers[key] !== null) {
      if (typeof headers.set === 'function') headers.set(key, REDACTED);
      else headers[key] = REDACTED;
    }
  }
}

// Hidden, not deleted: code that reads `error.request` still can, but JSON, util.inspect and loggers skip it.
// A non-configurable property (nobody defines one on these objects) is left as it is rather than throwing.
function hide(target: object, key: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor?.enumerable && descriptor.configurable) Object.defineProperty(target, key, { ...descriptor, enumerable: false });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
