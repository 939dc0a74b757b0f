// The Node-only entry point, `axios-oauth-lock/node`: kept out of the main entry so browser bundles never see node:http.
export { DEFAULT_LOOPBACK_TIMEOUT_MS, loopbackAuthorization, type LoopbackAuthorizationOptions } from './grants/loopback-authorization.js';
