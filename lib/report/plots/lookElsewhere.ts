/** Plot 6: global significance from the look-elsewhere pseudo-experiments. */
import type { TopLevelSpec } from 'vega-lite';
import { METHOD_LABELS, METHOD_NAMES, type LookElsewhereResult, type ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, epsilonLabel, formatPowerOfTen, logDecadeAxis, SIGNIFICANCE_LABELS, type PlotResult, type PlotSpec } from './common.js';

const KINDS = ['local Z (largest window)', 'global Z (pseudo-experiments)', 'global Z (Šidák bound)', 'global Z lower bound (95 % CL)'] as const;

/** One plotted significance of the global-significance plot. */
export interface GlobalZPoint {
  label: string;
  kind: (typeof KINDS)[number];
  z: number;
}

const entryLabel = (l: LookElsewhereResult): string => (l.epsilonB === undefined ? METHOD_LABELS[l.method] : `${METHOD_LABELS[l.method]}, ${epsilonLabel(l.epsilonB)}`);

function sortedEntries(results: ResultsDocument): LookElsewhereResult[] {
  return [...(results.lookElsewhere ?? [])].sort((a, b) => METHOD_NAMES.indexOf(a.method) - METHOD_NAMES.indexOf(b.method) || (b.epsilonB ?? 0) - (a.epsilonB ?? 0));
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
          y: { field: 'label', type: 'nominal', title: null, sort: labels, axis: { labelFontSize: 13, labelLimit: 320 } },
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
  if (withToys.length) {
    const panel = (l: LookElsewhereResult, index: number) => {
      const h = l.maxLocalZHistogram!;
      const bins = h.counts.map((c, i) => ({ lo: h.edges[i], hi: h.edges[i + 1], count: c })).filter((b) => b.count > 0);
      const maxCount = Math.max(...bins.map((b) => b.count));
      const observed = [{ z: l.localZMax }];
      return {
        title: {
          text: entryLabel(l),
          subtitle: `data: ${l.localZMax.toFixed(2)}σ local → p_global = ${formatPowerOfTen(Number(l.globalP.toPrecision(2)))}, Z_global ${l.globalZ === null ? (l.globalZLower95 === undefined ? '= ∞' : `> ${l.globalZLower95.toFixed(2)}σ`) : `= ${l.globalZ.toFixed(2)}σ`}`,
          subtitleColor: '#D55E00',
          fontSize: 14,
          anchor: 'middle' as const,
        },
        width: 280,
        height: 200,
        layer: [
          {
            data: { values: bins },
            mark: { type: 'rect' as const, color: '#9ab', stroke: '#678', strokeWidth: 0.5 },
            encoding: {
              x: { field: 'lo', type: 'quantitative' as const, title: 'largest local Z per pseudo-experiment [σ]', scale: { domain: [h.edges[0], Math.max(h.edges[h.edges.length - 1], l.localZMax + 0.5)], nice: false } },
              x2: { field: 'hi' },
              y: { field: 'count', type: 'quantitative' as const, title: index === 0 ? 'pseudo-experiments' : null, scale: { type: 'log' as const, domain: [0.5, 10 ** Math.ceil(Math.log10(maxCount))], nice: false }, axis: logDecadeAxis(1, maxCount) },
              y2: { datum: 0.5 },
            },
          },
          {
            data: { values: observed },
            mark: { type: 'rule' as const, color: '#D55E00', strokeWidth: 2 },
            encoding: { x: { field: 'z', type: 'quantitative' as const } },
          },
        ],
      };
    };
    plots.push({
      id: 'look-elsewhere-toys',
      title: 'Look-elsewhere pseudo-experiments',
      caption: 'Distribution of the largest local significance over all windows in background-only pseudo-experiments; the red line is the value in the data.',
      spec: {
        title: { text: 'Look-elsewhere pseudo-experiments', subtitle: statistic },
        hconcat: withToys.map((l, i) => panel(l, i)),
        config: BASE_CONFIG,
      },
    });
  }
  return { plots };
}
