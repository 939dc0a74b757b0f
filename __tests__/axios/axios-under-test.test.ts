import axios from 'axios';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

// CI runs the unit suites a second time at the peer range's floor (.ci/run sets AXIOS_UNDER_TEST): prove the
// override reached every import, or that run would silently test the dev copy twice.
describe('the axios under test', () => {
  const dir = process.env.AXIOS_UNDER_TEST ?? join(__dirname, '../../node_modules/axios');
  const expected = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version: string }).version;

  it('is the copy AXIOS_UNDER_TEST names (or the dev dependency)', () => {
    expect(axios.VERSION).toBe(expected);
  });
});
