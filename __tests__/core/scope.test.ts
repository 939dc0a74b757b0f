import { MAX_SCOPE_TOKENS, scopeTokens, scopeVerdict, unionScope } from '../../lib/core/scope.js';

describe('scope lists', () => {
  it('splits on spaces and tabs, drops empty, repeated and invalid scope tokens (RFC 6749 §3.3)', () => {
    expect(scopeTokens(' a  b\tb "c" d\\e f ')).toEqual(['a', 'b', 'f']);
    expect(scopeTokens(['x', 'x', 'y z', ''])).toEqual(['x']);
    expect(scopeTokens(undefined)).toEqual([]);
  });

  it('unions in order, first occurrence first, at most MAX_SCOPE_TOKENS', () => {
    expect(unionScope(['a', 'b'], ['b', 'c'], ['a'])).toEqual(['a', 'b', 'c']);
    const many = Array.from({ length: MAX_SCOPE_TOKENS + 10 }, (_, i) => `s${i}`);
    expect(unionScope(many)).toHaveLength(MAX_SCOPE_TOKENS);
  });

  it('judges a token by its granted scope, or by what it was requested with when the server did not say', () => {
    expect(scopeVerdict('a b', undefined, ['b'])).toBe('granted');
    expect(scopeVerdict(undefined, ['a', 'b'], ['b'])).toBe('granted');
    expect(scopeVerdict('a', ['a', 'b'], ['b'])).toBe('refused');
    expect(scopeVerdict('a', undefined, ['b'])).toBe('missing');
    expect(scopeVerdict(undefined, undefined, ['b'])).toBe('missing');
  });
});
