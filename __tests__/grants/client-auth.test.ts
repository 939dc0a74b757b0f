import { clientAuthentication, defaultAuthMethod, formEncode } from '../../lib/grants/client-auth';
import { clientCredentials } from '../../lib/grants';
import { TOKEN_URL, basicCredentials, ctx, mockAuthServer, tokenBody } from './helpers';

// RFC 6749 Appendix B; the vector the AppAuth libraries got wrong (openid/AppAuth-Android #337).
const ODD_ID = "client %&+-_.!~*'()";
const ODD_ID_ENCODED = 'client+%25%26%2B%2D%5F%2E%21%7E%2A%27%28%29';

describe('client authentication', () => {
  it('form-encodes id and secret per Appendix B before base64 for client_secret_basic', () => {
    const { headers } = clientAuthentication('client_secret_basic', ODD_ID, 'sëcret:1');

    expect(headers.Authorization).toBe(`Basic ${btoa(`${ODD_ID_ENCODED}:s%C3%ABcret%3A1`)}`);
  });

  it('sends an Appendix B encoded Basic header that decodes back to the exact id and secret', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await clientCredentials({ tokenUrl: TOKEN_URL, clientId: ODD_ID, clientSecret: 'p+ss word', httpClient: http })(ctx());

    expect(basicCredentials(mock.history.post[0]!)).toEqual([ODD_ID, 'p+ss word']);
    expect(formEncode(ODD_ID)).toBe(ODD_ID_ENCODED);
  });

  it('puts only client_id in the body of a public client (none)', () => {
    expect(clientAuthentication('none', 'spa', undefined)).toEqual({ params: [['client_id', 'spa']], headers: {} });
  });

  it('defaults to client_secret_basic, to none without a secret, and avoids a method the server does not list', () => {
    expect(defaultAuthMethod(true, undefined)).toBe('client_secret_basic');
    expect(defaultAuthMethod(false, ['client_secret_basic'])).toBe('none');
    expect(defaultAuthMethod(true, ['client_secret_post', 'private_key_jwt'])).toBe('client_secret_post');
    expect(defaultAuthMethod(true, ['private_key_jwt'])).toBeUndefined();
  });
});
