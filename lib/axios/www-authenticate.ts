import type { AuthChallenge } from '../core/auth-challenge.js';

/*
 * A `WWW-Authenticate` parser (RFC 9110 §11.6.1, grammar of §11.3):
 *
 *   WWW-Authenticate = #challenge
 *   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *   token68          = 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="
 *
 * Commas separate both challenges and parameters: an element that is `name=value` belongs to the challenge before it,
 * anything else starts a new challenge. The header comes from whatever answered, a proxy included, so the parser is
 * total: one pass over at most MAX_HEADER_LENGTH characters, at most MAX_CHALLENGES challenges of at most MAX_PARAMS
 * parameters, and it never throws. A malformed element ends the challenge it is in (what was read of it is kept; the
 * parameters after it, up to the next challenge, are dropped rather than given to the wrong challenge).
 */

/** Header text beyond this (all values together) is not read: a cut-off value could read as something else. */
export const MAX_HEADER_LENGTH = 16 * 1024;
/** Challenges kept; the rest are ignored. */
export const MAX_CHALLENGES = 16;
/** Parameters kept per challenge; the rest are ignored. */
export const MAX_PARAMS = 32;

const TCHAR = charTable("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz");
const TOKEN68 = charTable('-._~+/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz');

/**
 * Parses `WWW-Authenticate` as axios gives it (a string, or an array of strings for repeated headers) into its
 * challenges, in order. Anything else, or a header longer than {@link MAX_HEADER_LENGTH}, gives `[]`.
 * @see RFC 9110 §11.6.1, §11.3
 */
export function parseWwwAuthenticate(header: unknown): AuthChallenge[] {
  const challenges: AuthChallenge[] = [];
  try {
    const values: unknown[] = Array.isArray(header) ? header : [header];
    let budget = MAX_HEADER_LENGTH;
    // Each header line is parsed on its own (RFC 9110 §5.3 lets us join them; apart, a broken one spoils no other).
    for (let v = 0; v < values.length && v < MAX_CHALLENGES && challenges.length < MAX_CHALLENGES; v++) {
      const value = values[v];
      if (typeof value !== 'string') continue;
      if (value.length > budget) break;
      budget -= value.length;
      parseValue(value, challenges);
    }
  } catch {
    // Only a hostile array (a throwing getter) gets here: what was read stands.
  }
  return challenges;
}

/**
 * The raw `WWW-Authenticate` of a response as axios holds it (an AxiosHeaders, or a plain object from a custom
 * adapter): what {@link parseWwwAuthenticate} takes. `undefined` when there is none.
 */
export function wwwAuthenticateOf(response: { headers?: unknown } | undefined): unknown {
  const headers = response?.headers as (Record<string, unknown> & { get?: (name: string) => unknown }) | undefined | null;
  if (headers === undefined || headers === null) return undefined;
  return typeof headers.get === 'function' ? headers.get('www-authenticate') : headers['www-authenticate'];
}

function parseValue(s: string, out: AuthChallenge[]): void {
  const n = s.length;
  let current: AuthChallenge | undefined;
  let i = 0;
  while (i < n) {
    i = skipSeparators(s, i);
    const nameEnd = tokenEnd(s, i);
    if (nameEnd === i) {
      // No token here: an element we cannot read, or the end of the value after trailing separators.
      i = elementEnd(s, i);
      current = undefined;
      continue;
    }
    const j = skipOws(s, nameEnd);
    if (s.charCodeAt(j) === 0x3d /* = */) {
      // `name=value`: a further parameter of the challenge before it, if that one takes parameters.
      // (`current` is never a token68 challenge: one ends at its comma, below.)
      const end = current === undefined ? -1 : readParam(s, i, current);
      if (end < 0) {
        i = elementEnd(s, j);
        current = undefined;
      } else i = end;
      continue;
    }
    const alone = j >= n || s.charCodeAt(j) === 0x2c; /* , */
    if (!alone && j === nameEnd) {
      // `scheme"x"`, `scheme@x`: no space after the scheme, so not a challenge at all
      i = elementEnd(s, j);
      current = undefined;
      continue;
    }
    if (out.length >= MAX_CHALLENGES) return;
    current = { scheme: s.slice(i, nameEnd).toLowerCase(), params: Object.create(null) as Record<string, string> };
    out.push(current);
    if (alone) {
      i = j;
      continue;
    }
    i = readCredentials(s, j, current);
    if (i < 0) {
      i = elementEnd(s, j);
      current = undefined;
    } else if (current.token68 !== undefined) current = undefined;
  }
}

/** After `scheme 1*SP`: a token68 (alone up to the next comma) or the first auth-param. Returns -1 when malformed. */
function readCredentials(s: string, start: number, challenge: AuthChallenge): number {
  let end = start;
  while (end < s.length && TOKEN68[s.charCodeAt(end)] === 1) end++;
  if (end > start) {
    while (s.charCodeAt(end) === 0x3d /* = */) end++;
    const next = skipOws(s, end);
    if (next >= s.length || s.charCodeAt(next) === 0x2c) {
      challenge.token68 = s.slice(start, end);
      return next;
    }
  }
  return readParam(s, start, challenge);
}

/** `token BWS "=" BWS ( token / quoted-string )`, then OWS up to a comma or the end. Returns -1 when malformed. */
function readParam(s: string, start: number, challenge: AuthChallenge): number {
  const nameEnd = tokenEnd(s, start);
  if (nameEnd === start) return -1;
  let i = skipOws(s, nameEnd);
  if (s.charCodeAt(i) !== 0x3d) return -1;
  i = skipOws(s, i + 1);
  let value: string;
  if (s.charCodeAt(i) === 0x22 /* " */) {
    const quoted = readQuoted(s, i);
    if (quoted === undefined) return -1;
    [value, i] = quoted;
  } else {
    const valueEnd = tokenEnd(s, i);
    if (valueEnd === i) return -1;
    value = s.slice(i, valueEnd);
    i = valueEnd;
  }
  i = skipOws(s, i);
  if (i < s.length && s.charCodeAt(i) !== 0x2c) return -1;
  addParam(challenge, s.slice(start, nameEnd).toLowerCase(), value);
  return i;
}

/** A quoted-string from its opening quote: its value (quoted-pairs unescaped) and the index after it. */
function readQuoted(s: string, open: number): [string, number] | undefined {
  let value = '';
  let from = open + 1;
  for (let i = from; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x22) return [value + s.slice(from, i), i + 1];
    if (c === 0x5c /* \ */) {
      if (i + 1 >= s.length || isControl(s.charCodeAt(i + 1))) return undefined;
      value += s.slice(from, i) + s[i + 1];
      from = ++i + 1;
    } else if (isControl(c)) return undefined;
  }
  return undefined; // unterminated
}

function addParam(challenge: AuthChallenge, name: string, value: string): void {
  // RFC 6750 §3, RFC 9110 §11.2: a parameter name occurs once per challenge; the first one is the one we keep.
  if (name in challenge.params) return;
  if (Object.keys(challenge.params).length >= MAX_PARAMS) return;
  challenge.params[name] = value;
}

/** The index of the comma ending the element at `i` (commas inside quoted strings do not count), or the end. */
function elementEnd(s: string, i: number): number {
  let quoted = false;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (quoted && c === 0x5c) i++;
    else if (c === 0x22) quoted = !quoted;
    else if (!quoted && c === 0x2c) return i;
  }
  return s.length;
}

function tokenEnd(s: string, i: number): number {
  while (i < s.length && TCHAR[s.charCodeAt(i)] === 1) i++;
  return i;
}

function skipOws(s: string, i: number): number {
  while (i < s.length && (s.charCodeAt(i) === 0x20 || s.charCodeAt(i) === 0x09)) i++;
  return i;
}

// RFC 9110 §5.6.1: empty list elements are allowed and ignored (`a, , b`).
function skipSeparators(s: string, i: number): number {
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 0x20 && c !== 0x09 && c !== 0x2c) break;
    i++;
  }
  return i;
}

// Inside a quoted string only HTAB is allowed below 0x20 (qdtext, quoted-pair), and DEL never.
function isControl(c: number): boolean {
  return (c < 0x20 && c !== 0x09) || c === 0x7f;
}

function charTable(chars: string): Uint8Array {
  const table = new Uint8Array(128);
  for (let i = 0; i < chars.length; i++) table[chars.charCodeAt(i)] = 1;
  return table;
}
