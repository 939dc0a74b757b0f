import { oauthApp } from './oauth-app.js';
import { signInApp } from './sign-in-app.js';
import { storageProbe } from './storage-probe.js';

/** What the browser tests call in a page through `window.harness` (see __tests__/support/browser-harness.ts). */
const harness = { ...storageProbe, ...oauthApp, ...signInApp };
export type Harness = typeof harness;

(globalThis as unknown as { harness: Harness }).harness = harness;
