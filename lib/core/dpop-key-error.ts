import { ErrorCode, OAuthLockError } from './errors.js';

/**
 * A DPoP proof could not be signed because the key pair could not be had: `dpop: true` failed to generate it, or a
 * shared `browserStorage` failed to load or store it in IndexedDB. `cause` is that failure (of this attempt).
 * Nothing was sent. The failure does not stick: the next proof (the next request, or the next token request) tries
 * again to obtain the key, one attempt at a time however many requests wait (issue 11).
 * @see RFC 9449 §4.2
 */
export class DPoPKeyError extends OAuthLockError {
  constructor(options: { cause: unknown }) {
    const cause = options.cause;
    const name = cause instanceof Error ? ` (${cause.name})` : '';
    super(ErrorCode.DPOP_KEY_UNAVAILABLE, `The DPoP key pair could not be obtained${name}; the next request tries again`, options);
  }
}

/** True for a {@link DPoPKeyError} from any copy of this package. */
export function isDPoPKeyError(value: unknown): value is DPoPKeyError {
  return value instanceof DPoPKeyError || (value instanceof Error && value.name === 'DPoPKeyError');
}
