import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { writeFileAtomic } from '../../lib/util/atomicWrite.js';
import { ConfigError } from '../../lib/util/errors.js';
import { METHOD_LABELS } from '../../lib/scan/results.js';
import { consoleReporter } from '../reporter.js';
import { printDropped, reporterMode, scanConfigFromOptions, type ScanCliOptions } from './scan.js';
import { sayOnInterrupt } from './interrupt.js';

/**
 * `sidewinder dsys`: the systematic shift δsys per method and ε_B — MC-based from the signal-free
 * control sample (the alternative background model) and, for CATHODE, data-driven from the
 * sideband closure, combined in quadrature. Shares its task cache with `scan`.
 */
export function register(program: Command): void {
  program
    .command('dsys')
    .description('measure δsys per method and ε_B: MC-based on the control sample, data-driven sideband closure for CATHODE')
    .option('--preset <name>', 'default | paper | ci', 'default')
    .option('--config <file>', 'a scan configuration instead of a preset')
    .option('--data <file>', 'data file (for the data-driven CATHODE closure)')
    .option('--control <file>', 'signal-free control sample (default: generated with the alternative background model)')
    .option('--windows <ids>', 'a subset of the window ids of the windows file, 1–9 for the nine LHCO windows, e.g. 4,5,6')
    .option('--windows-file <file>', 'windows file (JSON; `sidewinder windows` writes one) instead of the nine LHCO windows')
    .option('--methods <list>', 'methods, default cwola,cathode')
    .option('--features <set>', 'baseline | deltaR | extended')
    .option('--runs <n>', 'independent runs')
    .option('--seed <n>', 'root seed')
    .option('--epsilon-b <list>', 'working points ε_B in (0, 1), each once, e.g. 1e-2,1e-3')
    .option('--no-data-driven', 'MC-based only')
    .option('--drop-invalid', 'drop events with non-finite or unphysical values (counted and printed) instead of refusing the file')
    .option('-o, --out <dir>', 'output directory', 'out/dsys')
    .option('--cache <dir>', 'task cache (default: <out>/cache)')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .option('--verbose', 'also debug lines')
    .action(async (o: ScanCliOptions & { dataDriven: boolean }) => {
      const cfg = scanConfigFromOptions({ ...o, methods: o.methods ?? 'cwola,cathode' });
      if (!cfg.control) throw new ConfigError('dsys: the configuration has no control sample; give --control <file>');
      cfg.deltaSys = { dataDriven: o.dataDriven && cfg.methods.includes('cathode') };
      cfg.lookElsewhere = { pseudoExperiments: 0 };
      const reporter = consoleReporter(reporterMode(o), { verbose: o.verbose });
      const lock = claimOutDir(o.out, { stage: 'run', reporter });
      const cacheDir = o.cache ?? join(o.out, 'cache');
      const stopSaying = sayOnInterrupt(cacheDir, () => reporter.stop());
      try {
        const out = await runScan(cfg, { outDir: o.out, cacheDir, reporter, lock });
        reporter.stop();
        const studies = out.results.deltaSys ?? [];
        // δsys ± its counting error; "n.s." when |δsys| ≤ error (compatible with zero: not applied to N_exp).
        console.log('method    source        ε_B      δsys ± stat. error      spread   per window');
        for (const s of studies)
          console.log(
            `${METHOD_LABELS[s.method].padEnd(9)} ${s.source.padEnd(12)} ${s.epsilonB.toExponential(0).padStart(6)}  ${s.mean.toFixed(3).padStart(7)} ± ${(s.statError ?? NaN).toFixed(3)}${s.significant === false ? ' n.s.' : '     '}  ${s.std.toFixed(3).padStart(7)}   ` +
              s.perWindow.map((w) => `${w.windowId}:${w.value.toFixed(2)}`).join(' '),
          );
        printDropped(out.results.dataset.droppedInvalid);
        const path = join(o.out, 'dsys.json');
        await writeFileAtomic(path, JSON.stringify({ schema: 'sidewinder/dsys', version: 1, config: cfg, dataset: out.results.dataset, deltaSys: studies }, null, 1));
        console.log(`δsys study: ${resolve(path)}\nresults:    ${resolve(out.resultsPath)}`);
      } finally {
        stopSaying();
        reporter.stop();
        lock.release();
      }
    });
}
