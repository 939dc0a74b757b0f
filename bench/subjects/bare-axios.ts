import axios from 'axios';
import type { Subject } from './types.js';

/** The floor: a static bearer token set once in the defaults, no interceptor at all. */
export const bareAxios: Subject = {
  id: 'bare-axios',
  name: 'bare axios (static token)',
  refreshes: false,
  async start({ sim, initial }) {
    const api = axios.create({ ...sim.axiosDefaults, headers: { Authorization: `Bearer ${initial.access_token}` } });
    return { api, stop: () => undefined };
  },
};
