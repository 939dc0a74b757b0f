/*
 * `npm run bench [-- --quick] [-- --only=storm,scale]`: every subject, every scenario, one process.
 * Prints one markdown table per scenario and writes the raw numbers to bench/results/.
 */
import { readConfig } from './config.js';
import { canCollect } from './harness/runtime.js';
import { installUnhandledCounter } from './harness/unhandled.js';
import { machine, renderTable, writeResults } from './report.js';
import { SCENARIOS } from './scenarios/index.js';
import type { ScenarioReport } from './scenarios/types.js';
import { checkTargets } from './targets.js';

async function main(): Promise<void> {
  const config = readConfig(process.argv.slice(2), process.env);
  installUnhandledCounter();
  const host = machine();
  console.log(`# axios-oauth-lock benchmark${config.quick ? ' (quick)' : ''}\n`);
  console.log(`Node ${host.node}, ${host.nproc} cores, ${host.cpu}${canCollect ? '' : ' — run with node --expose-gc for heap figures'}\n`);
  const started = performance.now();
  const reports: ScenarioReport[] = [];
  for (const scenario of SCENARIOS) {
    if (config.only && !config.only.includes(scenario.id)) continue;
    const t0 = performance.now();
    const report = await scenario.run(config);
    reports.push(report);
    for (const table of report.tables) console.log(renderTable(table));
    console.log(`_(${scenario.id}: ${((performance.now() - t0) / 1000).toFixed(1)} s)_\n`);
  }
  const targets = checkTargets(reports, config.quick);
  console.log(renderTable(targets.table));
  const totalSeconds = (performance.now() - started) / 1000;
  const file = writeResults({
    machine: host,
    config,
    totalSeconds,
    startedAt: new Date().toISOString(),
    targets: targets.raw,
    scenarios: reports,
  });
  console.log(`Raw figures: ${file} (${totalSeconds.toFixed(1)} s in all)`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
