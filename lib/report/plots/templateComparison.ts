/**
 * CATHODE templates side by side: SR data against the templates of two scans of the same data that
 * differ in the template generator (conditional MAF vs conditional GAN), per window and feature.
 */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, featureAxisTitle, PAGE_WIDTH, type PlotResult, type PlotSpec } from './common.js';
import { featureBins } from './features.js';
import { formatMass } from '../../windows/index.js';

/** The generator a results document's CATHODE used: from config.densityEstimator.kind. */
export const generatorLabel = (r: ResultsDocument): string => (r.config.densityEstimator?.kind === 'gan' ? 'GAN template' : 'flow (MAF) template');

/** One plot per window both documents have CATHODE feature histograms for. */
export function templateComparisonPlots(results: ResultsDocument, other: ResultsDocument): PlotResult {
  const title = 'CATHODE template generators side by side';
  const mine = (results.featureHistograms ?? []).filter((h) => h.method === 'cathode');
  const theirs = (other.featureHistograms ?? []).filter((h) => h.method === 'cathode');
  let la = generatorLabel(results), lb = generatorLabel(other);
  if (la === lb) { la += ' (this scan)'; lb += ' (compared scan)'; }
  const windowIds = [...new Set(mine.map((h) => h.windowId))].filter((id) => theirs.some((h) => h.windowId === id)).sort((a, b) => a - b);
  if (windowIds.length === 0) return { missing: { id: 'template-comparison', title, reason: 'the two results documents share no window with CATHODE feature histograms' } };
  const plots: PlotSpec[] = windowIds.map((windowId) => {
    const w = results.config.windows.find((x) => x.id === windowId)!;
    const values: Record<string, unknown>[] = [];
    for (const h of mine.filter((x) => x.windowId === windowId)) {
      const feature = featureAxisTitle(h.feature, h.unit);
      for (const b of featureBins(h)) {
        values.push({ feature, x: b.x, y: b.data, lo: b.dataErrLo, hi: b.dataErrHi, series: 'SR data' });
        values.push({ feature, x: b.x, y: b.template, series: la });
      }
    }
    for (const h of theirs.filter((x) => x.windowId === windowId)) {
      const feature = featureAxisTitle(h.feature, h.unit);
      for (const b of featureBins(h)) values.push({ feature, x: b.x, y: b.template, series: lb });
    }
    const color = { field: 'series', type: 'nominal' as const, title: null, scale: { domain: ['SR data', la, lb], range: ['#000000', '#D55E00', '#0072B2'] } };
    const features = [...new Set(values.map((v) => v.feature as string))];
    // One panel per feature, all at page width (≈ 90 px of axis and spacing each).
    const width = Math.max(120, Math.min(200, Math.floor(PAGE_WIDTH / features.length) - 90));
    const panel = (feature: string) => {
      const x = { field: 'x', type: 'quantitative' as const, title: feature, scale: { zero: false, nice: false } };
      return {
        data: { values: values.filter((v) => v.feature === feature) },
        width,
        height: 140,
        layer: [
          { transform: [{ filter: "datum.series !== 'SR data'" }], mark: { type: 'line' as const, interpolate: 'step' as const, strokeWidth: 1.6 }, encoding: { x, y: { field: 'y', type: 'quantitative' as const, title: 'density' }, color } },
          { transform: [{ filter: "datum.series === 'SR data'" }], mark: { type: 'rule' as const }, encoding: { x, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, color } },
          { transform: [{ filter: "datum.series === 'SR data'" }], mark: { type: 'point' as const, filled: true, size: 14 }, encoding: { x, y: { field: 'y', type: 'quantitative' as const }, color } },
        ],
      };
    };
    const spec: TopLevelSpec = {
      title: { text: `${title} — SR (${formatMass(w.srLow)}, ${formatMass(w.srHigh)}) TeV`, subtitle: 'densities normalised to unit area; points: SR data with Poisson errors; lines: the two templates' },
      hconcat: features.map(panel),
      resolve: { scale: { x: 'independent', y: 'independent', color: 'shared' }, legend: { color: 'shared' } },
      config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'top' } },
    };
    return {
      id: `template-comparison-w${windowId}`,
      title: `${title} (SR centre ${formatMass(w.centre)} TeV): ${la} vs ${lb}`,
      caption: 'The same SR data against the CATHODE templates of two scans that differ in the template generator. The closer template gives the classifier less background mismodelling to learn.',
      spec,
    };
  });
  return { plots };
}
