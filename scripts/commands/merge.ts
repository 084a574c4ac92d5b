import type { Command } from 'commander';
import { dirname, join, resolve } from 'node:path';
import { loadPlanSamples, mergeScan, readPlan } from '../../lib/scan/scan.js';
import { writeReport } from '../../lib/report/index.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { consoleReporter } from '../reporter.js';
import { reporterMode } from './scan.js';
import { printScanTable } from './scanTable.js';

/** `sidewinder merge`: results.json and the report from a finished plan's cache. */
export function register(program: Command): void {
  program
    .command('merge')
    .description('assemble results.json and the report once every task of a plan is in the cache')
    .option('-o, --out <dir>', 'output directory of the scan', 'out/scan')
    .option('--plan <file>', 'plan.json (default: <out>/plan.json)')
    .option('--cache <dir>', 'task cache (default: <plan dir>/cache)')
    .option('--no-report', 'results.json only')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .action(async (o: { out: string; plan?: string; cache?: string; report: boolean; quiet?: boolean; log?: boolean }) => {
      const planPath = o.plan ?? join(o.out, 'plan.json');
      const plan = readPlan(planPath);
      const cacheDir = o.cache ?? join(dirname(planPath), 'cache');
      const reporter = consoleReporter(reporterMode(o));
      // One writer per --out; a previous results.json and report are moved aside (see claimOutDir).
      const lock = claimOutDir(o.out, { stage: 'merge', reporter });
      try {
        const datasets = await loadPlanSamples(plan, reporter);
        const { results, resultsPath } = await mergeScan(plan, datasets, { cacheDir, outDir: o.out, reporter, lock });
        reporter.stop();
        printScanTable(results);
        if (o.report) {
          const report = await writeReport(results, join(o.out, 'report'), { reporter });
          reporter.stop(); // erase the plots bar before the paths are printed
          console.log(`report:  ${resolve(report.htmlPath)}`);
        }
        console.log(`results: ${resolve(resultsPath)}`);
      } finally {
        reporter.stop();
        lock.release();
      }
    });
}
