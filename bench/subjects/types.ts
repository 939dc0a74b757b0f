import type { AxiosInstance } from 'axios';
import type { SimEnv, TokenJson } from '../sim/index.js';

/** What a subject is given: the simulated world and the token it starts with. */
export interface SubjectEnv {
  sim: SimEnv;
  /** The token the client holds at the start (fresh, expired or about to be revoked, per scenario). */
  initial: TokenJson;
  /** Renew this long before expiry, for the libraries that can (ours: refreshBufferSeconds, axios-jwt: tokenExpireFudge). */
  refreshBufferSeconds: number;
}

export interface RunningSubject {
  api: AxiosInstance;
  stop(): void | Promise<void>;
}

/** One library under test, wired the way its own documentation says. */
export interface Subject {
  /** Short key used in JSON. */
  id: string;
  /** Column label in the tables. */
  name: string;
  /** False for bare axios: a static token, so it only appears where no refresh is needed (the floor). */
  refreshes: boolean;
  /** A non-default configuration of a peer: shown where it behaves differently, skipped where the code path is the same. */
  variant?: boolean;
  start(env: SubjectEnv): Promise<RunningSubject>;
}
