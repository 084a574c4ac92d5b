/**
 * `writeReport`: results document → one self-contained HTML file plus every plot as SVG and PNG.
 * Plot specs are pure functions of the results (lib/report/plots); rendering and writing happen here.
 */
import { join } from 'node:path';
import type { ResultsDocument } from '../scan/results.js';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { ConfigError } from '../util/errors.js';
import { silent, type Reporter } from '../util/reporter.js';
import { renderHtml, type RenderedPlot } from './html.js';
import { buildPlots, templateComparisonPlots, PLOT_DEFAULTS, type MissingPlot, type PlotOptions } from './plots/index.js';
import { renderSvg, reportFontFiles, svgToPng } from './render.js';

/** Image formats written beside the HTML. */
export type PlotFormat = 'svg' | 'png';

/** Options of {@link writeReport}. */
export interface ReportOptions extends PlotOptions {
  /** Which plot files to write beside the HTML (the HTML always inlines the SVG). */
  formats: PlotFormat[];
  /** Page title. */
  title: string;
  /** PNG pixel scale. */
  pngScale: number;
  reporter: Reporter;
  /** A second scan of the same data (e.g. `--generator gan`): its CATHODE templates are drawn beside this one's. */
  compareWith?: ResultsDocument;
}

export const REPORT_DEFAULTS: Readonly<ReportOptions> = Object.freeze({
  ...PLOT_DEFAULTS,
  formats: ['svg', 'png'] as PlotFormat[],
  title: 'sidewinder report',
  pngScale: 2,
  reporter: silent,
});

/** What {@link writeReport} wrote. */
export interface ReportOutput {
  htmlPath: string;
  plots: { id: string; title: string; svgPath?: string; pngPath?: string }[];
  /** Plots not drawn because their data is absent from the results. */
  missing: MissingPlot[];
}

/**
 * Write `report.html` and the plot files (`<plot id>.svg`, `<plot id>.png`) into `outDir`. All writes
 * are atomic (temporary file + rename). The results are assumed valid (see `validateResults`).
 */
export async function writeReport(results: ResultsDocument, outDir: string, options: Partial<ReportOptions> = {}): Promise<ReportOutput> {
  const o = { ...REPORT_DEFAULTS, ...options };
  for (const f of o.formats)
    if (f !== 'svg' && f !== 'png') throw new ConfigError(`writeReport: unknown format "${String(f)}"; expected "svg" or "png"`);
  const { plots, missing } = buildPlots(results, { statistic: o.statistic });
  if (o.compareWith) {
    const cmp = templateComparisonPlots(results, o.compareWith);
    if ('plots' in cmp) plots.push(...cmp.plots);
    else missing.push(cmp.missing);
  }
  const fontFiles = o.formats.includes('png') ? reportFontFiles() : [];
  if (o.formats.includes('png') && fontFiles.length === 0)
    o.reporter.log('warn', 'no DejaVu Sans font found (npm package dejavu-fonts-ttf, /usr/share/fonts/truetype/dejavu): PNG plots will have no text');

  // SVGs and the HTML first, PNGs last: a rasteriser failure then still leaves a usable report.
  const rendered: RenderedPlot[] = [];
  const written: ReportOutput['plots'] = [];
  const svgs: string[] = [];
  // One 'plots' stage counting every file rendered: each SVG, then each PNG.
  const steps = plots.length * (o.formats.includes('png') ? 2 : 1);
  let step = 0;
  o.reporter.progress('plots', 0, steps);
  for (const p of plots) {
    const svg = await renderSvg(p.spec);
    svgs.push(svg);
    const entry: ReportOutput['plots'][number] = { id: p.id, title: p.title };
    const files: string[] = [];
    if (o.formats.includes('svg')) {
      entry.svgPath = join(outDir, `${p.id}.svg`);
      await writeFileAtomic(entry.svgPath, svg);
      files.push(`${p.id}.svg`);
    }
    if (o.formats.includes('png')) {
      entry.pngPath = join(outDir, `${p.id}.png`);
      files.push(`${p.id}.png`);
    }
    rendered.push({ id: p.id, title: p.title, caption: p.caption, svg, files });
    written.push(entry);
    o.reporter.progress('plots', ++step, steps);
  }
  for (const m of missing) o.reporter.log('info', `plot "${m.title}" not drawn: ${m.reason}`);
  const htmlPath = join(outDir, 'report.html');
  await writeFileAtomic(htmlPath, renderHtml(results, rendered, missing, { statistic: o.statistic, title: o.title }));
  for (const [i, entry] of written.entries()) {
    if (!entry.pngPath) continue;
    await writeFileAtomic(entry.pngPath, svgToPng(svgs[i], { scale: o.pngScale, fontFiles }));
    o.reporter.progress('plots', ++step, steps);
  }
  return { htmlPath, plots: written, missing };
}

export { readResults } from './readResults.js';
export { condensedNotes, ONE_WINDOW_NOTE } from './notes.js';
export { renderHtml, escapeHtml, bestWindows, namespaceSvgIds } from './html.js';
export type { RenderedPlot, HtmlOptions } from './html.js';
export { renderSvg, svgToPng, reportFontFiles, REPORT_FONT_FAMILY } from './render.js';
export {
  buildPlots, PLOT_DEFAULTS, significancePlot, significancePoints, SIGNIFICANCE_POINT_MARK, mjjSpectrumPlot, spectrumPoints,
  deltaSysPlot, deltaSysPoints, rocSicPlot, rocPoints, thinRocIndices, MAX_ROC_POINTS, featuresPlots, featureBins,
  lookElsewherePlots, globalZPoints,
} from './plots/index.js';
export type { PlotSpec, MissingPlot, PlotOptions, SignificancePoint } from './plots/index.js';
