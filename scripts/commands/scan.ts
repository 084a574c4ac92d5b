import type { Command } from 'commander';
import { join, resolve } from 'node:path';
import { runScan } from '../../lib/scan/scan.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { presetConfig } from '../../lib/scan/presets.js';
import { validateScanConfig, type ScanConfig, type MethodName } from '../../lib/scan/config.js';
import { readJsonFile } from '../../lib/util/json.js';
import { ConfigError } from '../../lib/util/errors.js';
import { writeReport } from '../../lib/report/index.js';
import { consoleReporter, reporterMode } from '../reporter.js';
import { printScanTable } from './scanTable.js';

export interface ScanCliOptions {
  preset: string;
  config?: string;
  data?: string;
  key?: string;
  template?: string;
  control?: string | boolean;
  signal?: string;
  background?: string;
  windows?: string;
  methods?: string;
  features?: string;
  generator?: string;
  classifier?: string;
  onnx?: string;
  folds?: string;
  ensemble?: string;
  runs?: string;
  seed?: string;
  epsilonB?: string;
  dsysUncertainty?: string;
  dropInvalid?: boolean;
  out: string;
  cache?: string;
  quiet?: boolean;
  log?: boolean;
  verbose?: boolean;
}

const int = (v: string, what: string): number => {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new ConfigError(`--${what}: expected an integer, got "${v}"`);
  return n;
};
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);
const numbers = (v: string, what: string): number[] =>
  list(v).map((t) => {
    const n = Number(t);
    if (!Number.isFinite(n)) throw new ConfigError(`--${what}: "${t}" is not a number`);
    return n;
  });

/** Where each overridable config field comes from on the command line (for error messages). */
const OPTION_OF: Readonly<Record<string, string>> = Object.freeze({
  '/dataset/paths': '--data', '/dataset/key': '--key', '/template/paths': '--template', '/control/paths': '--control',
  '/dataset/generate/signal': '--signal', '/dataset/generate/background': '--background', '/windows/ids': '--windows',
  '/methods': '--methods', '/features': '--features', '/cathode/generator': '--generator', '/classifier/kind': '--classifier',
  '/classifier/onnxPath': '--onnx', '/folds': '--folds', '/ensemble': '--ensemble', '/runs': '--runs', '/seed': '--seed', '/epsilonB': '--epsilon-b',
  '/deltaSys/uncertainty': '--dsys-uncertainty',
});

/**
 * Preset (or config file), then command-line overrides, validated completely (schema and
 * cross-field checks) before any data are read; errors name the option or the file.
 */
export function scanConfigFromOptions(o: ScanCliOptions): ScanConfig {
  const source = o.config ?? `preset "${o.preset}"`;
  const cfg: ScanConfig = o.config ? validateScanConfig(readJsonFile(o.config, 'scan configuration', ConfigError), o.config) : presetConfig(o.preset);
  if (o.key !== undefined && !o.data) throw new ConfigError('--key names the HDF5 object of --data; give --data as well (a config file sets dataset.key itself)');
  if (o.data) cfg.dataset = { paths: list(o.data).map((f) => resolve(f)), key: o.key };
  if (o.template) cfg.template = { paths: list(o.template).map((f) => resolve(f)) };
  if (o.control === false) delete cfg.control;
  else if (typeof o.control === 'string') cfg.control = { paths: list(o.control).map((f) => resolve(f)) };
  if (o.signal !== undefined) {
    if (!cfg.dataset.generate) throw new ConfigError('--signal sets the injected signal of the generated dataset; it cannot be used with --data');
    cfg.dataset.generate.signal = int(o.signal, 'signal');
  }
  if (o.background !== undefined) {
    if (!cfg.dataset.generate) throw new ConfigError('--background applies to the generated dataset; it cannot be used with --data');
    // The injected signal is a count, not a fraction: silently keeping it would change S/B.
    if (o.signal === undefined)
      throw new ConfigError(
        `--background ${o.background} without --signal would keep the ${cfg.dataset.generate.signal} signal events of ${source}; ` +
          'give --signal <n> as well (0 for a background-only scan)',
      );
    cfg.dataset.generate.background = int(o.background, 'background');
  }
  if (o.windows) cfg.windows.ids = list(o.windows).map((v) => int(v, 'windows'));
  if (o.methods) cfg.methods = list(o.methods) as MethodName[];
  if (o.features) cfg.features = o.features;
  if (o.generator) {
    if (o.generator !== 'flow' && o.generator !== 'gan') throw new ConfigError(`--generator: expected "flow" or "gan", got "${o.generator}"`);
    cfg.cathode = { ...cfg.cathode, generator: o.generator };
  }
  if (o.classifier === 'onnx' && !o.onnx) throw new ConfigError('--classifier onnx needs --onnx <file> (the ONNX classifier to score with)');
  if (o.onnx && o.classifier && o.classifier !== 'onnx') throw new ConfigError(`--onnx scores with an ONNX classifier; it contradicts --classifier ${o.classifier}`);
  if (o.classifier === 'gbdt') o.classifier = 'hgb';
  if (o.classifier) cfg.classifier = { kind: o.classifier as ScanConfig['classifier']['kind'], options: o.classifier === cfg.classifier.kind ? cfg.classifier.options : {} };
  if (o.onnx) cfg.classifier = { kind: 'onnx', options: {}, onnxPath: resolve(o.onnx) };
  if (o.folds) cfg.folds = int(o.folds, 'folds');
  if (o.ensemble) cfg.ensemble = int(o.ensemble, 'ensemble');
  if (o.runs) cfg.runs = int(o.runs, 'runs');
  if (o.seed) cfg.seed = int(o.seed, 'seed');
  if (o.epsilonB) cfg.epsilonB = numbers(o.epsilonB, 'epsilon-b');
  // The schema names the valid modes if this one is not.
  if (o.dsysUncertainty) cfg.deltaSys = { ...cfg.deltaSys, uncertainty: o.dsysUncertainty as 'auto' | 'anchor' | 'residual' };
  if (o.dropInvalid) for (const spec of [cfg.dataset, cfg.template, cfg.control]) if (spec) spec.dropInvalid = true;
  const given = Object.entries(OPTION_OF).filter(([, opt]) => {
    const key = opt.slice(2).replace(/-(\w)/g, (_, c: string) => c.toUpperCase()) as keyof ScanCliOptions;
    return o[key] !== undefined && o[key] !== false;
  });
  return validateScanConfig(cfg, source, Object.fromEntries(given));
}

/** The --drop-invalid counts per sample, one line (nothing without --drop-invalid). */
export function printDropped(dropped: Record<string, number> | undefined): void {
  if (dropped) console.log(`invalid events dropped (--drop-invalid): ${Object.entries(dropped).map(([role, n]) => `${role} ${n}`).join(', ')}`);
}

export { reporterMode } from '../reporter.js';

/** The options that choose a scan's configuration (shared by `scan` and `submit`). */
export function addScanOptions(command: Command): Command {
  return command
    .option('--preset <name>', 'default | paper | ci', 'default')
    .option('--config <file>', 'a scan configuration (JSON, data-schemas/scan-config.schema.json) instead of a preset')
    .option('--data <file>', 'analyse this file, or comma-separated files concatenated (LHCO HDF5/Parquet/Arrow/CSV, or LHCO-SR .npy), instead of generated data')
    .option('--key <key>', 'HDF5 object key of --data')
    .option('--template <file>', 'IAD background template (background-only events in the SR)')
    .option('--control <file>', 'signal-free control sample for MC-based δsys and look-elsewhere toys')
    .option('--no-control', 'no control sample (δsys from the config, Šidák bound only)')
    .option('--signal <n>', 'signal events injected into the generated dataset (0 for a background-only scan)')
    .option('--background <n>', 'background events of the generated dataset (give --signal too: the signal is a count, not a fraction)')
    .option('--windows <ids>', 'a subset of the window ids of the windows file, 1–9 for the nine LHCO windows (3.1–3.9 TeV), e.g. 4,5,6')
    .option('--methods <list>', 'iad, cwola, cathode, comma-separated (default: all three)')
    .option('--features <set>', 'baseline | deltaR | extended')
    .option('--generator <kind>', 'CATHODE template generator: flow (conditional MAF) | gan (conditional GAN)')
    .option('--classifier <kind>', 'hgb (boosted trees; gbdt is read as hgb) | mlp | cart (onnx: use --onnx)')
    .option('--onnx <file>', 'score with an external ONNX binary classifier')
    .option('--folds <k>', 'k of the k-fold cross-fitting')
    .option('--ensemble <n>', 'classifiers averaged per fold')
    .option('--runs <n>', 'independent runs (different seeds)')
    .option('--seed <n>', 'root seed')
    .option('--epsilon-b <list>', 'working points: background efficiencies ε_B in (0, 1), each once, e.g. 1e-2,1e-3,1e-4')
    .option('--dsys-uncertainty <mode>', 'how σ_sys covers a measured δsys: auto (default: residual if the control models the data) | anchor (δsys² + σ_δ², the paper\'s) | residual (σ_δ² + the windows\' bias spread²)')

    .option('--drop-invalid', 'drop events with non-finite or unphysical values (counted, printed and stored in results.json) instead of refusing the file');
}

/** `sidewinder scan`: the nine-window bump hunt. */
export function register(program: Command): void {
  addScanOptions(program
    .command('scan')
    .description('run IAD, CWoLa Hunting and CATHODE over the sliding m_JJ windows and write results.json'))
    .option('-o, --out <dir>', 'output directory', 'out/scan')
    .option('--cache <dir>', 'task cache (default: <out>/cache)')
    .option('--no-report', 'write results.json only, not the HTML report (it takes 15–40 s; `sidewinder report` draws it later)')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .option('--verbose', 'also debug lines (epochs, tasks)')
    .addHelpText('after', `
Examples:
  $ sidewinder scan --preset ci --windows 5 -o out/ci            # a small scan of window 5 (minutes)
  $ sidewinder scan --data events.h5 --template bkg-sr.h5 --methods iad,cathode --epsilon-b 1e-2,1e-3
  $ sidewinder scan --config my-scan.json --no-report            # results.json only; then: sidewinder report
  $ sidewinder scan --signal 0 --seed 7 -o out/null              # background-only scan of generated data`)
    .action(async (o: ScanCliOptions & { report: boolean }) => {
      const cfg = scanConfigFromOptions(o);
      const reporter = consoleReporter(reporterMode(o), { verbose: o.verbose });
      // One writer per --out, held across the scan and its report (see claimOutDir).
      const lock = claimOutDir(o.out, { stage: 'run', reporter });
      try {
        const out = await runScan(cfg, { outDir: o.out, cacheDir: o.cache ?? `${o.out}/cache`, reporter, lock });
        reporter.stop();
        printScanTable(out.results);
        console.log(`\n${out.computed} tasks computed, ${out.cached} from the cache`);
        printDropped(out.results.dataset.droppedInvalid);
        if (o.report) {
          const report = await writeReport(out.results, join(o.out, 'report'), { reporter });
          reporter.stop(); // erase the plots bar before the paths are printed
          console.log(`report:  ${resolve(report.htmlPath)}`);
        }
        console.log(`results: ${resolve(out.resultsPath)}\nplan:    ${resolve(out.planPath)}`);
      } finally {
        reporter.stop();
        lock.release();
      }
    });
}
