/**
 * `sidewinder search`: the supervised resonance search on weighted simulation (seed 004): square cuts,
 * weighted fits and Wilks significance, a classifier selection on top, and the mass-sculpting study.
 * `--preset llj` without `--data` generates the ATLAS-style ℓℓJ samples into `<out>/samples/` (reused when
 * the seed and sizes match) and reads them back through the CSV reader, like the course's files.
 */
import type { Command } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { ConfigError, InputError } from '../../lib/util/errors.js';
import { writeFileAtomic } from '../../lib/util/atomicWrite.js';
import { readJsonFile } from '../../lib/util/json.js';
import { claimOutDir } from '../../lib/scan/outDir.js';
import { consoleReporter } from '../reporter.js';
import { readEvents, writeEvents } from '../../lib/data/io/index.js';
import { LLJ_DEFAULTS } from '../../lib/data/generate/llj.js';
import { checkSearchConfig, lljSamples, parseSearchConfig, SEARCH_PRESETS, type SearchConfig, type TrainingSample } from '../../lib/search/config.js';
import { processSample, type ProcessSample } from '../../lib/search/samples.js';
import { runSearch } from '../../lib/search/run.js';
import { validateSearchResults } from '../../lib/search/results.js';
import { formatSearchTable, writeSearchReport } from '../../lib/report/search.js';
import { runGenerateLlj } from './generate.js';

interface SearchCliOptions {
  preset?: string;
  config?: string;
  data?: string;
  out: string;
  seeds?: string;
  trainingSample?: string;
  scoreCut?: string;
  generateSeed: string;
  quiet?: boolean;
}


/** Generate the ℓℓJ samples into `dir` unless a manifest there says they were made with this seed. */
async function ensureLljSamples(dir: string, seed: number, say: (m: string) => void): Promise<void> {
  const manifest = join(dir, 'manifest.json');
  const want = JSON.stringify({ generator: 'llj', seed, entries: LLJ_DEFAULTS.entries });
  if (existsSync(manifest) && readFileSync(manifest, 'utf8') === want && lljSamples(dir).every((s) => existsSync(s.path))) {
    say(`using the generated samples in ${dir} (seed ${seed})`);
    return;
  }
  await runGenerateLlj({ seed, out: dir }, writeEvents, say);
  await writeFileAtomic(manifest, want);
}

/** Resolve the configuration from --config / --preset / --data. */
export function resolveSearchConfig(o: Pick<SearchCliOptions, 'preset' | 'config' | 'data' | 'seeds' | 'trainingSample' | 'scoreCut'>, samplesDir: string): SearchConfig {
  let cfg: SearchConfig;
  if (o.config) {
    const doc = readJsonFile(o.config, 'search configuration', ConfigError);
    const withPreset = o.preset && typeof doc === 'object' && doc !== null && !('preset' in doc) ? { preset: o.preset, ...doc } : doc;
    const base = dirname(resolve(o.config));
    const hasSamples = typeof doc === 'object' && doc !== null && 'samples' in doc;
    cfg = parseSearchConfig(hasSamples ? withPreset : { ...(withPreset as object), samples: lljSamples(o.data ?? samplesDir) }, o.config);
    cfg = { ...cfg, samples: cfg.samples.map((s) => ({ ...s, path: isAbsolute(s.path) ? s.path : resolve(base, s.path) })) };
  } else {
    const name = o.preset ?? 'llj';
    const p = SEARCH_PRESETS[name];
    if (!p) throw new ConfigError(`--preset: unknown preset "${name}"; known: ${Object.keys(SEARCH_PRESETS).join(', ')}`);
    cfg = checkSearchConfig({ ...p, samples: lljSamples(o.data ?? samplesDir) }, `preset ${name}`);
  }
  if (o.seeds && cfg.classifier) {
    const seeds = o.seeds.split(',').map((t) => Number(t.trim()));
    if (!seeds.every((s) => Number.isInteger(s) && s >= 0)) throw new ConfigError(`--seeds: expected comma-separated non-negative integers, got "${o.seeds}"`);
    cfg = { ...cfg, classifier: { ...cfg.classifier, seeds } };
  }
  if (o.trainingSample && cfg.classifier) {
    const choices = ['before-cuts', 'after-cuts', 'loose-cuts'];
    if (!choices.includes(o.trainingSample)) throw new ConfigError(`--training-sample: expected one of ${choices.join(', ')}, got "${o.trainingSample}"`);
    cfg = { ...cfg, classifier: { ...cfg.classifier, trainingSample: o.trainingSample as TrainingSample } };
  }
  if (o.scoreCut && cfg.classifier) {
    const c = Number(o.scoreCut);
    if (!(c >= 0 && c <= 1)) throw new ConfigError(`--score-cut: expected a number in [0, 1], got "${o.scoreCut}"`);
    cfg = { ...cfg, classifier: { ...cfg.classifier, scoreCut: c } };
  }
  return cfg;
}

export function register(program: Command): void {
  program
    .command('search')
    .description('supervised resonance search on weighted simulation: square cuts, weighted χ²/Poisson fits with Wilks Z, a classifier selection on top, and the mass-sculpting study (seed 004)')
    .option('--preset <name>', 'configuration preset: llj (ATLAS-style H → Z(ℓℓ)V(qq), 1 TeV)')
    .option('--config <file>', 'search config JSON (data-schemas/search-config.schema.json); may name "preset"')
    .option('--data <dir>', 'directory with signal.csv, zjets.csv, ttbar.csv, diboson.csv (when the config lists no samples); default: generate them')
    .option('-o, --out <dir>', 'output directory (search-results.json, report/, generated samples/)', 'search-out')
    .option('--seeds <list>', 'classifier training seeds, e.g. 1,2,3')
    .option('--training-sample <which>', 'classifier training entries: before-cuts | after-cuts | loose-cuts (overrides the config)')
    .option('--score-cut <s>', 'keep events with classifier score ≥ s on top of the square cuts (overrides the config)')
    .option('--generate-seed <n>', 'seed of the generated samples', '1')
    .option('--quiet', 'only warnings')
    .action(async (o: SearchCliOptions) => {
      const t0 = performance.now();
      const say = (m: string) => { if (!o.quiet) console.error(m); };
      if (!o.preset && !o.config) throw new ConfigError('search: give --preset llj or --config <file>');
      const out = resolve(o.out);
      const samplesDir = join(out, 'samples');
      const cfg = resolveSearchConfig(o, samplesDir);
      const reporter = consoleReporter(o.quiet ? 'quiet' : undefined);
      // One writer per --out; the previous run's results and report are moved aside before the first write.
      const lock = claimOutDir(out, { stage: 'search', reporter });
      try {
        const usesGenerated = cfg.samples.every((s) => resolve(s.path).startsWith(samplesDir));
        if (usesGenerated) {
          const seed = Number(o.generateSeed);
          if (!(Number.isInteger(seed) && seed >= 0)) throw new ConfigError(`--generate-seed: expected a non-negative integer, got "${o.generateSeed}"`);
          await ensureLljSamples(samplesDir, seed, say);
        }
        const samples: ProcessSample[] = [];
        for (const s of cfg.samples) {
          if (!existsSync(s.path)) throw new InputError(`${s.path}: sample "${s.name}" not found`);
          samples.push(processSample(s.name, await readEvents(s.path), cfg, s.path));
        }
        say(`read ${samples.length} samples in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
        const results = await runSearch(samples, cfg, reporter);
        results.timings.total = (performance.now() - t0) / 1000;
        validateSearchResults(results, 'search results');
        lock.clearPrevious();
        const jsonPath = join(out, 'search-results.json');
        await writeFileAtomic(jsonPath, JSON.stringify(results, null, 1));
        const report = await writeSearchReport(results, join(out, 'report'));
        results.timings.total = (performance.now() - t0) / 1000;
        reporter.stop();
        console.log(formatSearchTable(results));
        console.log(`results: ${jsonPath}\nreport:  ${report.html}\n(${results.timings.total.toFixed(1)} s)`);
      } finally {
        reporter.stop(); // idempotent: erases nothing the second time
        lock.release();
      }
    });
}
