/** Plot 5: feature distributions in the SR, data vs each method's background template (CATHODE's closure check). */
import type { TopLevelSpec } from 'vega-lite';
import { type FeatureHistogram, type ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, featureAxisTitle, methodLabel, methodOrder, PAGE_WIDTH, type PlotResult, type PlotSpec } from './common.js';
import { formatMass } from '../../windows/index.js';

/** y range of the data/template ratio panels. */
const RATIO_RANGE = [0.7, 1.3] as const;

/** One bin of a feature panel, both histograms normalised to unit area (densities). */
export interface FeatureBin {
  method: string;
  feature: string;
  /** bin centre, lower and upper edge */
  x: number;
  xLo: number;
  xHi: number;
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
      method: methodLabel(h.method),
      feature,
      x: (h.edges[i] + h.edges[i + 1]) / 2,
      xLo: h.edges[i],
      xHi: h.edges[i + 1],
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
    const methods = methodOrder(mine.map((h) => h.method)).map(methodLabel);
    const features = [...new Set(mine.map((h) => featureAxisTitle(h.feature, h.unit)))];
    const values = mine.flatMap(featureBins);
    const xField = { field: 'x', type: 'quantitative' as const, title: null, scale: { zero: false, nice: false } };
    // Same y-axis width in every cell, so the main and ratio panels line up column by column.
    const yAxis = { minExtent: 34, maxExtent: 34 };
    const xMain = { ...xField, axis: { labels: false, ticks: false, title: null } };
    // Every layer of a ratio panel names the domain: otherwise the error bars' data widen it.
    const ratioScale = { domain: [RATIO_RANGE[0], RATIO_RANGE[1]], nice: false, clamp: true };
    // An invisible mark over the bin edges makes each x scale span the histogram's edges, not its bin centres.
    const edgeSpan = { mark: { type: 'rule' as const, opacity: 0 }, encoding: { x: { field: 'xLo', type: 'quantitative' as const }, x2: { field: 'xHi' } } };
    // One column per feature, all of them at page width (≈ 90 px of axis and spacing each).
    const width = Math.max(120, Math.min(200, Math.floor(PAGE_WIDTH / features.length) - 90));
    const mainPanel = (method: string, feature: string) => ({
      data: { values: values.filter((v) => v.method === method && v.feature === feature) },
      width,
      height: 120,
      layer: [
        edgeSpan,
        {
          mark: { type: 'line' as const, interpolate: 'step' as const, strokeWidth: 1.6 },
          encoding: {
            x: xMain,
            y: { field: 'template', type: 'quantitative' as const, title: 'density', axis: yAxis },
            color: { datum: 'background template', type: 'nominal' as const, scale: { domain: ['SR data', 'background template'], range: ['#000000', '#D55E00'] }, title: null },
          },
        },
        {
          mark: { type: 'rule' as const, strokeWidth: 1 },
          encoding: { x: xMain, y: { field: 'dataErrLo', type: 'quantitative' as const }, y2: { field: 'dataErrHi' }, color: { datum: 'SR data', type: 'nominal' as const } },
        },
        {
          mark: { type: 'point' as const, filled: true, size: 14 },
          encoding: { x: xMain, y: { field: 'data', type: 'quantitative' as const }, color: { datum: 'SR data', type: 'nominal' as const } },
        },
      ],
    });
    const ratioPanel = (method: string, feature: string) => ({
      data: { values: values.filter((v) => v.method === method && v.feature === feature && v.template > 0) },
      transform: [{ calculate: 'datum.data / datum.template', as: 'ratio' }, { calculate: '(datum.dataErrHi - datum.data) / datum.template', as: 'ratioErr' }],
      width,
      height: 55,
      layer: [
        edgeSpan,
        { mark: { type: 'rule' as const, color: '#D55E00', strokeWidth: 1 }, encoding: { y: { datum: 1, type: 'quantitative' as const, scale: ratioScale } } },
        {
          transform: [{ calculate: 'datum.ratio - datum.ratioErr', as: 'lo' }, { calculate: 'datum.ratio + datum.ratioErr', as: 'hi' }],
          mark: { type: 'rule' as const, strokeWidth: 1, color: '#000' },
          encoding: { x: { ...xField, title: feature }, y: { field: 'lo', type: 'quantitative' as const, scale: ratioScale }, y2: { field: 'hi' } },
        },
        {
          mark: { type: 'point' as const, filled: true, size: 12, color: '#000' },
          encoding: {
            x: { ...xField, title: feature },
            // Clamped, not clipped: out-of-range ratios sit on the frame and coordinates stay bounded
            // (resvg 2.6 aborts the process on far out-of-range elements inside a clip path).
            y: { field: 'ratio', type: 'quantitative' as const, title: 'ratio', scale: ratioScale, axis: { ...yAxis, values: [0.8, 1, 1.2] } },
          },
        },
      ],
    });
    const methodBlock = (method: string) => ({
      title: { text: method, fontSize: 14, anchor: 'start' as const, offset: 4 },
      spacing: 4,
      vconcat: [
        { hconcat: features.map((f) => mainPanel(method, f)), spacing: 12 },
        { hconcat: features.map((f) => ratioPanel(method, f)), spacing: 12 },
      ],
    });
    const spec: TopLevelSpec = {
      title: {
        text: `${title} — SR (${formatMass(w.srLow)}, ${formatMass(w.srHigh)}) TeV`,
        // Short lines: the layout reserves width for titles by an estimate that overshoots long lines.
        subtitle: [
          'upper panels: density, both normalised to unit area',
          'points: SR data with Poisson errors; line: the method’s background template (weighted)',
          'lower panels: ratio = data / template, clamped to the frame',
        ],
      },
      vconcat: methods.map(methodBlock),
      spacing: 18,
      resolve: { legend: { color: 'shared' } },
      config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'top' } },
    };
    return {
      id: `features-w${windowId}`,
      title: `${title} (SR centre ${formatMass(w.centre)} TeV)`,
      caption:
        'Classifier inputs in the signal region: the data against the template each method trains it against. Where the template matches the background the classifier can only learn the signal; a mismatch (CATHODE’s imperfect samples, CWoLa’s sidebands) becomes a background sculpting δsys.',
      spec,
    };
  });
  return { plots };
}
