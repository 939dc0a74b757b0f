import { clientCredentials } from '../../lib/grants';
import { CLIENT, TOKEN_URL, basicCredentials, ctx, form, mockAuthServer, rejectionOf, tokenBody } from './helpers';

describe('clientCredentials', () => {
  it('POSTs grant_type=client_credentials as a UTF-8 form with client_secret_basic by default', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    const token = await clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(ctx());

    expect(token).toEqual({ accessToken: 'at-1', tokenType: 'Bearer', expiresIn: 3600 });
    expect(mock.history.post).toHaveLength(1);
    const request = mock.history.post[0]!;
    expect(request.headers?.['Content-Type']).toBe('application/x-www-form-urlencoded;charset=UTF-8');
    expect(form(request)).toEqual({ grant_type: 'client_credentials' });
    expect(basicCredentials(request)).toEqual([CLIENT.clientId, CLIENT.clientSecret]);
    expect(request.url).toBe(TOKEN_URL);
  });

  it('sends the secret in the body with client_secret_post and never as a header', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, authMethod: 'client_secret_post', httpClient: http })(ctx());

    const request = mock.history.post[0]!;
    expect(form(request)).toEqual({ grant_type: 'client_credentials', client_id: CLIENT.clientId, client_secret: CLIENT.clientSecret });
    expect(request.headers?.Authorization).toBeUndefined();
  });

  it('space-joins an array scope and repeats resource once per indicator', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody());
    await clientCredentials({
      tokenUrl: TOKEN_URL,
      ...CLIENT,
      scope: ['orders:read', 'orders:write'],
      audience: 'https://api.example.com',
      resource: ['https://a.example.com', 'https://b.example.com'],
      extraParams: { tenant: 'acme', unused: undefined },
      httpClient: http,
    })(ctx());

    const params = new URLSearchParams(String(mock.history.post[0]!.data));
    expect(params.get('scope')).toBe('orders:read orders:write');
    expect(params.get('audience')).toBe('https://api.example.com');
    expect(params.getAll('resource')).toEqual(['https://a.example.com', 'https://b.example.com']);
    expect(params.get('tenant')).toBe('acme');
    expect(params.has('unused')).toBe(false);
    expect(String(mock.history.post[0]!.data)).not.toMatch(/undefined|null/);
  });

  it('drops a refresh token the server should not have sent (RFC 6749 §4.4.3)', async () => {
    const { http, mock } = mockAuthServer();
    mock.onPost(TOKEN_URL).reply(200, tokenBody({ refresh_token: 'rt-unwanted', scope: 'orders:read' }));
    const token = await clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })(ctx());

    expect(token).toEqual({ accessToken: 'at-1', tokenType: 'Bearer', expiresIn: 3600, scope: 'orders:read' });
  });

  it('renews by running the grant again, whatever the last token was', async () => {
    const { http, mock } = mockAuthServer();
    mock
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody())
      .onPost(TOKEN_URL)
      .replyOnce(200, tokenBody({ access_token: 'at-2' }));
    const grant = clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http });
    await grant(ctx());
    const renewed = await grant(ctx({ accessToken: 'at-1', tokenType: 'Bearer', obtainedAt: 0, refreshToken: 'rt-x' }));

    expect(renewed).toMatchObject({ accessToken: 'at-2' });
    expect(form(mock.history.post[1]!)).toEqual({ grant_type: 'client_credentials' });
  });

  it('aborts the request when the token source signal aborts', async () => {
    const { http, mock } = mockAuthServer();
    let requestSignal: AbortSignal | undefined;
    mock.onPost(TOKEN_URL).reply((config) => {
      requestSignal = config.signal as AbortSignal;
      return new Promise(() => undefined); // held open until the abort
    });
    const controller = new AbortController();
    const result = rejectionOf(
      clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT, httpClient: http })({ ...ctx(), signal: controller.signal }),
    );
    await new Promise((resolve) => setImmediate(resolve));
    expect(requestSignal?.aborted).toBe(false);
    controller.abort();

    const error = await result;
    expect(error.name).toBe('AbortError');
    expect(requestSignal?.aborted).toBe(true);
    expect(mock.history.post).toHaveLength(1);
    expect(mock.history.post[0]!.maxRedirects).toBe(0);
    expect(mock.history.post[0]!.timeout).toBe(10_000);
  });

  it('has no revoke() without a revocation endpoint', () => {
    expect(clientCredentials({ tokenUrl: TOKEN_URL, ...CLIENT }).revoke).toBeUndefined();
  });
});
