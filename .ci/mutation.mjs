// `npm run test:mutation [-- --force] [-- group ...]`: Stryker once per group of stryker.config.mjs, then one table of
// the scores. Exits non-zero when a group scores below its `break` (Stryker's own exit code) or a run fails.
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { groups } from '../stryker.config.mjs';

const args = process.argv.slice(2);
const force = args.includes('--force');
const wanted = args.filter((arg) => !arg.startsWith('--'));
const unknown = wanted.filter((name) => !groups.some((g) => g.name === name));
if (unknown.length > 0) {
  console.error(`Unknown mutation group(s): ${unknown.join(', ')}; groups: ${groups.map((g) => g.name).join(', ')}`);
  process.exit(2);
}

const rows = [];
let failed = false;
for (const group of groups.filter((g) => wanted.length === 0 || wanted.includes(g.name))) {
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', ...(force ? ['--force'] : [])], {
    stdio: 'inherit',
    env: { ...process.env, MUTATION_GROUP: group.name },
  });
  const seconds = Math.round((Date.now() - started) / 1000);
  if (run.status !== 0) failed = true;
  trimIncrementalFile(group.name);
  rows.push({ group: group.name, ...score(group.name), break: group.break, seconds, exit: run.status });
}
console.table(rows);
process.exit(failed ? 1 : 0);

/**
 * A killed mutant's `statusReason` is the failing assertion's whole message: megabytes for a test that prints a large
 * value, and nothing the incremental run reads (it decides from the code, the tests and the status). Kept short, so
 * the committed file stays small.
 */
function trimIncrementalFile(name) {
  const path = `.stryker/${name}.json`;
  let report;
  try {
    report = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return;
  }
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) {
      if (typeof mutant.statusReason === 'string' && mutant.statusReason.length > 200) {
        mutant.statusReason = `${mutant.statusReason.slice(0, 200)}…`;
      }
    }
  }
  writeFileSync(path, JSON.stringify(report));
}

/** Stryker's mutation score: (killed + timeout) ÷ (everything but ignored and compile errors). */
function score(name) {
  let report;
  try {
    report = JSON.parse(readFileSync(`reports/mutation/${name}.json`, 'utf8'));
  } catch {
    return { mutants: 0, killed: 0, survived: 0, noCoverage: 0, score: 'no report' };
  }
  const counts = { Killed: 0, Timeout: 0, Survived: 0, NoCoverage: 0 };
  for (const file of Object.values(report.files)) {
    for (const mutant of file.mutants) if (mutant.status in counts) counts[mutant.status]++;
  }
  const valid = counts.Killed + counts.Timeout + counts.Survived + counts.NoCoverage;
  return {
    mutants: valid,
    killed: counts.Killed + counts.Timeout,
    survived: counts.Survived,
    noCoverage: counts.NoCoverage,
    score: valid === 0 ? '-' : `${(((counts.Killed + counts.Timeout) / valid) * 100).toFixed(2)}%`,
  };
}
