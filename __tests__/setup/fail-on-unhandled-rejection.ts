// Reliability scenario 55: any unhandled rejection fails the test that caused it.
const unhandled: unknown[] = [];
// Captured before any test installs fake timers, which replace the global setImmediate.
const realSetImmediate = setImmediate;
const record = (reason: unknown): void => {
  unhandled.push(reason);
};

beforeAll(() => {
  process.on('unhandledRejection', record);
});

afterEach(async () => {
  // Node reports an unhandled rejection after the microtask queue drains; give it one macrotask turn.
  await new Promise((resolve) => realSetImmediate(resolve));
  const found = unhandled.splice(0);
  if (found.length > 0) {
    throw new Error(`Unhandled promise rejection(s) during this test: ${found.map(String).join('; ')}`);
  }
});

afterAll(() => {
  process.off('unhandledRejection', record);
});
