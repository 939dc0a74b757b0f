import { axiosAuthRefresh, axiosAuthRefreshNoDedupe } from './axios-auth-refresh.js';
import { axiosJwt } from './axios-jwt.js';
import { bareAxios } from './bare-axios.js';
import { oauthLock } from './oauth-lock.js';
import type { Subject } from './types.js';

/** Every subject, in table order: the floor first, then this package, then the peers. */
export const ALL_SUBJECTS: readonly Subject[] = [bareAxios, oauthLock, axiosAuthRefresh, axiosAuthRefreshNoDedupe, axiosJwt];

/** Subjects that refresh tokens (every scenario but the hot path and the scale floor). */
export const REFRESHING_SUBJECTS = ALL_SUBJECTS.filter((s) => s.refreshes);

/** One subject per distinct request path: the hot path and queueing do not differ between configuration variants. */
export const DISTINCT_SUBJECTS = ALL_SUBJECTS.filter((s) => !s.variant);

export type { Subject, SubjectEnv, RunningSubject } from './types.js';
