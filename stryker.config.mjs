// Mutation testing (issue 9): `npm run test:mutation`. Stryker mutates lib/ and runs, per mutant, only the unit tests
// that cover it (perTest coverage). Incremental: results of unchanged code and tests are reused from the committed
// .stryker/incremental.json, so CI re-mutates only what changed; `npm run test:mutation -- --force` re-runs everything.
// Stryker 9.x: 10 needs Node 22 and our floor is 20.

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  coverageAnalysis: 'perTest',
  // No TypeScript checker: it triples the run time, and ts-jest (diagnostics off) runs mutants that do not type-check
  // anyway. The default `disableTypeChecks` (a `// @ts-nocheck` on every lib/ file) keeps type errors out of the way.
  // The lock and the axios layer, where the package's promises live (issue 9 names these files). The whole of lib/
  // is about 2,600 mutants: hours on a 2-core machine, more than CI can afford when a change invalidates the
  // incremental file; widen this list as the run gets cheaper.
  mutate: [
    'lib/core/token-manager.ts',
    'lib/core/obtain-token.ts',
    'lib/core/token.ts',
    'lib/core/redact.ts',
    'lib/axios/interceptors.ts',
    'lib/axios/origin-guard.ts',
    'lib/axios/redirect-guard.ts',
  ],
  jest: {
    projectType: 'custom',
    configFile: 'jest.config.ts',
    // Jest's related-test search does not follow lib/'s `.js` import specifiers, so it would leave out most covering
    // tests; perTest coverage picks each mutant's tests precisely anyway.
    enableFindRelatedTests: false,
    // Unit suites only, merged over jest.config.ts. Left out: suites that drive a child process (they run dist/ or
    // tsx, never the mutated code), need Chromium or a real authorization server (integration/, browser/ but its
    // option checks), read lib/ as text (layout), and the fast-check property (300 interleavings; a mutant it catches
    // is shrunk for tens of seconds; `npm test` still runs it). The storage suites against a real redis-server stay:
    // a few seconds in all.
    config: {
      // Only the in-process unit suites of the mutated layers: grants/ and storage/ suites (real servers, deadlines
      // that trickle for a second) cost seconds per mutant and barely cover these files.
      roots: ['<rootDir>/__tests__/core', '<rootDir>/__tests__/axios'],
      testPathIgnorePatterns: [
        '/node_modules/',
        '<rootDir>/__tests__/integration/',
        '<rootDir>/__tests__/browser/(?!browser-storage-options\\.test\\.ts$)',
        '<rootDir>/__tests__/(package|retention|example-basic|layout)\\.test\\.ts$',
        '<rootDir>/__tests__/(core|axios)/[^/]+\\.property\\.test\\.ts$',
        // These drive child processes or real process kills: they never load the mutated code.
        '<rootDir>/__tests__/grants/awaited-timers\\.test\\.ts$',
        '<rootDir>/__tests__/storage/redis-takeover\\.test\\.ts$',
      ],
    },
  },
  incremental: true,
  incrementalFile: '.stryker/incremental.json',
  ignorePatterns: ['dist', 'coverage', 'bench/results', 'reports', '.stryker'],
  concurrency: 2,
  // break: the 71.26 % the six lock/axios files scored before issue 9's tests, rounded down; raise it once a full run
  // of the current code has been measured.
  thresholds: { high: 90, low: 85, break: 71 },
  reporters: ['progress', 'clear-text', 'html', 'json'],
  clearTextReporter: { reportMutants: false, reportTests: false },
  htmlReporter: { fileName: 'reports/mutation/index.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
};
