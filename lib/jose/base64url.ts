/*
 * base64url without padding (RFC 7515 §2, RFC 4648 §5), without Buffer so that it runs in browsers and Node alike.
 * Encoding is a table loop, not btoa: every DPoP request encodes a payload and a signature, and btoa with the three
 * replacements it needs cost 30 µs for a proof-sized input, a fifth of the signature itself (npm run bench, dpop).
 */

const encoder = new TextEncoder();
const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** base64url of bytes, unpadded. @see RFC 7515 §2 */
export function base64url(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let out = '';
  let i = 0;
  for (; i + 2 < view.length; i += 3) {
    const n = (view[i]! << 16) | (view[i + 1]! << 8) | view[i + 2]!;
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]! + ALPHABET[(n >> 6) & 63]! + ALPHABET[n & 63]!;
  }
  if (i < view.length) {
    // One or two bytes left: two or three characters, no padding.
    const n = (view[i]! << 16) | ((view[i + 1] ?? 0) << 8);
    out += ALPHABET[n >> 18]! + ALPHABET[(n >> 12) & 63]!;
    if (i + 1 < view.length) out += ALPHABET[(n >> 6) & 63]!;
  }
  return out;
}

// Any character outside ASCII: then the UTF-8 bytes differ from the characters.
const NON_ASCII = /[\u0080-\uffff]/;

/** base64url of a string's UTF-8 bytes, unpadded. */
export function base64urlText(text: string): string {
  // ASCII text (the JSON of every DPoP proof: ids, URLs, numbers) is its own UTF-8, and btoa encodes it natively: a
  // fifth of the table loop's time for a proof's claims. (btoa of binary needs a char-by-char string first, which is
  // what made it slow for signatures; those keep the table loop.)
  if (!NON_ASCII.test(text)) return btoa(text).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
  return base64url(encoder.encode(text));
}

/** The UTF-8 bytes of a string. */
export function utf8(text: string): Uint8Array<ArrayBuffer> {
  return encoder.encode(text);
}

/** Decodes base64url (padding optional); throws a TypeError on anything that is not base64url. */
export function base64urlDecode(text: string): Uint8Array<ArrayBuffer> {
  if (!/^[A-Za-z0-9_-]*={0,2}$/.test(text)) throw new TypeError('not base64url');
  const base64 = text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/');
  // No byte count encodes to 1 character mod 4 (RFC 4648 §4); atob would throw a DOMException, not our TypeError.
  if (base64.length % 4 === 1) throw new TypeError('not base64url');
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const ID_BYTES = 16;
// Random bytes for 64 ids at a time: one getRandomValues call costs about 5 µs in Node whatever its size, and every
// DPoP request needs a jti.
let pool = new Uint8Array(0);
let taken = 0;

/** 128 random bits, base64url: a `jti` far above the 96 bits RFC 9449 §4.2 asks for, and unguessable. */
export function randomId(): string {
  if (taken + ID_BYTES > pool.length) {
    pool = crypto.getRandomValues(new Uint8Array(ID_BYTES * 64));
    taken = 0;
  }
  const id = base64url(pool.subarray(taken, taken + ID_BYTES));
  taken += ID_BYTES;
  return id;
}
