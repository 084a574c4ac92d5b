import type { Command } from 'commander';
import { resolve } from 'node:path';
import { readResults, writeReport, type PlotFormat } from '../../lib/report/index.js';
import { SIGNIFICANCE_KINDS, type SignificanceKind } from '../../lib/scan/results.js';
import { ConfigError } from '../../lib/util/errors.js';
import { consoleReporter, reporterMode } from '../reporter.js';

/** `sidewinder report <results.json> [--out dir]`: validate a results document, write the HTML report and plots. */
export function register(program: Command): void {
  program
    .command('report')
    .description('write a self-contained HTML report with SVG and PNG plots from a results document')
    .argument('<results>', 'results JSON written by `sidewinder scan` (data-schemas/results.schema.json)')
    .option('-o, --out <dir>', 'output directory (default: <results file name>-report beside it)')
    .option('--formats <list>', 'plot files to write beside the HTML: svg,png | svg | png | none', 'svg,png')
    .option('--compare <results>', 'a second results JSON of the same data (e.g. from `scan --generator gan`): CATHODE templates drawn side by side')
    .option('--significance <kind>', `significance shown in the plot and table: ${SIGNIFICANCE_KINDS.join(' | ')}`, 'cowan')
    .option('--quiet', 'no progress output')
    .option('--log', 'plain log lines instead of progress bars')
    .addHelpText('after', `
Examples:
  $ sidewinder report out/scan/results.json                  # HTML + SVG/PNG plots in out/scan/results-report/
  $ sidewinder report out/scan/results.json -o report --formats svg --significance simple
  $ sidewinder report flow/results.json --compare gan/results.json -o compare   # CATHODE flow vs GAN templates`)
    .action(async (resultsPath: string, opts: { out?: string; formats: string; significance: string; compare?: string; quiet?: boolean; log?: boolean }) => {
      if (!SIGNIFICANCE_KINDS.includes(opts.significance as SignificanceKind))
        throw new ConfigError(`--significance: "${opts.significance}" is not one of ${SIGNIFICANCE_KINDS.join(', ')}`);
      const formats = opts.formats === 'none' ? [] : opts.formats.split(',').map((f) => f.trim());
      for (const f of formats) if (f !== 'svg' && f !== 'png') throw new ConfigError(`--formats: "${f}" is not svg or png (use svg,png, svg, png or none)`);
      const results = await readResults(resultsPath);
      const compareWith = opts.compare ? await readResults(opts.compare) : undefined;
      const outDir = resolve(opts.out ?? resultsPath.replace(/\.json$/i, '') + '-report');
      const reporter = consoleReporter(reporterMode(opts));
      let out: Awaited<ReturnType<typeof writeReport>>;
      try {
        // Missing plots (info lines) are listed on stdout at the end.
        out = await writeReport(results, outDir, {
          formats: formats as PlotFormat[],
          statistic: opts.significance as SignificanceKind,
          reporter: { progress: (s, d, t) => reporter.progress(s, d, t), log: (level, msg) => { if (level === 'warn') reporter.log(level, msg); } },
          compareWith,
        });
      } finally {
        reporter.stop();
      }
      console.log(`report: ${resolve(out.htmlPath)}`);
      for (const p of out.plots) console.log(`  ${p.id}: ${[p.svgPath, p.pngPath].filter((x): x is string => !!x).map((x) => resolve(x)).join(', ')}`);
      if (out.missing.length) console.log(`not drawn (no data): ${out.missing.map((m) => m.id).join(', ')}`);
    });
}
