/*
 * PKCE (RFC 7636) with S256 only: `plain` protects nothing against an attacker who can read the authorization
 * request, and RFC 9700 §2.1.1 says S256 SHOULD be used. WebCrypto only, so this runs in browsers and in Node.
 */

/** base64url without padding (RFC 4648 §5), of bytes. */
export function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * A random value of `byteLength` bytes, base64url: 32 bytes give a 43-character code verifier, the minimum length
 * of RFC 7636 §4.1 and 256 bits of entropy (it recommends 32 octets). Used for `state` too (RFC 6749 §10.12).
 */
export function randomToken(byteLength = 32): string {
  return base64url(crypto.getRandomValues(new Uint8Array(byteLength)));
}

/** RFC 7636 §4.1: 43 to 128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~". */
export const CODE_VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/;

/**
 * `BASE64URL-ENCODE(SHA256(ASCII(code_verifier)))`.
 * @see RFC 7636 §4.2, Appendix B
 */
export async function codeChallengeS256(codeVerifier: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(codeVerifier));
  return base64url(new Uint8Array(digest));
}
