/*
 * The option checks every public factory shares, so that each bad option fails at creation time with the same
 * wording, quoting the option's path: `"options.refreshTimeoutMs" must be a finite number >= 1`.
 */

export function requireFunction(value: unknown, path: string): void {
  if (typeof value !== 'function') throw new TypeError(`"${path}" must be a function`);
}

/** Throws a TypeError naming `path` unless `value` is a non-empty string. */
export function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new TypeError(`"${path}" must be a non-empty string`);
  return value;
}

/**
 * Throws a TypeError naming `path` unless `value` is a non-empty string of well-formed UTF-16: a lone surrogate has no
 * UTF-8 encoding, so it would fail later, inside a request, with a `URIError` (or be sent as U+FFFD). The value is
 * never quoted: it may be a secret.
 */
export function requireWellFormedString(value: unknown, path: string): string {
  requireString(value, path);
  if (!isWellFormed(value as string)) throw new TypeError(`"${path}" must not contain a lone surrogate (it has no UTF-8 form)`);
  return value as string;
}

/** `String.prototype.isWellFormed` (ES2024), with a fallback for older browsers. */
export function isWellFormed(value: string): boolean {
  const native = (value as { isWellFormed?: () => boolean }).isWellFormed;
  if (typeof native === 'function') return native.call(value);
  try {
    encodeURIComponent(value);
    return true;
  } catch {
    return false;
  }
}

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`"${path}" must be a boolean`);
  return value;
}

/**
 * The longest delay `setTimeout` takes: a signed 32-bit count of ms (about 24.8 days). Node and browsers fire a longer
 * one at once (Node with a warning), so a duration above it would make a deadline fail every refresh in a few ms, or
 * a backoff retry at once (issue 9).
 */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A number option: `fallback` when absent, a TypeError when not a number, a RangeError when infinite, below `min` or
 * above `max`.
 */
export function numberOption(value: unknown, fallback: number, path: string, min = 0, max = Infinity): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`"${path}" must be a number`);
  if (value < min || value > max || !Number.isFinite(value)) {
    const upTo = max === Infinity ? '' : ` and <= ${max}`;
    throw new RangeError(`"${path}" must be a finite number >= ${min}${upTo}`);
  }
  return value;
}

/** A duration option in ms, which some timer will wait for: at most {@link MAX_TIMER_MS}. */
export function durationMsOption(value: unknown, fallback: number, path: string, min = 0): number {
  return numberOption(value, fallback, path, min, MAX_TIMER_MS);
}

/**
 * Throws a TypeError for the first key of `options` not in `known`: in plain JavaScript a misspelt option
 * (`refreshBuferSeconds`, `tokenUrll`) would otherwise be ignored without a word.
 * @param owner the function the options are for, as the message names it (`attachOAuth`).
 */
export function rejectUnknownOptions(options: object, known: readonly string[], path: string, owner: string): void {
  const unknown = Object.keys(options).find((key) => !known.includes(key));
  if (unknown !== undefined) throw new TypeError(`"${path}.${unknown}" is not an option of ${owner}()`);
}
