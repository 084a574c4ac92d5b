/**
 * `sidewinder generate`: write an LHCO-like dataset (raw LHCO columns, GeV) and, on request, the
 * independent background restricted to the SR (the IAD template) to `<out>-extra-sr-bkg.<ext>`.
 */
import { InvalidArgumentError, type Command } from 'commander';
import { extname, resolve } from 'node:path';
import { ConfigError } from '../../lib/util/errors.js';
import type { Reporter } from '../../lib/util/reporter.js';
import { consoleReporter, reporterMode } from '../reporter.js';
import type { EventTable } from '../../lib/data/eventTable.js';
import { generateExtraSrBackground, generateLhcoLike, GENERATOR_DEFAULTS } from '../../lib/data/generate/index.js';
import { BACKGROUND_MODELS, type BackgroundModelName } from '../../lib/data/generate/params.js';
import { formatOf, writeEvents } from '../../lib/data/io/index.js';
import { generateLlj, LLJ_DEFAULTS } from '../../lib/data/generate/llj.js';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import type { WritableFormat } from '../../lib/data/io/index.js';

/** Formats accepted by --format ('h5' is short for 'hdf5'). */
export const OUTPUT_FORMATS = ['h5', 'hdf5', 'parquet', 'arrow', 'csv'] as const;
export type OutputFormat = WritableFormat;

/** The event writer (lib/data/io's writeEvents; injectable for tests). */
export type WriteEvents = (table: EventTable, path: string, opts?: { format?: WritableFormat }) => Promise<void>;

/** `events.h5` → `events-extra-sr-bkg.h5`. */
export function extraSrPath(out: string): string {
  const ext = extname(out);
  return ext ? `${out.slice(0, -ext.length)}-extra-sr-bkg${ext}` : `${out}-extra-sr-bkg`;
}

const count = (name: string) => (v: string): number => {
  if (!/^\d+(_\d{3})*$/.test(v.trim())) throw new InvalidArgumentError(`${name} must be a non-negative integer, got "${v}"`);
  return Number(v.replace(/_/g, ''));
};

/** --format (h5 → hdf5), else the format implied by the extension of --out. */
export function resolveFormat(format: string | undefined, out: string): WritableFormat {
  if (format === undefined) {
    const f = formatOf(out);
    if (f === 'npy') throw new ConfigError(`--out ${out}: .npy is read-only; use .h5, .parquet, .arrow or .csv, or pass --format`);
    return f;
  }
  if (!(OUTPUT_FORMATS as readonly string[]).includes(format))
    throw new ConfigError(`--format must be one of ${OUTPUT_FORMATS.join(', ')}, got "${format}"`);
  return format === 'h5' ? 'hdf5' : (format as WritableFormat);
}

/** Arguments of `sidewinder generate` after parsing. */
export interface GenerateArgs {
  background: number; signal: number; seed: number; extraSrBackground: number;
  backgroundModel: BackgroundModelName; out: string; format: OutputFormat;
}

/** Generate and write the main sample and, if requested, the extra SR background (separate file). */
export async function runGenerate(
  a: GenerateArgs, writeEvents: WriteEvents, reporter: Reporter & { stop(): void }, say: (msg: string) => void,
): Promise<{ paths: string[] }> {
  const opts = {
    background: a.background, signal: a.signal, seed: a.seed, backgroundModel: a.backgroundModel,
    extraSrBackground: { n: a.extraSrBackground },
  };
  const t0 = performance.now();
  const events = generateLhcoLike(opts, reporter);
  reporter.stop();
  await writeEvents(events, a.out, { format: a.format });
  say(`wrote ${events.length} events (${a.background} background, ${a.signal} signal, model ${a.backgroundModel}, seed ${a.seed}) to ${a.out}`);
  const paths = [a.out];
  if (a.extraSrBackground > 0) {
    const extra = generateExtraSrBackground(opts, reporter);
    reporter.stop();
    const path = extraSrPath(a.out);
    await writeEvents(extra, path, { format: a.format });
    const w = GENERATOR_DEFAULTS.extraSrBackground;
    say(`wrote ${extra.length} extra background events in ${w.mJJLowTeV} < m_JJ < ${w.mJJHighTeV} TeV to ${path}`);
    paths.push(path);
  }
  say(`done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { paths };
}

/**
 * `--process llj`: the ATLAS-style ℓℓJ samples (seed 004), one CSV per process in `<dir>`
 * (`signal.csv`, `zjets.csv`, `ttbar.csv`, `diboson.csv`), columns in MeV as the course files.
 * `background` entries are shared 150 : 60 : 40 between Z+jets, tt̄ and diboson (the default split).
 */
export async function runGenerateLlj(
  a: { background?: number; signal?: number; seed: number; out: string }, writeEvents: WriteEvents, say: (msg: string) => void,
): Promise<{ paths: string[] }> {
  const d = LLJ_DEFAULTS.entries;
  const nBkg = d.zjets + d.ttbar + d.diboson;
  const entries: Record<string, number> = a.background === undefined ? { ...d } : {
    signal: d.signal,
    zjets: Math.max(1, Math.round((a.background * d.zjets) / nBkg)),
    ttbar: Math.max(1, Math.round((a.background * d.ttbar) / nBkg)),
    diboson: Math.max(1, Math.round((a.background * d.diboson) / nBkg)),
  };
  if (a.signal !== undefined) entries.signal = Math.max(1, a.signal);
  const samples = generateLlj({ seed: a.seed, entries });
  mkdirSync(a.out, { recursive: true });
  const paths: string[] = [];
  for (const [name, table] of samples) {
    const path = join(a.out, `${name}.csv`);
    await writeEvents(table, path, { format: 'csv' });
    let sw = 0;
    const w = table.column('FullEventWeight');
    for (let i = 0; i < w.length; i++) sw += w[i];
    say(`wrote ${table.length} entries of ${name} (Σw = ${sw.toFixed(1)} expected events, seed ${a.seed}) to ${path}`);
    paths.push(path);
  }
  return { paths };
}

export function register(program: Command): void {
  program
    .command('generate')
    .description('generate an LHCO-like dataset (QCD dijets + W′ → X(qq) Y(qq) signal; raw LHCO columns in GeV)')
    .option('--background <n>', 'QCD background events (with --signal: a count, not a fraction)', count('--background'), GENERATOR_DEFAULTS.background)
    .option('--signal <n>', `injected signal events (required with --background; default ${GENERATOR_DEFAULTS.signal} with the default background)`, count('--signal'), GENERATOR_DEFAULTS.signal)
    .option('--seed <s>', 'random seed', count('--seed'), GENERATOR_DEFAULTS.seed)
    .option('--extra-sr-background <n>', 'independent background events in the SR 3.3–3.7 TeV, written to <out>-extra-sr-bkg', count('--extra-sr-background'), 0)
    .option('--background-model <name>', `background shower model: ${Object.keys(BACKGROUND_MODELS).join(' | ')}`, GENERATOR_DEFAULTS.backgroundModel)
    .requiredOption('-o, --out <path>', 'output file (.h5, .parquet, .arrow or .csv)')
    .option('--format <format>', `output format: ${OUTPUT_FORMATS.join(' | ')} (default: from the file extension)`)
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .addHelpText('after', `
Examples:
  $ sidewinder generate -o data/events.h5                                   # 1M background + 1000 signal (S/B 0.1 %)
  $ sidewinder generate --background 100000 --signal 100 --seed 7 -o small.parquet
  $ sidewinder generate --signal 0 --background-model alternative -o control.h5   # signal-free control sample
  $ sidewinder generate --extra-sr-background 400000 -o data/events.h5      # also the IAD template, data/events-extra-sr-bkg.h5
  $ sidewinder generate --process llj --seed 1 -o data/llj                  # H → Z(ℓℓ)V(qq) search samples, one MeV CSV per process`)
    .option('--process <name>', 'lhco (dijets, one file) | llj (ATLAS-style H → Z(ℓℓ)V(qq) samples: --out is a directory, one CSV per process in MeV)', 'lhco')
    .action(async (o: { background: number; signal: number; seed: number; extraSrBackground: number; backgroundModel: string; out: string; format?: string; process: string; quiet?: boolean; log?: boolean }, cmd: Command) => {
      if (o.process === 'llj') {
        const given = (k: string) => cmd.getOptionValueSource(k) !== 'default' && cmd.getOptionValueSource(k) !== undefined;
        // The ℓℓJ samples are MeV CSVs, one per process, with their own shower model: refuse what would be ignored.
        const ignored = ['format', 'extraSrBackground', 'backgroundModel'].filter(given);
        if (ignored.length)
          throw new ConfigError(`--process llj writes one MeV CSV per process with its own background model; ${ignored.map((k) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`).join(', ')} cannot be used with it`);
        await runGenerateLlj({ seed: o.seed, out: o.out, background: given('background') ? o.background : undefined, signal: given('signal') ? o.signal : undefined }, writeEvents, (m) => console.log(m));
        return;
      }
      if (o.process !== 'lhco') throw new ConfigError(`--process must be lhco or llj, got "${o.process}"`);
      if (!(o.backgroundModel in BACKGROUND_MODELS))
        throw new ConfigError(`--background-model must be one of ${Object.keys(BACKGROUND_MODELS).join(', ')}, got "${o.backgroundModel}"`);
      // The signal is a count: with a changed background the default would give another S/B than the user pictures.
      if (cmd.getOptionValueSource('background') === 'cli' && cmd.getOptionValueSource('signal') !== 'cli')
        throw new ConfigError(
          `--background ${o.background} without --signal would keep the default ${GENERATOR_DEFAULTS.signal} signal events ` +
            `(S/B = ${Number((GENERATOR_DEFAULTS.signal / Math.max(o.background, 1)).toPrecision(3))}); give --signal <n> as well (0 for background only)`,
        );
      const format = resolveFormat(o.format, o.out);
      const reporter = consoleReporter(reporterMode(o));
      try {
        await runGenerate({ ...o, out: resolve(o.out), backgroundModel: o.backgroundModel as BackgroundModelName, format }, writeEvents, reporter, (m) => console.log(m));
      } finally {
        reporter.stop();
      }
    });
}
