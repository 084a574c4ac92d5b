import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { presetConfig, SCAN_PRESETS } from '../../lib/scan/presets.js';
import type { WindowSummary } from '../../lib/scan/summary.js';
import { writeReport } from '../../lib/report/index.js';
import { consoleReporter } from '../reporter.js';
import { printScanTable } from './scanTable.js';
import { sayOnInterrupt } from './interrupt.js';
import { reporterMode } from './scan.js';

/** Print the per-window event counts of the analysed data. */
export function printWindowSummary(rows: readonly WindowSummary[]): void {
  console.log('window  SR (TeV)      centre     N_SR      N_SB   N_shortSB  signal in SR   S/B');
  for (const r of rows)
    console.log(
      `${String(r.windowId).padStart(6)}  (${r.srLowTeV.toFixed(1)}, ${r.srHighTeV.toFixed(1)})  ${r.centreTeV.toFixed(1).padStart(6)}  ${String(r.nSR).padStart(7)}  ${String(r.nSB).padStart(8)}  ${String(r.nShortSB).padStart(10)}` +
        (r.nSignalSR !== undefined ? `  ${String(r.nSignalSR).padStart(12)}  ${(100 * (r.signalOverBackgroundSR ?? 0)).toFixed(2)} %` : ''),
    );
}

/** `sidewinder start` (= `npm start`): the default nine-window scan on the embedded generated dataset, then the report. */
export function register(program: Command): void {
  program
    .command('start')
    .description('the default job: generate the LHCO-like dataset, scan the nine windows with IAD, CWoLa and CATHODE, write results and report')
    .option('--preset <name>', `scan preset: ${Object.keys(SCAN_PRESETS).join(' | ')} (ci: a small scan in minutes; paper: days of CPU)`, 'default')
    .option('-o, --out <dir>', 'output directory', 'out/default')
    .option('--cache <dir>', 'task cache (default: <out>/cache); a rerun takes finished tasks from it')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .option('--verbose', 'also debug lines (epochs, tasks)')
    .action(async (o: { preset: string; out: string; cache?: string; quiet?: boolean; log?: boolean; verbose?: boolean }) => {
      const config = presetConfig(o.preset);
      const reporter = consoleReporter(reporterMode(o), { verbose: o.verbose });
      const lock = claimOutDir(o.out, { stage: 'run', reporter });
      const cacheDir = o.cache ?? join(o.out, 'cache');
      const stopSaying = sayOnInterrupt(cacheDir, () => reporter.stop());
      try {
        const out = await runScan(config, {
          outDir: o.out, cacheDir, reporter, lock,
          onWindowSummary: (rows) => {
            reporter.log('info', 'nine-window summary of the generated dataset:');
            reporter.stop(); // the table goes to stdout: no bars below it to redraw
            printWindowSummary(rows);
          },
        });
        reporter.stop();
        printScanTable(out.results);
        console.log(`\n${out.computed} tasks computed, ${out.cached} from the cache`);
        const report = await writeReport(out.results, join(o.out, 'report'), { reporter });
        reporter.stop(); // erase the plots bar before the paths are printed
        console.log(`report:  ${resolve(report.htmlPath)}`);
        console.log(`results: ${resolve(out.resultsPath)}`);
      } finally {
        stopSaying();
        reporter.stop();
        lock.release();
      }
    });
}
