/** Plot 1: significance vs window centre per method, one panel per ε_B, mean ± std over runs. */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultsDocument } from '../../scan/results.js';
import {
  BASE_CONFIG,
  centresById,
  epsilonLabel,
  methodColourScale,
  methodLabel,
  methodLabelRank,
  PAGE_WIDTH,
  PLOT_DEFAULTS,
  SIGNIFICANCE_LABELS,
  sortedEpsilons,
  type PlotOptions,
  type PlotResult,
} from './common.js';
import { massDecimals } from '../../windows/index.js';

/** One plotted point: a (window, method, ε_B) aggregate. */
export interface SignificancePoint {
  windowId: number;
  centre: number;
  method: string;
  epsilonB: number;
  /** Mean Z over runs. */
  mean: number;
  /** mean − std and mean + std (std = 0 with a single run). */
  lo: number;
  hi: number;
  nRuns: number;
}

/** The points of the significance plot, per ε_B panel (loosest first). Pure: results → data. */
export function significancePoints(results: ResultsDocument, options: Partial<PlotOptions> = {}): { epsilonB: number; points: SignificancePoint[] }[] {
  const { statistic } = { ...PLOT_DEFAULTS, ...options };
  const centre = centresById(results);
  return sortedEpsilons(results).map((epsilonB) => ({
    epsilonB,
    points: results.aggregates
      .filter((a) => a.epsilonB === epsilonB)
      .map((a) => {
        const s = a.z[statistic];
        const sd = s.std;
        return { windowId: a.windowId, centre: centre.get(a.windowId)!, method: methodLabel(a.method), epsilonB, mean: s.mean, lo: s.mean - sd, hi: s.mean + sd, nRuns: a.nRuns };
      })
      .sort((p, q) => methodLabelRank(p.method) - methodLabelRank(q.method) || p.centre - q.centre),
  }));
}

/** Name stem of the point marks (`_<panel index>` appended), so tests can find the drawn points in the scenegraph. */
export const SIGNIFICANCE_POINT_MARK = 'significance_points';

/** Plot 1 spec: Z vs window centre, one panel per ε_B, bands mean ± std over runs, dashed 3σ and 5σ. */
export function significancePlot(results: ResultsDocument, options: Partial<PlotOptions> = {}): PlotResult {
  const { statistic } = { ...PLOT_DEFAULTS, ...options };
  const panels = significancePoints(results, { statistic }).filter((p) => p.points.length > 0);
  const title = 'Significance vs window centre';
  if (panels.length === 0) return { missing: { id: 'significance', title, reason: 'the results hold no aggregated (window, method, ε_B) cells' } };

  const all = panels.flatMap((p) => p.points);
  const centres = results.config.windows.map((w) => w.centre).sort((a, b) => a - b);
  const yMin = Math.min(0, ...all.map((p) => p.lo));
  const yMax = Math.max(5.5, ...all.map((p) => p.hi));
  const colour = methodColourScale(results.config.methods);
  const nRuns = Math.max(...all.map((p) => p.nRuns));
  const thresholds = [
    { z: 3, label: '3σ' },
    { z: 5, label: '5σ' },
  ];

  // Panels share the page width with the legend (≈ 120 px) and their axes (≈ 80 px each).
  const width = Math.max(200, Math.min(300, Math.floor((PAGE_WIDTH - 120) / panels.length) - 80));
  const panel = (epsilonB: number, points: SignificancePoint[], index: number) => ({
    title: { text: epsilonLabel(epsilonB), fontSize: 14, anchor: 'middle' as const },
    width,
    height: 240,
    layer: [
      {
        data: { values: thresholds },
        mark: { type: 'rule' as const, strokeDash: [6, 4], color: '#666', strokeWidth: 1 },
        encoding: { y: { field: 'z', type: 'quantitative' as const } },
      },
      {
        data: { values: thresholds },
        mark: { type: 'text' as const, align: 'right' as const, dy: -6, color: '#444', fontSize: 12 },
        encoding: { y: { field: 'z', type: 'quantitative' as const }, x: { value: width - 4 }, text: { field: 'label' } },
      },
      {
        data: { values: points },
        // independent legends inside the layer: only the points' legend is drawn (line + symbol, opaque)
        resolve: { legend: { color: 'independent' as const, shape: 'independent' as const } },
        layer: [
          {
            mark: { type: 'area' as const, opacity: 0.18 },
            encoding: {
              x: { field: 'centre', type: 'quantitative' as const },
              y: { field: 'lo', type: 'quantitative' as const },
              y2: { field: 'hi' },
              color: { field: 'method', type: 'nominal' as const, legend: null },
            },
          },
          {
            mark: { type: 'line' as const, strokeWidth: 2 },
            encoding: {
              x: { field: 'centre', type: 'quantitative' as const },
              y: { field: 'mean', type: 'quantitative' as const },
              color: { field: 'method', type: 'nominal' as const, legend: null },
            },
          },
          {
            name: `${SIGNIFICANCE_POINT_MARK}_${index}`,
            mark: { type: 'point' as const, filled: true, size: 45, opacity: 1 },
            encoding: {
              x: {
                field: 'centre',
                type: 'quantitative' as const,
                title: 'SR centre m_JJ [TeV]',
                scale: { domain: [centres[0] - 0.05, centres[centres.length - 1] + 0.05], nice: false, zero: false },
                axis: { values: centres, format: `.${massDecimals(...centres)}f` },
              },
              y: {
                field: 'mean',
                type: 'quantitative' as const,
                title: `${SIGNIFICANCE_LABELS[statistic]} [σ]`,
                scale: { domain: [yMin, yMax], nice: true },
              },
              color: { field: 'method', type: 'nominal' as const, title: 'method', scale: colour, legend: index === panels.length - 1 ? { symbolSize: 80 } : null },
              shape: { field: 'method', type: 'nominal' as const, title: 'method', scale: { domain: colour.domain }, legend: index === panels.length - 1 ? {} : null },
            },
          },
        ],
      },
    ],
  });

  const spec: TopLevelSpec = {
    title: {
      text: title,
      subtitle: nRuns > 1 ? `lines: mean over ${nRuns} runs; bands: ± 1 std (ddof 1)` : 'single run',
    },
    hconcat: panels.map((p, i) => panel(p.epsilonB, p.points, i)),
    // one legend, beside the last panel
    resolve: { scale: { y: 'shared', color: 'shared', shape: 'shared' }, legend: { color: 'independent', shape: 'independent' } },
    config: BASE_CONFIG,
  };
  return {
    plots: [
      {
        id: 'significance',
        title,
        caption: `${SIGNIFICANCE_LABELS[statistic]} of the cut-and-count test in each signal region, per method and working point. Lines and points: mean over runs; bands: ± one standard deviation over runs. Dashed: 3σ and 5σ.`,
        spec,
      },
    ],
  };
}
