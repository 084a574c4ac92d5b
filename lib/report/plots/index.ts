/** All plot builders, in the order the report shows them. Each is a pure function results → Vega-Lite specs. */
import type { ResultsDocument } from '../../scan/results.js';
import { PLOT_DEFAULTS, type MissingPlot, type PlotOptions, type PlotResult, type PlotSpec } from './common.js';
import { significancePlot } from './significance.js';
import { mjjSpectrumPlot } from './mjjSpectrum.js';
import { deltaSysPlot } from './deltaSys.js';
import { rocSicPlot } from './rocSic.js';
import { featuresPlots } from './features.js';
import { lookElsewherePlots } from './lookElsewhere.js';

/** Build every plot whose data the results hold; list the others as missing, with the reason. */
export function buildPlots(results: ResultsDocument, options: Partial<PlotOptions> = {}): { plots: PlotSpec[]; missing: MissingPlot[] } {
  const o = { ...PLOT_DEFAULTS, ...options };
  const outcomes: PlotResult[] = [
    significancePlot(results, o),
    mjjSpectrumPlot(results),
    deltaSysPlot(results),
    rocSicPlot(results),
    featuresPlots(results),
    lookElsewherePlots(results),
  ];
  const plots: PlotSpec[] = [];
  const missing: MissingPlot[] = [];
  for (const r of outcomes) {
    if ('plots' in r) plots.push(...r.plots);
    else missing.push(r.missing);
  }
  return { plots, missing };
}

export type { PlotSpec, MissingPlot, PlotOptions } from './common.js';
export { PLOT_DEFAULTS } from './common.js';
export { significancePlot, significancePoints, SIGNIFICANCE_POINT_MARK } from './significance.js';
export type { SignificancePoint } from './significance.js';
export { mjjSpectrumPlot, spectrumPoints } from './mjjSpectrum.js';
export { deltaSysPlot, deltaSysPoints } from './deltaSys.js';
export { rocSicPlot, rocPoints, thinRocIndices, MAX_ROC_POINTS } from './rocSic.js';
export { featuresPlots, featureBins } from './features.js';
export { lookElsewherePlots, globalZPoints } from './lookElsewhere.js';
export { templateComparisonPlots, generatorLabel } from './templateComparison.js';
