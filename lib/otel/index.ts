export { instrumentOAuthLock, type InstrumentOAuthLockOptions } from './instrument.js';
