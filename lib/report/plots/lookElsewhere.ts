/** Plot 6: global significance from the look-elsewhere pseudo-experiments. */
import type { TopLevelSpec } from 'vega-lite';
import { type LookElsewhereResult, type ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, EPSILON_COLOURS, epsilonLabel, methodLabel, methodLabelRank, methodOrder, logDecadeAxis, PAGE_WIDTH, SIGNIFICANCE_LABELS, stepPoints, type PlotResult, type PlotSpec } from './common.js';

const KINDS = ['local Z (largest window)', 'global Z (pseudo-experiments)', 'global Z (Šidák bound)', 'global Z lower bound (95 % CL)'] as const;

/** One plotted significance of the global-significance plot. */
export interface GlobalZPoint {
  label: string;
  kind: (typeof KINDS)[number];
  z: number;
}

const entryLabel = (l: LookElsewhereResult): string => (l.epsilonB === undefined ? methodLabel(l.method) : `${methodLabel(l.method)}, ${epsilonLabel(l.epsilonB)}`);

function sortedEntries(results: ResultsDocument): LookElsewhereResult[] {
  return [...(results.lookElsewhere ?? [])].sort((a, b) => methodLabelRank(methodLabel(a.method)) - methodLabelRank(methodLabel(b.method)) || a.method.localeCompare(b.method) || (b.epsilonB ?? 0) - (a.epsilonB ?? 0));
}

/**
 * Local, global and Šidák-bound Z of each look-elsewhere entry. A global Z of ∞ (stored as null: no
 * pseudo-experiment exceeds) is shown as its 95 % CL lower bound when stored, else left out.
 */
export function globalZPoints(results: ResultsDocument): GlobalZPoint[] {
  return sortedEntries(results).flatMap((l) => {
    const label = entryLabel(l);
    const out: GlobalZPoint[] = [{ label, kind: KINDS[0], z: l.localZMax }];
    if (l.globalZ !== null) out.push({ label, kind: KINDS[1], z: l.globalZ });
    else if (l.globalZLower95 !== undefined) out.push({ label, kind: KINDS[3], z: l.globalZLower95 });
    if (l.sidakBound.globalZ !== null) out.push({ label, kind: KINDS[2], z: l.sidakBound.globalZ });
    return out;
  });
}

/** Plot 6 specs: the local vs global Z comparison and, when stored, the pseudo-experiment distributions. */
export function lookElsewherePlots(results: ResultsDocument): PlotResult {
  const title = 'Global significance (look-elsewhere effect)';
  const entries = sortedEntries(results);
  if (entries.length === 0) return { missing: { id: 'global-significance', title, reason: 'the results hold no look-elsewhere pseudo-experiments (lookElsewhere)' } };
  const points = globalZPoints(results);
  const KIND_STYLE = [
    { colour: '#222222', shape: 'circle' },
    { colour: '#0072B2', shape: 'diamond' },
    { colour: '#56B4E9', shape: 'triangle-down' },
    { colour: '#0072B2', shape: 'triangle-right' },
  ];
  const kinds = KINDS.map((kind, i) => ({ kind, ...KIND_STYLE[i] })).filter((k) => points.some((p) => p.kind === k.kind));
  const labels = entries.map(entryLabel);
  const zMax = Math.max(5.5, ...points.map((p) => p.z));
  const zMin = Math.min(0, ...points.map((p) => p.z));
  const statistic = SIGNIFICANCE_LABELS[entries[0].statistic];
  const comparison: TopLevelSpec = {
    title: {
      text: title,
      subtitle: `${statistic}; ${entries[0].nWindows} windows, ${entries[0].nPseudoExperiments.toLocaleString('en-US')} background-only pseudo-experiments`,
    },
    width: 460,
    height: { step: 34 },
    layer: [
      {
        data: { values: [{ z: 3, label: '3σ' }, { z: 5, label: '5σ' }] },
        layer: [
          { mark: { type: 'rule', strokeDash: [6, 4], color: '#666' }, encoding: { x: { field: 'z', type: 'quantitative' } } },
          { mark: { type: 'text', baseline: 'bottom', dy: -2, color: '#444', fontSize: 12, y: 0 }, encoding: { x: { field: 'z', type: 'quantitative' }, text: { field: 'label' } } },
        ],
      },
      {
        data: { values: points },
        mark: { type: 'point', filled: true, size: 90, opacity: 1 },
        encoding: {
          y: { field: 'label', type: 'nominal', title: 'method, working point', sort: labels, axis: { labelFontSize: 13, labelLimit: 320 } },
          x: { field: 'z', type: 'quantitative', title: 'significance Z [σ]', scale: { domain: [Math.floor(zMin), Math.ceil(zMax)], nice: false }, axis: { tickMinStep: 1 } },
          color: { field: 'kind', type: 'nominal', title: null, scale: { domain: kinds.map((k) => k.kind), range: kinds.map((k) => k.colour) }, legend: { labelLimit: 320 } },
          shape: { field: 'kind', type: 'nominal', title: null, scale: { domain: kinds.map((k) => k.kind), range: kinds.map((k) => k.shape) }, legend: { labelLimit: 320 } },
        },
      },
    ],
    config: BASE_CONFIG,
  };
  const plots: PlotSpec[] = [
    {
      id: 'global-significance',
      title,
      caption:
        'The largest local significance over the overlapping windows, and what it is worth globally: the fraction of background-only pseudo-experiments whose largest local Z is at least as large (global Z; its 95 % CL lower bound when none is), with the Šidák bound 1 − (1 − p_local)^N for comparison (conservative for overlapping windows).',
      spec: comparison,
    },
  ];

  const withToys = entries.filter((l) => l.maxLocalZHistogram);
  if (withToys.length) plots.push(toyHistogramPlot(withToys, statistic));
  return { plots };
}

/**
 * The pseudo-experiment distributions as one compact figure: a panel per method (side by side, at
 * most PAGE_WIDTH wide), each working point's distribution of the largest local Z as a step
 * histogram in its colour, and the value in the data as a vertical line of the same colour.
 */
function toyHistogramPlot(withToys: readonly LookElsewhereResult[], statistic: string): PlotSpec {
  const methods = [...new Set(withToys.map((l) => l.method))];
  const eps = [...new Set(withToys.map((l) => l.epsilonB))].sort((a, b) => (b ?? 0) - (a ?? 0));
  const selection = (l: LookElsewhereResult): string => (l.epsilonB === undefined ? 'all' : epsilonLabel(l.epsilonB));
  const colour = { domain: eps.map((e) => (e === undefined ? 'all' : epsilonLabel(e))), range: eps.map((_, i) => EPSILON_COLOURS[i % EPSILON_COLOURS.length]) };
  const bins = withToys.flatMap((l) => {
    const h = l.maxLocalZHistogram!;
    return stepPoints(h.edges, h.counts).map((p) => ({ method: methodLabel(l.method), selection: selection(l), z: p.x, count: p.y }));
  });
  const observed = withToys.map((l) => ({ method: methodLabel(l.method), selection: selection(l), z: l.localZMax }));
  const zLo = Math.min(...withToys.map((l) => l.maxLocalZHistogram!.edges[0]));
  const zHi = Math.max(...withToys.map((l) => Math.max(l.maxLocalZHistogram!.edges.at(-1)!, l.localZMax + 0.5)));
  const maxCount = Math.max(1, ...bins.map((b) => b.count));
  const yDomain = [0.5, 10 ** Math.ceil(Math.log10(maxCount) + 1e-9)];
  // Panels share the page width: ≈ 150 px of axis, titles and spacing each.
  const width = Math.max(160, Math.min(280, Math.floor(PAGE_WIDTH / methods.length) - 150));
  const panel = (method: string) => ({
    title: { text: methodLabel(method), fontSize: 14, anchor: 'middle' as const },
    width,
    height: 200,
    layer: [
      {
        data: { values: bins.filter((b) => b.method === methodLabel(method)) },
        // Empty bins sit on the floor of the log axis (0.5): the step line stays continuous.
        transform: [{ calculate: 'max(datum.count, 0.5)', as: 'shown' }],
        mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.6 },
        encoding: {
          x: { field: 'z', type: 'quantitative' as const, title: 'largest local Z [σ]', scale: { domain: [zLo, zHi], nice: false } },
          y: { field: 'shown', type: 'quantitative' as const, title: 'pseudo-experiments', scale: { type: 'log' as const, domain: yDomain, nice: false }, axis: logDecadeAxis(1, yDomain[1]) },
          color: { field: 'selection', type: 'nominal' as const, title: 'working point', scale: colour },
          detail: { field: 'selection' },
        },
      },
      {
        data: { values: observed.filter((o) => o.method === methodLabel(method)) },
        mark: { type: 'rule' as const, strokeWidth: 2, strokeDash: [4, 2] },
        encoding: { x: { field: 'z', type: 'quantitative' as const }, color: { field: 'selection', type: 'nominal' as const, scale: colour } },
      },
    ],
  });
  return {
    id: 'look-elsewhere-toys',
    title: 'Look-elsewhere pseudo-experiments',
    caption:
      'Distribution of the largest local significance over all windows in background-only pseudo-experiments, per method and working point (solid steps); the dashed line of the same colour is the value in the data. The global p-values are in the look-elsewhere table.',
    spec: {
      title: { text: 'Look-elsewhere pseudo-experiments', subtitle: `${statistic}; dashed: the largest local Z in the data` },
      hconcat: methodOrder(methods).map(panel),
      resolve: { scale: { color: 'shared', y: 'shared' }, legend: { color: 'shared' } },
      config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'top' } },
    },
  };
}
