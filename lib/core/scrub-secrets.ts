/** What a redacted value is replaced with. */
export const REDACTED = '[REDACTED]';

/** Secrets shorter than this are replaced only where they stand as a whole token (see {@link scrubSecrets}). */
const WHOLE_TOKEN_BELOW = 8;

/** What words are made of: a short secret next to one of these is part of a word, not the secret. */
const WORD_CHAR = /[A-Za-z0-9_-]/;

/**
 * Replaces each secret in `text` by {@link REDACTED}, in every encoding we send it in: raw, form-encoded
 * (RFC 6749 Appendix B, as the token endpoint body and the Basic credential carry it, with upper- or lower-case
 * hex), `encodeURIComponent`-encoded, and JSON-escaped (also with `\/`, as PHP escapes it). A server that echoes
 * the request it rejected may quote any of them (issue 9).
 *
 * The rule that keeps a message readable: a secret of 8 characters or more is replaced wherever it occurs, even
 * inside a word; a shorter one only where it stands as a whole token, i.e. neither preceded nor followed by an
 * ASCII letter, a digit, `-` or `_`. So an access token `at` is scrubbed from `token=at&`, `"at"` or `hint at.` but
 * leaves `Authorization` and `at-risk` alone. Longer encodings are replaced first, so one secret inside another is not half-replaced.
 * Empty and `undefined` entries are ignored.
 * @see RFC 6749 §10.3, Appendix B
 */
export function scrubSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  const needles = new Map<string, boolean>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    const wholeTokenOnly = secret.length < WHOLE_TOKEN_BELOW;
    // A form some long secret also has is replaced everywhere: the stricter rule wins.
    for (const form of encodingsOf(secret)) needles.set(form, wholeTokenOnly && needles.get(form) !== false);
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
    if (!isWordChar(text[at - 1]) && !isWordChar(text[end])) {
      out += text.slice(last, at) + REDACTED;
      last = end;
      at = text.indexOf(needle, end);
    } else {
      at = text.indexOf(needle, at + 1);
    }
  }
  return out + text.slice(last);
}

function isWordChar(char: string | undefined): boolean {
  return char !== undefined && WORD_CHAR.test(char);
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
