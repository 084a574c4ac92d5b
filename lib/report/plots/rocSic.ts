/** Plot 4: ROC (background rejection vs signal efficiency) and SIC curves, where truth labels exist. */
import type { TopLevelSpec } from 'vega-lite';
import type { ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, logDecadeAxis, methodColourScale, methodLabel, positiveRange, type PlotResult } from './common.js';
import { formatMass } from '../../windows/index.js';

/** One ROC point with its derived quantities. */
export interface RocPoint {
  windowId: number;
  method: string;
  /** run number, or −1 when the curve is not per run */
  run: number;
  /** signal efficiency ε_S = TPR */
  tpr: number;
  /** background efficiency ε_B = FPR */
  fpr: number;
  /** background rejection 1/ε_B */
  rejection: number;
  /** significance improvement characteristic ε_S/√ε_B */
  sic: number;
}

/** At most this many points per drawn curve: a scan may store every threshold (10⁵ points). */
export const MAX_ROC_POINTS = 400;

/**
 * Indices of the points to draw: all when there are few, else the first point at or after each of
 * `maxPoints` log-spaced ε_B values (plus the last point), so the curve keeps its shape on log axes.
 * Every kept point is an original point of the curve.
 */
export function thinRocIndices(fpr: readonly number[], maxPoints = MAX_ROC_POINTS): number[] {
  const valid: number[] = [];
  for (let i = 0; i < fpr.length; i++) if (fpr[i] > 0) valid.push(i);
  if (valid.length <= maxPoints) return valid;
  const lo = Math.log10(fpr[valid[0]]);
  const hi = Math.log10(fpr[valid[valid.length - 1]]);
  const keep = new Set<number>([valid[0], valid[valid.length - 1]]);
  let j = 0;
  for (let k = 1; k < maxPoints - 1; k++) {
    const target = 10 ** (lo + ((hi - lo) * k) / (maxPoints - 1));
    while (j < valid.length - 1 && fpr[valid[j]] < target) j++;
    keep.add(valid[j]);
  }
  return [...keep].sort((a, b) => a - b);
}

/** ROC points of every curve (thinned to ≤ MAX_ROC_POINTS), dropping ε_B = 0 and ε_S = 0 (no rejection or SIC there). */
export function rocPoints(results: ResultsDocument): RocPoint[] {
  const out: RocPoint[] = [];
  for (const c of results.roc ?? [])
    for (const i of thinRocIndices(c.fpr)) {
      const fpr = c.fpr[i];
      const tpr = c.tpr[i];
      if (tpr > 0) out.push({ windowId: c.windowId, method: methodLabel(c.method), run: c.run ?? -1, tpr, fpr, rejection: 1 / fpr, sic: tpr / Math.sqrt(fpr) });
    }
  return out;
}

/** Plot 4 spec: per window with curves, ROC and SIC side by side, random classifier dashed. */
export function rocSicPlot(results: ResultsDocument): PlotResult {
  const title = 'ROC and SIC curves (truth labels)';
  const points = rocPoints(results);
  if (points.length === 0) return { missing: { id: 'roc-sic', title, reason: 'the results hold no ROC curves (roc): they need truth labels, i.e. generated data' } };
  const windowIds = [...new Set(points.map((p) => p.windowId))].sort((a, b) => a - b);
  const centre = new Map(results.config.windows.map((w) => [w.id, w.centre]));
  const colour = methodColourScale(results.roc!.map((r) => r.method));
  const [rejLo, rejHi] = positiveRange(points.map((p) => p.rejection));
  const sicMax = Math.max(...points.map((p) => p.sic), 1);
  // Random classifier: ε_B = ε_S, so 1/ε_B = 1/ε_S and SIC = √ε_S.
  const random = Array.from({ length: 101 }, (_, i) => Math.max(1e-3, i / 100)).map((e) => ({ tpr: e, rejection: 1 / e, sic: Math.sqrt(e) }));
  const methodOrder = colour.domain;

  const xAxis = { field: 'tpr', type: 'quantitative' as const, title: 'signal efficiency ε_S', scale: { domain: [0, 1] } };
  const curveColour = { field: 'method', type: 'nominal' as const, title: 'method', scale: colour, legend: { symbolType: 'stroke', symbolStrokeWidth: 3 } };
  // Two windows (ROC | SIC each) per row at page width, one method legend above them all.
  const perRow = windowIds.length > 1 ? 2 : 1;
  const size = { width: perRow === 2 ? 200 : 300, height: perRow === 2 ? 170 : 250 };
  const row = (windowId: number) => {
    const data = points.filter((p) => p.windowId === windowId).sort((a, b) => methodOrder.indexOf(a.method) - methodOrder.indexOf(b.method) || a.run - b.run || a.tpr - b.tpr);
    const label = `SR centre ${formatMass(centre.get(windowId) ?? NaN)} TeV`;
    return {
      title: { text: label, fontSize: 14, anchor: 'middle' as const },
      hconcat: [
        {
          ...size,
          layer: [
            {
              data: { values: random.filter((r) => r.rejection <= rejHi * 2) },
              mark: { type: 'line' as const, strokeDash: [5, 4], color: '#888', strokeWidth: 1.2 },
              encoding: { x: { field: 'tpr', type: 'quantitative' as const }, y: { field: 'rejection', type: 'quantitative' as const } },
            },
            {
              data: { values: data },
              mark: { type: 'line' as const, strokeWidth: 2 },
              encoding: {
                x: xAxis,
                y: {
                  field: 'rejection',
                  type: 'quantitative' as const,
                  title: 'background rejection 1/ε_B',
                  scale: { type: 'log' as const, domain: [1, 10 ** Math.ceil(Math.log10(rejHi))], nice: false },
                  axis: logDecadeAxis(Math.max(1, rejLo), rejHi, { labelFlush: true }),
                },
                color: curveColour,
                detail: { field: 'run' },
                order: { field: 'tpr' },
              },
            },
          ],
        },
        {
          ...size,
          layer: [
            {
              data: { values: random },
              mark: { type: 'line' as const, strokeDash: [5, 4], color: '#888', strokeWidth: 1.2 },
              encoding: { x: { field: 'tpr', type: 'quantitative' as const }, y: { field: 'sic', type: 'quantitative' as const } },
            },
            {
              data: { values: data },
              mark: { type: 'line' as const, strokeWidth: 2 },
              encoding: {
                x: xAxis,
                y: { field: 'sic', type: 'quantitative' as const, title: 'SIC = ε_S / √ε_B', scale: { domain: [0, sicMax * 1.05], nice: true } },
                color: curveColour,
                detail: { field: 'run' },
                order: { field: 'tpr' },
              },
            },
          ],
        },
      ],
    };
  };
  const spec: TopLevelSpec = {
    title: { text: title, subtitle: 'dashed: a random classifier (ε_B = ε_S)' },
    concat: windowIds.map(row),
    columns: perRow,
    resolve: { scale: { color: 'shared' }, legend: { color: 'shared' } },
    config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'top' } },
  };
  return {
    plots: [
      {
        id: 'roc-sic',
        title,
        caption:
          'Classifier performance against the truth labels of generated data: background rejection 1/ε_B and the significance improvement characteristic SIC = ε_S/√ε_B vs signal efficiency ε_S. SIC is the factor by which a cut at that point multiplies S/√B.',
        spec,
      },
    ],
  };
}
