import { inspect } from 'node:util';
import { formEncode } from '../../lib/grants/client-auth';

/*
 * The one check that a value (an error, an event payload, anything a hook receives) leaks no secret, however it is
 * logged: DESIGN rule 5 and issue 9. Every rendering a logger may use is searched for every encoding the package
 * sends a secret in.
 */

/** Below this length a secret would be found by chance (`at` is in every stack trace), so the sweep refuses it. */
const MIN_SECRET_LENGTH = 8;
const MAX_NODES = 64;

/**
 * Fails the test when any of `secrets` shows in `value` rendered by message, stack, `String`, `JSON.stringify`,
 * `toJSON()`, `util.inspect` (infinite depth, `showHidden: false`: what loggers use), `structuredClone` (where the
 * value can be cloned) and `Object.entries`, down the `cause` chain and into AggregateError `errors`.
 *
 * Each secret is looked for raw, form-encoded (RFC 6749 Appendix B, as we send it), `encodeURIComponent`-encoded,
 * JSON-escaped, base64 and base64url, and as part of any base64/base64url text at each of the three byte
 * alignments: that catches `Basic base64(id:secret)` whatever the client id, and a token inside a base64 blob.
 * @param secrets values of at least 8 characters (shorter ones would match ordinary text).
 */
export function expectNoSecrets(value: unknown, secrets: readonly string[]): void {
  const needles = secrets.flatMap((secret) => encodingsOf(secret));
  const leaks: string[] = [];
  for (const [label, text] of renderings(value)) {
    for (const needle of needles) {
      if (text.includes(needle.text)) leaks.push(`${needle.label} found in ${label}:\n${text}`);
    }
  }
  if (leaks.length > 0) throw new Error(`secrets leaked:\n${leaks.join('\n\n')}`);
}

interface Needle {
  label: string;
  text: string;
}

function encodingsOf(secret: string): Needle[] {
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new RangeError(`expectNoSecrets: "${secret}" is shorter than ${MIN_SECRET_LENGTH} characters; use a longer test secret`);
  }
  const base64 = Buffer.from(secret).toString('base64');
  const forms: Array<[string, string]> = [
    ['raw', secret],
    ['form-encoded', formEncode(secret)],
    ['encodeURIComponent', encodeURIComponent(secret)],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
    ['base64', base64],
    ['base64url', toBase64Url(base64)],
  ];
  const wireForms: Array<[string, string]> = [
    ['raw', secret],
    ['form-encoded', formEncode(secret)],
    ['JSON-escaped', JSON.stringify(secret).slice(1, -1)],
  ];
  for (const [name, text] of wireForms) {
    base64Cores(text).forEach((core, alignment) => {
      forms.push([`base64 of the ${name} value at alignment ${alignment}`, core]);
      forms.push([`base64url of the ${name} value at alignment ${alignment}`, toBase64Url(core)]);
    });
  }
  return forms.filter(([, text]) => text.length > 0).map(([how, text]) => ({ label: `${JSON.stringify(secret)} (${how})`, text }));
}

/**
 * The characters of base64(prefix + text + suffix) that depend on `text` alone, for a prefix of 0, 1 and 2 bytes
 * (mod 3): base64 encodes 3 bytes as 4 characters, so the first characters mix in prefix bits and the last ones
 * suffix bits, and are dropped.
 */
function base64Cores(text: string): string[] {
  const bytes = Buffer.from(text);
  return [0, 1, 2].map((offset) => {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes]);
    const encoded = padded.toString('base64').replace(/=+$/, '');
    const skip = [0, 2, 3][offset]!;
    const tail = [0, 1, 2][padded.length % 3]!;
    return encoded.slice(skip, Math.floor(padded.length / 3) * 4 + tail);
  });
}

function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** Every rendering of `value` and of each error reachable through `cause` and AggregateError `errors`. */
function renderings(value: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const seen = new Set<unknown>();
  const queue: Array<[string, unknown]> = [['value', value]];
  while (queue.length > 0 && seen.size < MAX_NODES) {
    const [path, node] = queue.shift()!;
    if (seen.has(node)) continue;
    seen.add(node);
    out.push(...render(path, node));
    if (typeof node !== 'object' || node === null) continue;
    const { cause, errors } = node as { cause?: unknown; errors?: unknown };
    if (cause !== undefined) queue.push([`${path}.cause`, cause]);
    if (Array.isArray(errors)) errors.forEach((error, i) => queue.push([`${path}.errors[${i}]`, error]));
  }
  return out;
}

function render(path: string, node: unknown): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  const add = (how: string, produce: () => unknown): void => {
    try {
      const text = produce();
      if (typeof text === 'string') out.push([`${how} of ${path}`, text]);
    } catch {
      // Not renderable this way (a circular structure for JSON, a function for structuredClone): no logger can.
    }
  };
  const deep = (v: unknown): string => inspect(v, { depth: Infinity, showHidden: false });
  add('String', () => String(node));
  add('util.inspect', () => deep(node));
  add('JSON.stringify', () => JSON.stringify(node));
  if (typeof node !== 'object' || node === null) return out;
  const { message, stack, toJSON } = node as { message?: unknown; stack?: unknown; toJSON?: unknown };
  add('message', () => message);
  add('stack', () => stack);
  if (typeof toJSON === 'function') add('toJSON()', () => deep((toJSON as () => unknown).call(node)));
  add('structuredClone', () => deep(structuredClone(node)));
  add('Object.entries', () => deep(Object.entries(node)));
  return out;
}
