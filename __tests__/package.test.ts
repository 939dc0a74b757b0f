import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';

const root = join(__dirname, '..');

// Runs one request through the built package, loaded by its public name the way a user's code loads it.
const scenario = (load: string): string => `
${load}
const api = axios.create({ baseURL: 'https://api.example.com', adapter: async (config) => ({ data: config.headers.Authorization, status: 200, statusText: 'OK', headers: {}, config }) });
attachOAuth(api, { fetchToken: async () => ({ access_token: 'built', token_type: 'bearer', expires_in: 60 }) });
api.get('/x').then((r) => console.log(JSON.stringify({ header: r.data, guard: typeof isTokenRefreshError })));
`;

function run(args: string[]): { header: string; guard: string } {
  return JSON.parse(execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' })) as { header: string; guard: string };
}

describe('the built package (npm run build)', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist/cjs/index.js')) || !existsSync(join(root, 'dist/esm/index.js'))) {
      throw new Error('dist/ is missing: `npm test` builds it first; run `npm run build` before running jest alone');
    }
  });

  it('works through require()', () => {
    const code = scenario(`const axios = require('axios'); const { attachOAuth, isTokenRefreshError } = require('axios-oauth-lock');`);
    expect(run(['-e', code])).toEqual({ header: 'Bearer built', guard: 'function' });
  });

  it('works through import', () => {
    const code = scenario(`import axios from 'axios'; import { attachOAuth, isTokenRefreshError } from 'axios-oauth-lock';`);
    expect(run(['--input-type=module', '-e', code])).toEqual({ header: 'Bearer built', guard: 'function' });
  });

  it('serves loopbackAuthorization from the Node-only subpath, through require() and import, and not from the main entry', () => {
    const cjs = `const m = require('axios-oauth-lock/node'); const main = require('axios-oauth-lock'); console.log(JSON.stringify({ header: typeof m.loopbackAuthorization, guard: typeof main.loopbackAuthorization }))`;
    expect(run(['-e', cjs])).toEqual({ header: 'function', guard: 'undefined' });
    const esm = `import { loopbackAuthorization } from 'axios-oauth-lock/node'; console.log(JSON.stringify({ header: typeof loopbackAuthorization, guard: 'n/a' }))`;
    expect(run(['--input-type=module', '-e', esm])).toEqual({ header: 'function', guard: 'n/a' });
  });

  it('ships every file its source maps point to, so a stack trace never names a missing file', () => {
    const [pack] = JSON.parse(
      execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: root, encoding: 'utf8' }),
    ) as [{ files: { path: string }[] }];
    const shipped = new Set(pack.files.map((file) => file.path));
    const maps = [...shipped].filter((path) => path.endsWith('.js.map'));
    expect(maps.length).toBeGreaterThan(10);
    const missing = maps.flatMap((map) => {
      const { sources } = JSON.parse(readFileSync(join(root, map), 'utf8')) as { sources: string[] };
      return sources.map((source) => posix.normalize(posix.join(dirname(map), source))).filter((source) => !shipped.has(source));
    });
    expect(missing).toEqual([]);
  });
});
