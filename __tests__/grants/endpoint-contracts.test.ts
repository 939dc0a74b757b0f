import { AxiosHeaders, type AxiosResponse } from 'axios';
import { withContext } from '../../lib/grants/context-params';
import { headerValue, parseRetryAfterMs } from '../../lib/grants/send';

/*
 * What the token endpoint layer sends and reads (issue 9, mutation run over lib/grants/context-params.ts and send.ts):
 * a step-up's scope and claims merged into the configured parameters, and response headers in every shape an adapter
 * gives them.
 */

const configured: Array<[string, string]> = [
  ['grant_type', 'client_credentials'],
  ['scope', 'read write'],
  ['claims', '{"old":1}'],
  ['audience', 'api'],
];

describe('withContext', () => {
  it('sends the configured parameters, as a copy, when the context adds nothing', () => {
    for (const context of [undefined, {}, { scope: [] }, { claims: '' }]) {
      const params = withContext(configured, context);
      expect(params).toEqual(configured);
      expect(params).not.toBe(configured);
    }
  });

  it("requests a step-up's scope together with the configured one, once each, in one scope parameter", () => {
    expect(withContext(configured, { scope: ['write', 'admin'] })).toEqual([
      ['grant_type', 'client_credentials'],
      ['claims', '{"old":1}'],
      ['audience', 'api'],
      ['scope', 'read write admin'],
    ]);
  });

  it('requests the context scope alone when none is configured', () => {
    expect(withContext([['grant_type', 'x']], { scope: ['admin', 'audit'] })).toEqual([
      ['grant_type', 'x'],
      ['scope', 'admin audit'],
    ]);
  });

  it('replaces configured claims with the context claims, and keeps the configured scope', () => {
    expect(withContext(configured, { claims: '{"new":2}' })).toEqual([
      ['grant_type', 'client_credentials'],
      ['scope', 'read write'],
      ['audience', 'api'],
      ['claims', '{"new":2}'],
    ]);
  });
});

describe('headerValue', () => {
  const responseWith = (headers: unknown) => ({ headers }) as AxiosResponse<unknown>;

  it('reads AxiosHeaders case-insensitively and plain objects by their lower-case name', () => {
    expect(headerValue(responseWith(new AxiosHeaders({ 'Retry-After': '5' })), 'retry-after')).toBe('5');
    expect(headerValue(responseWith({ 'retry-after': '7' }), 'retry-after')).toBe('7');
  });

  it('joins a repeated header, turns a number into text and ignores anything else', () => {
    expect(headerValue(responseWith({ 'www-authenticate': ['Bearer', 'DPoP'] }), 'www-authenticate')).toBe('Bearer, DPoP');
    expect(headerValue(responseWith({ 'retry-after': 30 }), 'retry-after')).toBe('30');
    expect(headerValue(responseWith({ 'retry-after': { n: 1 } }), 'retry-after')).toBeUndefined();
    expect(headerValue(responseWith({}), 'retry-after')).toBeUndefined();
    expect(headerValue(responseWith(undefined), 'retry-after')).toBeUndefined();
  });
});

describe('parseRetryAfterMs', () => {
  const now = Date.parse('Wed, 02 Dec 2026 12:00:00 GMT');

  it('reads delay-seconds with surrounding space', () => {
    expect(parseRetryAfterMs(' 5 ', now)).toBe(5000);
  });

  it('reads an HTTP-date only when it starts with the day name', () => {
    expect(parseRetryAfterMs('Wed, 02 Dec 2026 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('Wednesday, 02-Dec-26 12:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfterMs('x Wed, 02 Dec 2026 12:00:10 GMT', now)).toBeUndefined();
    expect(parseRetryAfterMs('Wed, 02 Dec 2026 11:00:00 GMT', now)).toBe(0);
  });
});
