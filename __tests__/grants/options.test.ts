import { clientCredentials, passwordGrant, refreshTokenGrant } from '../../lib/grants';
import { isLoopbackHost } from '../../lib/core/secure-url.js';

const base = { tokenUrl: 'https://auth.example.com/token', clientId: 'id', clientSecret: 'secret' };

describe('grant options are checked at creation', () => {
  it.each([
    [{ ...base, clientId: '' }, TypeError, '"options.clientId" must be a non-empty string'],
    [{ ...base, clientSecret: undefined }, TypeError, '"options.clientSecret" must be a non-empty string'],
    [
      { ...base, authMethod: 'private_key_jwt' },
      TypeError,
      `"options.authMethod" must be one of 'client_secret_basic', 'client_secret_post', 'none'`,
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
