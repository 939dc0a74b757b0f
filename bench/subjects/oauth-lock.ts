import axios from 'axios';
import { attachOAuth } from '../../lib/index.js';
import { requestToken } from './token-endpoint.js';
import type { Subject } from './types.js';

/** This package, as its README's quick start shows: one `attachOAuth` call with a `fetchToken`. */
export const oauthLock: Subject = {
  id: 'axios-oauth-lock',
  name: 'axios-oauth-lock',
  refreshes: true,
  async start({ sim, initial, refreshBufferSeconds }) {
    const api = axios.create(sim.axiosDefaults);
    const handle = attachOAuth(api, {
      fetchToken: ({ signal }) => requestToken(sim.tokenClient, { grant_type: 'client_credentials' }, signal),
      initialToken: initial,
      refreshBufferSeconds,
    });
    return { api, stop: () => handle.detach() };
  },
};
