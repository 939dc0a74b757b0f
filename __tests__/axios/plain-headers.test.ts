import type { AxiosError } from 'axios';
import { attachOAuth } from '../../lib/index.js';
import { countingSource, createFakeApi } from '../support/fake-api.js';

/*
 * A request interceptor of the app's that runs before ours (registered after attachOAuth) may replace
 * `config.headers` with a plain object. The token guard must still see a caller's own header, whatever its case,
 * and still set ours.
 */

describe('a plain headers object from an earlier interceptor', () => {
  it("still sees the caller's own header, whatever its case, and steps aside", async () => {
    const { api, seen } = createFakeApi();
    const fetchToken = countingSource();
    attachOAuth(api, { fetchToken });
    api.interceptors.request.use((config) => {
      (config as { headers: unknown }).headers = { authorization: 'Basic mine' };
      return config;
    });
    const error = await api.get('/a').catch((e: AxiosError) => e);
    expect((error as AxiosError).response?.status).toBe(401);
    expect((seen[0]!.config.headers as unknown as Record<string, string>).authorization).toBe('Basic mine');
    expect(fetchToken).not.toHaveBeenCalled();
  });

  it('still gets the token when it has no auth header of its own', async () => {
    const { api, valid, seen } = createFakeApi();
    attachOAuth(api, { fetchToken: countingSource(valid) });
    api.interceptors.request.use((config) => {
      (config as { headers: unknown }).headers = { Accept: 'application/json' };
      return config;
    });
    await expect(api.get('/a')).resolves.toMatchObject({ status: 200 });
    expect(seen[0]!.authorization).toBe('Bearer t1');
  });
});
