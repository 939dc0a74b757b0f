import { inspect } from 'node:util';
import { formEncode } from '../../lib/grants/client-auth';
import { expectNoSecrets } from '../support/secrets-sweep';

// The sweep guards every other secrets test, so it must itself be shown to catch each rendering and encoding.
const SECRET = 'rt-9f.x s3cr3t/+"é';

function leaks(value: unknown, secrets = [SECRET]): boolean {
  try {
    expectNoSecrets(value, secrets);
    return false;
  } catch (error) {
    if (error instanceof RangeError) throw error;
    return true;
  }
}

describe('expectNoSecrets (test support)', () => {
  it('passes a value that holds no secret', () => {
    expect(leaks(new Error('Failed to refresh token: [REDACTED]'))).toBe(false);
    expect(leaks({ a: 1, nested: { b: ['x'] } })).toBe(false);
    expect(leaks(undefined)).toBe(false);
  });

  it.each([
    ['raw', SECRET],
    ['form-encoded', formEncode(SECRET)],
    ['encodeURIComponent', encodeURIComponent(SECRET)],
    ['JSON-escaped', JSON.stringify(SECRET).slice(1, -1)],
    ['base64', Buffer.from(SECRET).toString('base64')],
    ['base64url', Buffer.from(SECRET).toString('base64url')],
    ['Basic base64(id:secret) for a one-byte id', btoa(`a:${formEncode(SECRET)}`)],
    ['Basic base64(id:secret) for a two-byte id', btoa(`ab:${formEncode(SECRET)}`)],
    ['Basic base64(id:secret) for a three-byte id', btoa(`abc:${formEncode(SECRET)}`)],
    ['base64url inside a JWT-like payload', Buffer.from(JSON.stringify({ rt: SECRET })).toString('base64url')],
  ])('finds the secret %s in a message', (_how, text) => {
    expect(leaks(new Error(`server said: ${text}.`))).toBe(true);
  });

  it.each([
    ['an enumerable property (JSON, inspect, entries)', () => Object.assign(new Error('x'), { config: { data: SECRET } })],
    ['a non-enumerable cause', () => new Error('outer', { cause: new Error(SECRET) })],
    ['a cause two levels down', () => new Error('a', { cause: new Error('b', { cause: { detail: SECRET } }) })],
    ['an AggregateError member', () => new AggregateError([new Error('fine'), new Error(SECRET)], 'many')],
    ['only the stack', () => Object.assign(new Error('x'), { stack: `Error: x\n    at ${SECRET}` })],
    ['only toJSON()', () => ({ toJSON: () => ({ hidden: SECRET }) })],
    ['a string value', () => `token=${formEncode(SECRET)}`],
  ])('finds a secret in %s', (_where, make) => {
    expect(leaks(make())).toBe(true);
  });

  it('finds a secret that only util.inspect shows (a custom inspect)', () => {
    const value = new Error('x');
    Object.defineProperty(value, inspect.custom, { value: () => SECRET });
    expect(leaks(value)).toBe(true);
  });

  it('survives circular values', () => {
    const value: Record<string, unknown> = { name: 'loop' };
    value.self = value;
    expect(leaks(value)).toBe(false);
    value.secret = SECRET;
    expect(leaks(value)).toBe(true);
  });

  it('refuses a secret too short to search for', () => {
    expect(() => expectNoSecrets(new Error('x'), ['at'])).toThrow(RangeError);
  });
});
