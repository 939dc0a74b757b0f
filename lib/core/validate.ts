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

export function optionalBoolean(value: unknown, path: string): boolean | undefined {
  if (value !== undefined && typeof value !== 'boolean') throw new TypeError(`"${path}" must be a boolean`);
  return value;
}

/** A number option: `fallback` when absent, a TypeError when not a number, a RangeError when below `min` or infinite. */
export function numberOption(value: unknown, fallback: number, path: string, min = 0): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || Number.isNaN(value)) throw new TypeError(`"${path}" must be a number`);
  if (value < min || !Number.isFinite(value)) throw new RangeError(`"${path}" must be a finite number >= ${min}`);
  return value;
}
