import { clientCredentials, passwordGrant, refreshTokenGrant } from '../../lib/grants';
import { isLoopbackHost } from '../../lib/core/secure-url.js';

const base = { tokenUrl: 'https://auth.example.com/token', clientId: 'id', clientSecret: 'secret' };

describe('grant options are checked at creation', () => {
  it.each([
    [{ ...base, clientId: '' }, TypeError, '"options.clientId" must be a non-empty string'],
    [{ ...base, clientSecret: undefined }, TypeError, '"options.clientSecret" must be a non-empty string'],
    [
      { ...base, authMethod: 'client_secret_jws' },
      TypeError,
      `"options.authMethod" must be one of 'client_secret_basic', 'client_secret_post', 'none', 'private_key_jwt', 'client_secret_jwt'`,
    ],
    [{ clientId: 'id', clientSecret: 's' }, TypeError, '"options" must have exactly one of "tokenUrl" and "issuer"'],
    [{ ...base, issuer: 'https://auth.example.com' }, TypeError, '"options" must have exactly one of "tokenUrl" and "issuer"'],
    [
      { ...base, tokenUrl: 'http://auth.example.com/token' },
      TypeError,
      '"options.tokenUrl" uses plain http: to a host that is not loopback',
    ],
    [{ ...base, tokenUrl: 'https://auth.example.com/token#x' }, TypeError, '"options.tokenUrl" must not have a fragment'],
    [{ ...base, tokenUrl: '/token' }, TypeError, '"options.tokenUrl" must be an absolute URL'],
    [
      { clientId: 'id', clientSecret: 's', issuer: 'https://auth.example.com/?tenant=a' },
      TypeError,
      '"options.issuer" must not have a query',
    ],
    [{ ...base, discovery: 'auto' }, TypeError, '"options.discovery" needs "issuer"'],
    [{ ...base, scope: [] }, TypeError, '"options.scope" must be a non-empty string or a non-empty array'],
    [{ ...base, resource: [''] }, TypeError, '"options.resource" must be a non-empty string'],
    [{ ...base, extraParams: { grant_type: 'password' } }, TypeError, '"options.extraParams.grant_type" is set by the grant'],
    [{ ...base, httpClient: {} }, TypeError, '"options.httpClient" must be an axios instance'],
    [{ ...base, timeoutMs: 0 }, RangeError, '"options.timeoutMs" must be a finite number >= 1'],
    [{ ...base, maxRetries: 1.5 }, RangeError, '"options.maxRetries" must be an integer from 0 to 10'],
    [{ ...base, retryDelayMs: '5' }, TypeError, '"options.retryDelayMs" must be a number'],
    [{ ...base, allowInsecureHttp: 'yes' }, TypeError, '"options.allowInsecureHttp" must be a boolean'],
  ])('clientCredentials(%o) throws %p', (options, type, message) => {
    const create = () => clientCredentials(options as never);
    expect(create).toThrow(type);
    expect(create).toThrow(message);
  });

  it.each(['timeoutMs', 'retryDelayMs', 'maxRetryDelayMs'])(
    'regression: refuses a %s that setTimeout would overflow (it fired at once: no deadline, no backoff)',
    (name) => {
      const create = () => clientCredentials({ ...base, [name]: 2 ** 31 });
      expect(create).toThrow(RangeError);
      expect(create).toThrow(`"options.${name}" must be a finite number >= ${name === 'timeoutMs' ? 1 : 0} and <= 2147483647`);
      expect(() => clientCredentials({ ...base, [name]: 2 ** 31 - 1 })).not.toThrow();
    },
  );

  const lone = 'ab\uD800cd'; // a lone surrogate: no UTF-8 form, encodeURIComponent throws a URIError on it

  it.each<[string, Record<string, unknown>, string]>([
    ['a scope element with a space', { scope: ['orders:read orders:write'] }, '"options.scope[0]" must be one scope token'],
    ['a scope element with a double quote', { scope: ['a"b'] }, '"options.scope[0]" must be one scope token'],
    ['a scope element with a backslash', { scope: ['ok', 'a\\b'] }, '"options.scope[1]" must be one scope token'],
    ['a scope element with a non-ASCII letter', { scope: ['caf\u00e9'] }, '"options.scope[0]" must be one scope token'],
    ['a scope element with a control character', { scope: ['a\tb'] }, '"options.scope[0]" must be one scope token'],
    ['a scope string with a double space', { scope: 'a  b' }, '"options.scope" must be scope tokens separated by single spaces'],
    ['a scope string with a leading space', { scope: ' a' }, '"options.scope" must be scope tokens separated by single spaces'],
    ['a scope with a lone surrogate', { scope: [lone] }, '"options.scope[0]" must not contain a lone surrogate'],
    ['a clientId with a lone surrogate', { clientId: lone }, '"options.clientId" must not contain a lone surrogate'],
    ['a clientSecret with a lone surrogate', { clientSecret: lone }, '"options.clientSecret" must not contain a lone surrogate'],
    ['an audience with a lone surrogate', { audience: lone }, '"options.audience" must not contain a lone surrogate'],
    [
      'a resource with a lone surrogate',
      { resource: ['https://a.example', lone] },
      '"options.resource[1]" must not contain a lone surrogate',
    ],
    [
      'an extraParams value with a lone surrogate',
      { extraParams: { prompt: lone } },
      '"options.extraParams.prompt" must not contain a lone surrogate',
    ],
    [
      'an extraParams name with a lone surrogate',
      { extraParams: { [lone]: 'x' } },
      '"options.extraParams" has a parameter name with a lone surrogate',
    ],
    ['a misspelt tokenUrl', { tokenUrll: base.tokenUrl }, '"options.tokenUrll" is not an option of clientCredentials()'],
    ['a misspelt clientSecret', { clientSecrett: 'x' }, '"options.clientSecrett" is not an option of clientCredentials()'],
    ['a password option', { password: 'x' }, '"options.password" is not an option of clientCredentials()'],
  ])('regression: clientCredentials refuses %s with a TypeError naming the option', (_name, override, message) => {
    const create = () => clientCredentials({ ...base, ...override });
    expect(create).toThrow(TypeError);
    expect(create).toThrow(message);
    expect(create).not.toThrow(/ab.cd|orders:write/); // no value quoted
  });

  it('regression: the password grant refuses a lone surrogate in username or password, without quoting it', () => {
    const lonePassword = 'pw-\uDC00-secret';
    expect(() => passwordGrant({ ...base, username: 'alice', password: lonePassword })).toThrow(
      new TypeError('"options.password" must not contain a lone surrogate (it has no UTF-8 form)'),
    );
    expect(() => passwordGrant({ ...base, username: lone, password: 'pw' })).toThrow(
      '"options.username" must not contain a lone surrogate',
    );
    expect(() => refreshTokenGrant({ ...base, username: 'alice' } as never)).toThrow(
      '"options.username" is not an option of refreshTokenGrant()',
    );
  });

  it('accepts scope tokens with every allowed character, as a string or an array, and paired surrogates anywhere', () => {
    const every = "!#$%&'()*+,-./0123456789:;<=>?@AZ[]^_`az{|}~";
    expect(() => clientCredentials({ ...base, scope: [every, 'b'] })).not.toThrow();
    expect(() => clientCredentials({ ...base, scope: `${every} b` })).not.toThrow();
    expect(() => clientCredentials({ ...base, clientSecret: 's3cr\u{1F511}t', extraParams: { note: '\u{1F600}' } })).not.toThrow();
    expect(() => passwordGrant({ ...base, username: 'alice', password: 'pw', scope: 'openid' })).not.toThrow();
  });

  it('requires a secret for a secret-based authMethod, and username and password for the password grant', () => {
    expect(() => refreshTokenGrant({ tokenUrl: base.tokenUrl, clientId: 'id', authMethod: 'client_secret_post' })).toThrow(
      '"options.clientSecret" is required with authMethod \'client_secret_post\'',
    );
    expect(() => passwordGrant({ ...base, username: 'alice', password: '' })).toThrow('"options.password" must be a non-empty string');
    expect(() => passwordGrant({ ...base, username: undefined as never, password: 'pw' })).toThrow(
      '"options.username" must be a non-empty string',
    );
  });

  it('never quotes a secret in an option error', () => {
    expect(() => passwordGrant({ ...base, tokenUrl: 'ftp://x', username: 'alice', password: 'pw-secret' })).toThrow(/^(?!.*pw-secret)/);
  });

  it('allows plain http to loopback hosts, and elsewhere only with allowInsecureHttp', () => {
    for (const tokenUrl of ['http://127.0.0.1:8080/token', 'http://localhost/token', 'http://[::1]:9000/token', 'http://127.10.0.3/t']) {
      expect(() => clientCredentials({ ...base, tokenUrl })).not.toThrow();
    }
    expect(() => clientCredentials({ ...base, tokenUrl: 'http://auth.internal/token', allowInsecureHttp: true })).not.toThrow();
    expect(isLoopbackHost('128.0.0.1')).toBe(false);
    expect(isLoopbackHost('localhost.evil.example')).toBe(false);
  });
});
