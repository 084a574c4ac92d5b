import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { runLookElsewhere, LEE_FIRST_SEED, leeStudyDir, planLookElsewhere } from '../../lib/scan/lee.js';
import type { ResultsDocument } from '../../lib/scan/results.js';
import { readPlan } from '../../lib/scan/scan.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { writeReport } from '../../lib/report/index.js';
import { ConfigError } from '../../lib/util/errors.js';
import { consoleReporter } from '../reporter.js';
import { reporterMode } from './scan.js';
import { addEngineOption, checkEngine, submitStudy, type ClusterCliOptions } from './submit.js';
import { sayOnInterrupt } from './interrupt.js';

/** The look-elsewhere table of a results document (one line per method and ε_B). */
export function printLeeTable(results: ResultsDocument): void {
  console.log('method     ε_B      local Z  window  global p (pseudo-experiments)  global Z   trials factor');
  for (const l of results.lookElsewhere ?? [])
    console.log(`${l.method.padEnd(9)}  ${String(l.epsilonB).padEnd(7)}  ${l.localZMax.toFixed(2).padStart(7)}  ${String(l.localZMaxWindowId ?? '—').padStart(6)}  ${`${l.globalP.toPrecision(3)} (${l.nExceeding ?? 0}/${l.nPseudoExperiments})`.padEnd(29)}  ${(l.globalZ === null ? `> ${l.globalZLower95?.toFixed(2)}` : l.globalZ.toFixed(2)).padStart(8)}  ${l.trialsFactor?.toFixed(1) ?? '—'}`);
}

/** `sidewinder lee`: the global significance of a finished scan from pseudo-experiments that retrain everything. */
export function register(program: Command): void {
  addEngineOption(program
    .command('lee')
    .description('look-elsewhere correction of a finished scan from background-only pseudo-experiments that repeat the whole scan (retraining); rewrites its results.json and report')
    .option('-o, --out <dir>', 'the scan\'s output directory (plan.json, results.json, cache/)', 'out/scan')
    .option('--toys <n>', 'pseudo-experiments (default: the scan configuration\'s lookElsewhere.pseudoExperiments)')
    .option('--first-seed <n>', 'generator seed of the first pseudo-dataset', String(LEE_FIRST_SEED))
    .option('--cache <dir>', 'the scan\'s task cache (default: <out>/cache); on a cluster, on a filesystem every node sees')
    .option('--no-report', 'results.json only')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars'))
    .addHelpText('after', `
Each pseudo-experiment is the scan again on background-only pseudo-data from the data's generator
(same windows, methods, seeds, template and control; every classifier and flow retrained): as costly
as the scan itself. Resumable: a rerun keeps finished pseudo-experiments, and more can be added.
With --engine slurm|condor the pseudo-experiments' tasks go to the batch system as one study plan
(<out>/lee/plan.json; tasks already in the cache are not sent); its merge job writes the global p.

Examples:
  $ sidewinder scan --preset ci --windows 4,5,6 -o out/ci
  $ sidewinder lee -o out/ci --toys 20          # 20 more small scans; global p in results.json
  $ sidewinder lee -o /shared/default --toys 200 --engine slurm --partition short   # on a cluster
  $ sidewinder status -o /shared/default/lee    # then: sidewinder merge -o /shared/default/lee`)
    .action(async (o: { out: string; toys?: string; firstSeed: string; cache?: string; report: boolean; quiet?: boolean; log?: boolean; engine: string; dryRun?: boolean } & ClusterCliOptions) => {
      const engine = checkEngine(o.engine, { dryRun: o.dryRun });
      const out = resolve(o.out);
      const toys = o.toys === undefined ? readPlan(join(out, 'plan.json')).config.lookElsewhere.pseudoExperiments : Number(o.toys);
      if (!(Number.isInteger(toys) && toys >= 1)) throw new ConfigError(`--toys: expected an integer ≥ 1, got "${o.toys ?? toys}"`);
      const firstSeed = Number(o.firstSeed);
      if (!(Number.isInteger(firstSeed) && firstSeed >= 0)) throw new ConfigError(`--first-seed: expected a non-negative integer, got "${o.firstSeed}"`);
      const cacheDir = o.cache ? resolve(o.cache) : undefined;
      const reporter = consoleReporter(reporterMode(o));
      if (engine !== 'local') {
        await submitStudy(engine, leeStudyDir(out), cacheDir ?? join(out, 'cache'), o, reporter,
          () => planLookElsewhere({ scanDir: out, toys, firstSeed, cacheDir, reporter }));
        return;
      }
      // Writes results.json in place (no previous run moved aside), one writer at a time.
      const lock = claimOutDir(out, { stage: 'continue', reporter });
      const stopSaying = sayOnInterrupt(cacheDir ?? join(out, 'cache'), () => reporter.stop());
      try {
        const r = await runLookElsewhere({ scanDir: out, toys, firstSeed, cacheDir, reporter });
        reporter.stop();
        printLeeTable(r.results);
        if (o.report) {
          const report = await writeReport(r.results, join(out, 'report'), { reporter });
          console.log(`report:  ${resolve(report.htmlPath)}`);
        }
        console.log(`results: ${r.resultsPath}\npseudo-experiments: ${r.summaryPath}`);
      } finally {
        stopSaying();
        reporter.stop();
        lock.release();
      }
    });
}
