/** Plot 5: feature distributions in the SR, data vs each method's background template (CATHODE's closure check). */
import type { TopLevelSpec } from 'vega-lite';
import { METHOD_LABELS, METHOD_NAMES, type FeatureHistogram, type ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, featureAxisTitle, type PlotResult, type PlotSpec } from './common.js';

/** One bin of a feature panel, both histograms normalised to unit area (densities). */
export interface FeatureBin {
  method: string;
  feature: string;
  x: number;
  data: number;
  dataErrLo: number;
  dataErrHi: number;
  template: number;
}

/** Unit-area densities of one histogram pair; Poisson errors √n on the data. */
export function featureBins(h: FeatureHistogram): FeatureBin[] {
  const nData = h.dataCounts.reduce((a, c) => a + c, 0);
  const wTemplate = h.templateCounts.reduce((a, c) => a + c, 0);
  const feature = featureAxisTitle(h.feature, h.unit);
  return h.dataCounts.map((n, i) => {
    const width = h.edges[i + 1] - h.edges[i];
    const d = nData > 0 ? n / (nData * width) : 0;
    const e = nData > 0 ? Math.sqrt(n) / (nData * width) : 0;
    return {
      method: METHOD_LABELS[h.method],
      feature,
      x: (h.edges[i] + h.edges[i + 1]) / 2,
      data: d,
      dataErrLo: d - e,
      dataErrHi: d + e,
      template: wTemplate > 0 ? h.templateCounts[i] / (wTemplate * width) : 0,
    };
  });
}

/** Plot 5 specs: one per window with feature histograms; rows = methods, columns = features. */
export function featuresPlots(results: ResultsDocument): PlotResult {
  const hs = results.featureHistograms ?? [];
  const title = 'Feature distributions in the signal region: data vs template';
  if (hs.length === 0) return { missing: { id: 'features', title, reason: 'the results hold no feature histograms (featureHistograms)' } };
  const windowIds = [...new Set(hs.map((h) => h.windowId))].sort((a, b) => a - b);
  const plots: PlotSpec[] = windowIds.map((windowId) => {
    const w = results.config.windows.find((x) => x.id === windowId)!;
    const mine = hs.filter((h) => h.windowId === windowId);
    const methods = METHOD_NAMES.filter((m) => mine.some((h) => h.method === m)).map((m) => METHOD_LABELS[m]);
    const features = [...new Set(mine.map((h) => featureAxisTitle(h.feature, h.unit)))];
    const spec: TopLevelSpec = {
      title: { text: `${title} — SR (${w.srLow.toFixed(1)}, ${w.srHigh.toFixed(1)}) TeV`, subtitle: 'both normalised to unit area; points: SR data with Poisson errors; line: the method’s background template (weighted)' },
      data: { values: mine.flatMap(featureBins) },
      facet: {
        row: { field: 'method', type: 'nominal', sort: methods, title: null, header: { labelFontWeight: 'bold', labelFontSize: 13 } },
        column: { field: 'feature', type: 'nominal', sort: features, title: null, header: { labelFontSize: 13 } },
      },
      spec: {
        width: 200,
        height: 130,
        layer: [
          {
            mark: { type: 'line', interpolate: 'step', strokeWidth: 1.6 },
            encoding: {
              x: { field: 'x', type: 'quantitative', title: null, scale: { zero: false, nice: false } },
              y: { field: 'template', type: 'quantitative', title: 'density' },
              color: { datum: 'background template', type: 'nominal', scale: { domain: ['SR data', 'background template'], range: ['#000000', '#D55E00'] }, title: null },
            },
          },
          {
            mark: { type: 'rule', strokeWidth: 1 },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'dataErrLo', type: 'quantitative' }, y2: { field: 'dataErrHi' }, color: { datum: 'SR data', type: 'nominal' } },
          },
          {
            mark: { type: 'point', filled: true, size: 14 },
            encoding: { x: { field: 'x', type: 'quantitative' }, y: { field: 'data', type: 'quantitative' }, color: { datum: 'SR data', type: 'nominal' } },
          },
        ],
      },
      resolve: { scale: { x: 'independent', y: 'independent' }, axis: { x: 'independent' } },
      config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'top' } },
    };
    return {
      id: `features-w${windowId}`,
      title: `${title} (SR centre ${w.centre.toFixed(1)} TeV)`,
      caption:
        'Classifier inputs in the signal region: the data against the template each method trains it against. Where the template matches the background the classifier can only learn the signal; a mismatch (CATHODE’s imperfect samples, CWoLa’s sidebands) becomes a background sculpting δsys.',
      spec,
    };
  });
  return { plots };
}
