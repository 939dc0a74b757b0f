import axios from 'axios';
import { createAuthRefresh, type AxiosAuthRefreshOptions } from 'axios-auth-refresh';
import { requestToken } from './token-endpoint.js';
import type { Subject } from './types.js';

/**
 * axios-auth-refresh 5, wired as its README shows: a request interceptor that reads the current token, and a
 * refreshAuthLogic that fetches a new one through another axios instance and patches the failed request's header.
 */
function authRefreshSubject(id: string, name: string, options: AxiosAuthRefreshOptions, variant: boolean): Subject {
  return {
    id,
    name,
    refreshes: true,
    variant,
    async start({ sim, initial }) {
      let accessToken = initial.access_token;
      const api = axios.create(sim.axiosDefaults);
      api.interceptors.request.use((request) => {
        request.headers['Authorization'] = `Bearer ${accessToken}`;
        return request;
      });
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the README's signature: (failedRequest: any)
      const refreshAuthLogic = (failedRequest: any): Promise<void> =>
        requestToken(sim.tokenClient, { grant_type: 'client_credentials' }).then((token) => {
          accessToken = token.access_token;
          failedRequest.response.config.headers['Authorization'] = 'Bearer ' + accessToken;
        });
      const id = createAuthRefresh(api, refreshAuthLogic, options);
      return { api, stop: () => api.interceptors.response.eject(id) };
    },
  };
}

/** The defaults (`deduplicateRefresh: true`). */
export const axiosAuthRefresh = authRefreshSubject('axios-auth-refresh', 'axios-auth-refresh 5', {}, false);

/** `deduplicateRefresh: false`: the documented option that lets every 401 of a wave be retried (peers.md, B). */
export const axiosAuthRefreshNoDedupe = authRefreshSubject(
  'axios-auth-refresh-nodedupe',
  'axios-auth-refresh 5 (deduplicateRefresh: false)',
  { deduplicateRefresh: false },
  true,
);
