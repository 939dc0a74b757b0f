import { tryParseUrl } from '../core/secure-url.js';

/** How many origins' nonces are kept; the least recently used is forgotten first. */
export const MAX_NONCE_ORIGINS = 100;

/**
 * The last `DPoP-Nonce` of each origin (RFC 9449 §8, §9): servers hand out a new one on any response, success or
 * error, and the next proof to that origin must carry it. Bounded, so that a client talking to many origins does not
 * grow without end.
 */
export class NonceCache {
  readonly #nonces = new Map<string, string>();
  // The last URL asked about and its origin: a request's proof asks twice for its URL, and the next request
  // usually goes to the same one; URL parsing is a measurable part of a proof (npm run bench, dpop).
  #lastUrl: string | undefined;
  #lastOrigin: string | undefined;

  get(url: string): string | undefined {
    const origin = this.#originOf(url);
    return origin === undefined ? undefined : this.#nonces.get(origin);
  }

  set(url: string, nonce: string | undefined): void {
    // RFC 9449 §8.1: nonce = 1*NQCHAR (%x21 / %x23-5B / %x5D-7E); anything else is not sent back.
    if (nonce === undefined || !/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(nonce)) return;
    const origin = this.#originOf(url);
    if (origin === undefined) return;
    if (this.#nonces.get(origin) === nonce) return;
    this.#nonces.delete(origin);
    this.#nonces.set(origin, nonce);
    if (this.#nonces.size > MAX_NONCE_ORIGINS) this.#nonces.delete(this.#nonces.keys().next().value!);
  }

  #originOf(url: string): string | undefined {
    if (url !== this.#lastUrl) {
      const origin = tryParseUrl(url)?.origin;
      this.#lastOrigin = origin === undefined || origin === 'null' ? undefined : origin;
      this.#lastUrl = url;
    }
    return this.#lastOrigin;
  }
}
