import axios from 'axios';
import { applyAuthTokenInterceptor, clearAuthTokens, setAuthTokens, type StorageType } from 'axios-jwt';
import { requestToken } from './token-endpoint.js';
import type { Subject } from './types.js';

/** Node has no localStorage; axios-jwt accepts any async `{ get, set, remove }` storage. */
function memoryStorage(): StorageType {
  const items = new Map<string, string>();
  return {
    get: async (key) => items.get(key) ?? null,
    set: async (key, value) => {
      items.set(key, value);
    },
    remove: async (key) => {
      items.delete(key);
    },
  };
}

/**
 * axios-jwt 4, wired as its README shows: `applyAuthTokenInterceptor` with a `requestRefresh` that posts the
 * refresh token through another axios instance, then `setAuthTokens` after "login". Its state is module-global, so
 * only one instance may be live at a time (the harness runs subjects one after another).
 */
export const axiosJwt: Subject = {
  id: 'axios-jwt',
  name: 'axios-jwt 4',
  refreshes: true,
  async start({ sim, initial, refreshBufferSeconds }) {
    const api = axios.create(sim.axiosDefaults);
    const requestRefresh = async (refreshToken: string): Promise<string> => {
      const token = await requestToken(sim.tokenClient, { grant_type: 'refresh_token', refresh_token: refreshToken });
      return token.access_token;
    };
    // Same early-renewal window as ours, so proactive refresh is compared like for like.
    applyAuthTokenInterceptor(api, { requestRefresh, getStorage: memoryStorage, tokenExpireFudge: refreshBufferSeconds });
    await setAuthTokens({ accessToken: initial.access_token, refreshToken: initial.refresh_token });
    return { api, stop: () => clearAuthTokens() };
  },
};
