import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const root = join(__dirname, '..');

describe('examples/basic.ts', () => {
  it('runs with one command and shows one fetch per wave', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'examples/basic.ts'], { cwd: root });
    expect(stdout).toContain('50 concurrent requests, 1 token fetch');
    expect(stdout).toContain('50 requests after a revocation, 2 token fetches in all');
  });
});
