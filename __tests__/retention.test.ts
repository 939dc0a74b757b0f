import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

/**
 * Reliability scenario 56: after 1,000 waves of mixed success, refresh failure, replay and abort, nothing is
 * retained: an early request's config is garbage-collected and the heap does not grow with the number of waves.
 */
describe('no retained waiters', () => {
  it('keeps the heap flat over 1,000 waves and lets every finished request be collected', async () => {
    const probe = join(__dirname, 'support/retention-probe.ts');
    const { stdout } = await promisify(execFile)(process.execPath, ['--expose-gc', '--import', 'tsx', probe], {
      cwd: join(__dirname, '..'),
    });
    const result = JSON.parse(stdout) as { growthBytes: number; firstConfigCollected: boolean; fetches: number };
    expect(result.firstConfigCollected).toBe(true);
    expect(result.fetches).toBeGreaterThan(1000); // every wave really refreshed
    // 20,000 requests went through; retaining even 100 bytes each would add 2 MB.
    expect(result.growthBytes).toBeLessThan(1_000_000);
  }, 120_000);
});
