import axios from 'axios';
import { attachOAuth } from '../../lib';

const fetchToken = (): string => 'at-1';

describe('token manager durations fit a timer', () => {
  it.each<[string, number, string]>([
    ['refreshTimeoutMs', 2 ** 31, '"options.refreshTimeoutMs" must be a finite number >= 1 and <= 2147483647'],
    ['minRefreshIntervalMs', 2 ** 31, '"options.minRefreshIntervalMs" must be a finite number >= 0 and <= 2147483647'],
    ['retryIntervalMs', 2 ** 31, '"options.retryIntervalMs" must be a finite number >= 0 and <= 2147483647'],
    ['refreshBufferSeconds', 2 ** 31 / 1000, '"options.refreshBufferSeconds" must be a finite number >= 0 and <= 2147483.647'],
  ])('regression: refuses a %s that setTimeout would overflow (every refresh failed in a few ms)', (name, value, message) => {
    const create = (): unknown => attachOAuth(axios.create({ baseURL: 'https://api.example.com' }), { fetchToken, [name]: value });
    expect(create).toThrow(RangeError);
    expect(create).toThrow(message);
  });

  it('accepts the largest delay setTimeout takes', () => {
    const handle = attachOAuth(axios.create({ baseURL: 'https://api.example.com' }), {
      fetchToken,
      refreshTimeoutMs: 2 ** 31 - 1,
      retryIntervalMs: 2 ** 31 - 1,
    });
    handle.detach();
  });
});
