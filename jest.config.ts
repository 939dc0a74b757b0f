import type { Config } from 'jest';

const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/__tests__'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json', diagnostics: false }] },
  // Sources import with the `.js` extension that ESM needs; ts-jest resolves them to the `.ts` files.
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
    // AXIOS_UNDER_TEST=<dir of another axios copy>: every `axios` import (ours, the tests', axios-mock-adapter's)
    // resolves to that copy, so CI runs the unit suites at the peer range's floor too (.ci/run).
    ...(process.env.AXIOS_UNDER_TEST ? { '^axios$': `${process.env.AXIOS_UNDER_TEST}/dist/node/axios.cjs` } : {}),
  },
  setupFilesAfterEnv: ['<rootDir>/__tests__/setup/fail-on-unhandled-rejection.ts'],
  testTimeout: 30_000,
};

export default config;
