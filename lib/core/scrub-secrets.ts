/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are replaced only where they stand as a whole token (see {@link scrubSecrets}). */
const WHOLE_TOKEN_BELOW = 8;

/** RFC 6750 §2.1 b64token characters but `=`: what a token is made of (and `=` is what ends a form value's name). */
const TOKEN_CHAR = /[A-Za-z0-9\-._~+/]/;

/**
 * Replaces each secret in `text` by {@link REDACTED}, in every encoding we send it in: raw, form-encoded
 * (RFC 6749 Appendix B, as the token endpoint body and the Basic credential carry it, with upper- or lower-case
 * hex), `encodeURIComponent`-encoded, and JSON-escaped (also with `\/`, as PHP escapes it). A server that echoes
 * the request it rejected may quote any of them (issue 9).
 *
 * The rule that keeps a message readable: a secret of 8 characters or more is replaced wherever it occurs, even
 * inside a word; a shorter one only where it stands as a whole token, i.e. neither preceded nor followed by a
 * letter, digit or one of `-._~+/`. So an access token `at` is scrubbed from `token=at&` or `"at"` but leaves
 * `Authorization` alone. Longer encodings are replaced first, so one secret inside another is not half-replaced.
 * Empty and `undefined` entries are ignored.
 * @see RFC 6749 §10.3, Appendix B; RFC 6750 §2.1
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const needles = new Map<string, boolean>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    const wholeTokenOnly = secret.length < WHOLE_TOKEN_BELOW;
    for (const form of encodingsOf(secret)) if (!needles.get(form)) needles.set(form, wholeTokenOnly);
  }
  let out = text;
  for (const [needle, wholeTokenOnly] of [...needles].sort(([a], [b]) => b.length - a.length)) {
    out = wholeTokenOnly ? replaceWholeTokens(out, needle) : out.split(needle).join(REDACTED);
  }
  return out;
}

function encodingsOf(secret: string): string[] {
  const json = JSON.stringify(secret).slice(1, -1);
  const forms = [secret, json, json.replace(/\//g, '\\/')];
  try {
    const form = formEncode(secret);
    forms.push(
      form,
      form.replace(/%[0-9A-F]{2}/g, (hex) => hex.toLowerCase()),
      encodeURIComponent(secret),
    );
  } catch {
    // A lone surrogate cannot be percent-encoded, so it was never sent that way either.
  }
  return forms;
}

function replaceWholeTokens(text: string, needle: string): string {
  let out = '';
  let last = 0;
  let at = text.indexOf(needle);
  while (at !== -1) {
    const end = at + needle.length;
    if (!isTokenChar(text[at - 1]) && !isTokenChar(text[end])) {
      out += text.slice(last, at) + REDACTED;
      last = end;
      at = text.indexOf(needle, end);
    } else {
      at = text.indexOf(needle, at + 1);
    }
  }
  return out + text.slice(last);
}

function isTokenChar(char: string | undefined): boolean {
  return char !== undefined && TOKEN_CHAR.test(char);
}

/**
 * The same encoding as the grants' `formEncode` (lib/grants/client-auth.ts), which core/ may not import: every
 * character but ASCII letters and digits percent-encoded, a space as `+`. A test keeps the two equal.
 */
export function formEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[-_.!~*'()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}
