/**
 * `sidewinder sensitivity`: the signal window's significance against the injected signal, per method
 * and ε_B (lib/scan/sensitivity.ts): one scan per (level, run), cached and resumable, then
 * sensitivity.json, a report page and a table.
 */
import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { ConfigError } from '../../lib/util/errors.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { configurationNotes } from '../../lib/scan/configNotes.js';
import { parseLevels, planSensitivity, runSensitivity, writeSensitivity, type SensitivitySource } from '../../lib/scan/sensitivity.js';
import { formatSensitivityTable, writeSensitivityReport } from '../../lib/report/sensitivity.js';
import { consoleReporter } from '../reporter.js';
import { reporterMode, scanConfigFromOptions, type ScanCliOptions } from './scan.js';
import { addEngineOption, checkEngine, submitStudy, type ClusterCliOptions } from './submit.js';
import { sayOnInterrupt } from './interrupt.js';

interface SensitivityCliOptions {
  signal: string;
  runs: string;
  preset: string;
  config?: string;
  backgroundFile?: string;
  signalFile?: string;
  key?: string;
  template?: string;
  control?: string | boolean;
  windows?: string;
  windowsFile?: string;
  methods?: string;
  features?: string;
  ensemble?: string;
  seed?: string;
  epsilonB?: string;
  out: string;
  cache?: string;
  report: boolean;
  quiet?: boolean;
  log?: boolean;
  verbose?: boolean;
}

const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

/** The levels of --signal: integers ≥ 0 (checked again, with duplicates, by the sweep). */
export function parseSignalLevels(v: string): number[] {
  return list(v).map((t) => {
    const n = Number(t);
    if (!Number.isInteger(n) || n < 0) throw new ConfigError(`--signal: "${t}" is not an event count (an integer ≥ 0); give e.g. 0,300,1000`);
    return n;
  });
}

export function register(program: Command): void {
  addEngineOption(program
    .command('sensitivity')
    .description('significance of the signal window vs injected signal (and S/B, S/√B) per method and ε_B, with the signal needed for 3σ / 5σ and max SIC: one cached, resumable scan per (level, run)')
    .requiredOption('--signal <levels>', 'injected signal events, comma-separated, e.g. 0,100,200,300,500,750,1000,1500')
    .option('--runs <n>', 'runs per level (run r moves every seed by 1000·r)', '3')
    .option('--preset <name>', 'scan preset every variant starts from: default | paper | ci', 'default')
    .option('--config <file>', 'a scan configuration (JSON) instead of a preset')
    .option('--background-file <file>', 'background events (comma-separated files are concatenated) instead of generated data; needs --signal-file')
    .option('--signal-file <file>', 'signal events injected into --background-file, drawn without replacement per level and run')
    .option('--key <key>', 'HDF5 object key of the background and signal files')
    .option('--template <file>', 'IAD background template (background-only events in the SR)')
    .option('--control <file>', 'signal-free control sample for MC-based δsys')
    .option('--no-control', 'no control sample (δsys from the config)')
    .option('--windows <ids>', 'window ids to scan, e.g. 4,5,6 (the signal window must be among them)')
    .option('--windows-file <file>', 'windows file (JSON; `sidewinder windows` writes one) instead of the nine LHCO windows')
    .option('--methods <list>', 'methods of the registry, comma-separated (default: all)')
    .option('--features <set>', 'baseline | deltaR | extended')
    .option('--ensemble <n>', 'classifiers averaged per fold')
    .option('--seed <n>', 'root seed of run 0')
    .option('--epsilon-b <list>', 'working points ε_B, e.g. 1e-2,1e-3')
    .option('-o, --out <dir>', 'output directory (sensitivity.json, report/, variants/, one cache)', 'out/sensitivity')
    .option('--cache <dir>', 'task cache (default: <out>/cache)')
    .option('--no-report', 'write sensitivity.json only')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .option('--verbose', 'also debug lines'))
    .addHelpText('after', `
Generated data use the preset's generator with its signal set to each level; within a run every other
seed is the same at every level, run r moves them all by 1000·r. The quoted window is the one whose
centre is nearest the W′ mass (3.5 TeV: window 5), or, for --signal-file, the scanned window holding
most of the file's events. A killed sweep resumes: rerun the same command. With --engine slurm|condor
every scan's tasks go to the batch system as one study plan (<out>/plan.json; tasks shared by several
scans, or already in the cache, run once); its merge job writes sensitivity.json and the report.

Examples:
  $ sidewinder sensitivity --preset ci --windows 5 --signal 0,300,1000 --runs 3 -o out/sens-ci
  $ sidewinder sensitivity --signal 0,100,200,300,500,750,1000,1500 --runs 5 --epsilon-b 1e-2,1e-3
  $ sidewinder sensitivity --background-file bkg.h5 --signal-file sig.h5 --template bkg-sr.h5 \\
      --no-control --windows 4,5,6 --methods iad,cathode --signal 0,500,1000 --runs 3
  $ sidewinder sensitivity --signal 0,300,1000 --runs 10 --engine slurm --partition short -o /shared/sens
  $ sidewinder status -o /shared/sens           # then, if the merge job failed: sidewinder merge -o /shared/sens`)
    .action(async (o: SensitivityCliOptions & ClusterCliOptions & { engine: string; dryRun?: boolean }) => {
      const engine = checkEngine(o.engine, { dryRun: o.dryRun });
      const levels = parseLevels(parseSignalLevels(o.signal));
      const runs = Number(o.runs);
      if (!Number.isInteger(runs) || runs < 1) throw new ConfigError(`--runs: expected an integer ≥ 1, got "${o.runs}"`);
      if ((o.backgroundFile === undefined) !== (o.signalFile === undefined))
        throw new ConfigError(o.backgroundFile ? '--background-file needs --signal-file (the events to inject)' : '--signal-file needs --background-file (the events to inject into)');
      const scanOptions: ScanCliOptions = {
        preset: o.preset, config: o.config, template: o.template, control: o.control, windows: o.windows, windowsFile: o.windowsFile, methods: o.methods,
        features: o.features, ensemble: o.ensemble, seed: o.seed, epsilonB: o.epsilonB, out: o.out,
        ...(o.backgroundFile ? { data: o.backgroundFile, key: o.key } : {}),
      };
      const base = scanConfigFromOptions(scanOptions);
      const source: SensitivitySource = o.backgroundFile
        ? { kind: 'files', backgroundFiles: list(o.backgroundFile).map((f) => resolve(f)), signalFile: resolve(o.signalFile!), ...(o.key ? { key: o.key } : {}) }
        : { kind: 'generated' };
      const reporter = consoleReporter(reporterMode(o), { verbose: o.verbose });
      for (const n of configurationNotes(base)) reporter.log('warn', n);
      if (engine !== 'local') {
        const outDir = resolve(o.out), cacheDir = o.cache ? resolve(o.cache) : undefined;
        await submitStudy(engine, outDir, cacheDir ?? join(outDir, 'cache'), o, reporter,
          () => planSensitivity({ base, levels, runs, source, outDir, cacheDir, reporter }));
        return;
      }
      const lock = claimOutDir(o.out, { stage: 'sensitivity', reporter });
      const stopSaying = sayOnInterrupt(o.cache ?? join(o.out, 'cache'), () => reporter.stop());
      try {
        const t0 = Date.now();
        const doc = await runSensitivity({
          base, levels, runs, source, outDir: resolve(o.out), cacheDir: o.cache ? resolve(o.cache) : undefined, reporter,
          onVariant: (i, n, id, reused) => reporter.log('info', `${id}: ${reused ? 'reused' : 'done'} (${i + 1}/${n}, ${((Date.now() - t0) / 60000).toFixed(1)} min)`),
        });
        // variants/ and injected/ stay (a rerun resumes from them); the previous summary and report move aside.
        lock.clearPrevious();
        const path = await writeSensitivity(doc, resolve(o.out));
        reporter.stop();
        console.log(formatSensitivityTable(doc));
        if (o.report) {
          const r = await writeSensitivityReport(doc, join(o.out, 'report'));
          console.log(`\nreport:  ${resolve(r.html)}`);
        }
        console.log(`results: ${path}`);
      } finally {
        stopSaying();
        reporter.stop();
        lock.release();
      }
    });
}
