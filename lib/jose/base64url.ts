/*
 * base64url without padding (RFC 7515 §2, RFC 4648 §5), on btoa/atob so that it runs in browsers and Node alike
 * without Buffer.
 */

const encoder = new TextEncoder();

/** base64url of bytes, unpadded. @see RFC 7515 §2 */
export function base64url(bytes: Uint8Array | ArrayBuffer): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let binary = '';
  // In chunks: String.fromCharCode(...hugeArray) would overflow the argument limit.
  for (let i = 0; i < view.length; i += 0x8000) binary += String.fromCharCode(...view.subarray(i, i + 0x8000));
  return btoa(binary).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

/** base64url of a string's UTF-8 bytes, unpadded. */
export function base64urlText(text: string): string {
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
  const binary = atob(base64.padEnd(Math.ceil(base64.length / 4) * 4, '='));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** 128 random bits, base64url: a `jti` far above the 96 bits RFC 9449 §4.2 asks for, and unguessable. */
export function randomId(): string {
  return base64url(crypto.getRandomValues(new Uint8Array(16)));
}
