/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

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
  config?: { headers?: HeaderBag; data?: unknown; auth?: unknown };
  request?: unknown;
  response?: { config?: RequestLikeError['config']; request?: unknown };
}

/**
 * Takes secrets out of an error, in place, before anyone can log it: credential headers in `config` (axios'
 * `toJSON()` serialises it), the raw request (Node's `request._header` holds every header verbatim) and any
 * known secret value in a message or stack, down the `cause` chain.
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

/** Replaces every occurrence of each secret in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) out = out.split(secret).join(REDACTED);
  return out;
}

function redactConfig(config: RequestLikeError['config'], headerNames: readonly string[], redactBody: boolean): void {
  if (!isObject(config)) return;
  if (isObject(config.headers)) redactHeaders(config.headers, headerNames);
  if (redactBody && config.data !== undefined) config.data = REDACTED;
  if (config.auth !== undefined) config.auth = REDACTED;
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
function hide(target: object, key: string): void {
  const descriptor = Object.getOwnPropertyDescriptor(target, key);
  if (descriptor?.enumerable) Object.defineProperty(target, key, { ...descriptor, enumerable: false });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
