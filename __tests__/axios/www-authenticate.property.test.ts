import fc from 'fast-check';
import type { AuthChallenge } from '../../lib/core/auth-challenge.js';
import { MAX_CHALLENGES, MAX_PARAMS, parseWwwAuthenticate } from '../../lib/axios/www-authenticate.js';
import { decideChallenge } from '../../lib/axios/challenge.js';

/*
 * Properties of the WWW-Authenticate parser: it never throws on any input, and a well-formed list of challenges
 * written out by the RFC 9110 §11.3 grammar reads back as the same list (names lower-cased).
 */

const TCHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const TOKEN68_CHARS = '-._~+/0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ';
// qdtext and quoted-pair material: printable ASCII (with '"', '\', ',' and '='), SP, HTAB and obs-text.
const VALUE_CHARS = fc.oneof(
  fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('\t', '"', '\\', ',', '=', '\u00e9'),
);

const token = fc.string({ unit: fc.constantFrom(...TCHARS), minLength: 1, maxLength: 12 });
const token68 = fc
  .tuple(fc.string({ unit: fc.constantFrom(...TOKEN68_CHARS), minLength: 1, maxLength: 40 }), fc.integer({ min: 0, max: 2 }))
  .map(([body, pad]) => body + '='.repeat(pad));
const value = fc.string({ unit: VALUE_CHARS, maxLength: 30 });

const challenge: fc.Arbitrary<AuthChallenge> = fc.oneof(
  fc.record({
    scheme: token,
    params: fc
      .uniqueArray(fc.tuple(token, value), { maxLength: MAX_PARAMS, selector: ([name]) => name.toLowerCase() })
      .map((entries) => Object.fromEntries(entries)),
  }),
  fc.record({ scheme: token, params: fc.constant({}), token68 }),
);

const ows = fc.constantFrom('', ' ', '  ', '\t');

function quote(text: string): string {
  return `"${text.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** One challenge as a server might write it, with optional whitespace and unquoted token values. */
function serialize(c: AuthChallenge, space: string, bare: boolean[]): string {
  if (c.token68 !== undefined) return `${c.scheme} ${c.token68}`;
  const params = Object.entries(c.params).map(([name, v], i) => {
    const raw = bare[i] === true && /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(v) ? v : quote(v);
    return `${name}${space}=${space}${raw}`;
  });
  return params.length === 0 ? c.scheme : `${c.scheme} ${params.join(`${space},${space}`)}`;
}

function lowerCased(c: AuthChallenge): AuthChallenge {
  const params = Object.fromEntries(Object.entries(c.params).map(([name, v]) => [name.toLowerCase(), v]));
  return { scheme: c.scheme.toLowerCase(), params, ...(c.token68 === undefined ? {} : { token68: c.token68 }) };
}

describe('WWW-Authenticate parser properties', () => {
  it('never throws, and returns at most MAX_CHALLENGES challenges, for any string or array of strings', () => {
    const anyText = fc.string({
      unit: fc.oneof(
        fc.constantFrom(...' ,="\\\t;'),
        fc.constantFrom(...'aB9-_/~+='),
        fc.integer({ min: 0, max: 0x10ffff }).map((c) => String.fromCodePoint(c)),
      ),
      maxLength: 400,
    });
    fc.assert(
      fc.property(fc.oneof(anyText, fc.array(anyText, { maxLength: 5 }), fc.anything()), (header) => {
        const result = parseWwwAuthenticate(header);
        expect(result.length).toBeLessThanOrEqual(MAX_CHALLENGES);
        for (const c of result) expect(Object.keys(c.params).length).toBeLessThanOrEqual(MAX_PARAMS);
      }),
      { numRuns: 2000 },
    );
  });

  it('reads back a well-formed challenge list as written', () => {
    fc.assert(
      fc.property(
        fc.array(challenge, { minLength: 1, maxLength: MAX_CHALLENGES }),
        ows,
        fc.array(fc.boolean(), { maxLength: MAX_PARAMS }),
        fc.boolean(),
        (challenges, space, bare, asArray) => {
          const parts = challenges.map((c) => serialize(c, space, bare));
          const header = asArray ? parts : parts.join(`${space},${space === '' ? ' ' : space}`);
          expect(parseWwwAuthenticate(header).map((c) => ({ ...c, params: { ...c.params } }))).toEqual(challenges.map(lowerCased));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('decides any header for any status and scheme without throwing', () => {
    const parts = fc.constantFrom(
      'Bearer',
      'DPoP',
      'Basic',
      ' ',
      ',',
      '=',
      '"',
      '\\',
      'error',
      'insufficient_scope',
      'insufficient_claims',
      'insufficient_user_authentication',
      'invalid_token',
      'scope',
      'claims',
      'eyJhIjoxfQ',
      'max_age',
      '5',
      'acr_values',
    );
    const header = fc.array(parts, { maxLength: 40 }).map((items) => items.join(''));
    fc.assert(
      fc.property(
        fc.oneof(header, fc.array(header, { maxLength: 3 })),
        fc.constantFrom(401, 403, 500, undefined),
        fc.constantFrom('Bearer', 'dpop', undefined),
        (h, status, scheme) => {
          const decision = decideChallenge(status, h, scheme);
          expect(['refresh', 'step-up', 'claims', 'sign-in', 'return', 'default']).toContain(decision.action);
        },
      ),
      { numRuns: 2000 },
    );
  });
});
