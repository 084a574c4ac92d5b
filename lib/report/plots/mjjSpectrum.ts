/** Plot 2: the m_JJ spectrum (log y) with the signal regions shaded, before and after the ε_B cut. */
import type { TopLevelSpec } from 'vega-lite';
import type { MethodName, ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, EPSILON_COLOURS, epsilonLabel, methodLabel, methodOrder, PAGE_WIDTH, logDecadeAxis, positiveRange, stepPoints, uniformWidth, type PlotResult } from './common.js';
import { formatMass } from '../../windows/index.js';

const ALL_EVENTS = 'all events (no cut)';

/** One step-histogram point of the spectrum plot. */
export interface SpectrumPoint {
  /** Bin lower edge in TeV (the last point is the last upper edge). */
  mJJ: number;
  events: number;
  /** Legend entry: "all events (no cut)" or "ε_B = 10⁻³ (window 5)". */
  selection: string;
  kind: 'observed' | 'expected background';
}

/** Spectrum-plot points of one method (zero-count bins dropped: log scale). */
export function spectrumPoints(results: ResultsDocument, method: MethodName): SpectrumPoint[] {
  const s = results.mjjSpectra;
  if (!s) return [];
  const out: SpectrumPoint[] = [];
  const push = (values: number[], selection: string, kind: SpectrumPoint['kind']) => {
    for (const p of stepPoints(s.edgesTeV, values)) if (p.y > 0) out.push({ mJJ: p.x, events: p.y, selection, kind });
  };
  push(s.countsBeforeCut, ALL_EVENTS, 'observed');
  for (const a of s.afterCut.filter((x) => x.method === method)) {
    const label = selectionLabel(a.epsilonB, a.windowId, results);
    push(a.counts, label, 'observed');
    if (a.expectedBackground) push(a.expectedBackground, label, 'expected background');
  }
  return out;
}

function selectionLabel(epsilonB: number, windowId: number | undefined, results: ResultsDocument): string {
  if (windowId === undefined) return epsilonLabel(epsilonB);
  const c = results.config.windows.find((w) => w.id === windowId)?.centre;
  return `${epsilonLabel(epsilonB)} (classifier of SR ${c === undefined ? '?' : formatMass(c)} TeV)`;
}

/** Plot 2 spec: one panel per method, all events plus each working point's selection, SRs shaded. */
export function mjjSpectrumPlot(results: ResultsDocument): PlotResult {
  const title = 'm_JJ spectrum before and after the cut';
  const s = results.mjjSpectra;
  if (!s) return { missing: { id: 'mjj-spectrum', title, reason: 'the results hold no binned m_JJ spectra (mjjSpectra)' } };
  const methods = methodOrder(s.afterCut.map((a) => a.method)) as MethodName[];
  const panelsFor: (MethodName | null)[] = methods.length ? methods : [null];

  const selections = [ALL_EVENTS, ...new Set(s.afterCut.slice().sort((a, b) => b.epsilonB - a.epsilonB).map((a) => selectionLabel(a.epsilonB, a.windowId, results)))];
  const colour = { domain: selections, range: ['#222222', ...selections.slice(1).map((_, i) => EPSILON_COLOURS[i % EPSILON_COLOURS.length])] };
  const width = uniformWidth(s.edgesTeV);
  const yTitle = width === null ? 'events per bin' : `events / ${Number((width * 1000).toPrecision(3))} GeV`;
  const lo = s.edgesTeV[0];
  const hi = s.edgesTeV[s.edgesTeV.length - 1];
  const windows = results.config.windows.map((w) => ({ srLow: Math.max(lo, w.srLow), srHigh: Math.min(hi, w.srHigh), centre: w.centre }));

  const dataFor = (method: MethodName | null) => (method === null ? spectrumPoints({ ...results, mjjSpectra: { ...s, afterCut: [] } }, 'iad') : spectrumPoints(results, method));
  const [yLo, yHi] = positiveRange(panelsFor.flatMap((m) => dataFor(m).map((p) => p.events)));
  const yDomain = [10 ** Math.floor(Math.log10(yLo)), 10 ** Math.ceil(Math.log10(yHi))];
  // Panels share the page width (≈ 110 px of axes and spacing each).
  const panelWidth = Math.max(200, Math.min(330, Math.floor(PAGE_WIDTH / panelsFor.length) - 110));
  const panel = (method: MethodName | null) => {
    const data = dataFor(method);
    return {
      title: { text: method === null ? 'all events' : methodLabel(method), fontSize: 14, anchor: 'middle' as const },
      width: panelWidth,
      height: 280,
      layer: [
        {
          // Nine overlapping SRs: translucent bands darken where several overlap.
          data: { values: windows },
          mark: { type: 'rect' as const, color: '#7f7f7f', opacity: 0.07 },
          encoding: { x: { field: 'srLow', type: 'quantitative' as const }, x2: { field: 'srHigh' } },
        },
        {
          data: { values: data },
          mark: { type: 'line' as const, interpolate: 'step-after' as const, strokeWidth: 1.6 },
          encoding: {
            x: { field: 'mJJ', type: 'quantitative' as const, title: 'm_JJ [TeV]', scale: { domain: [lo, hi], nice: false, zero: false } },
            y: { field: 'events', type: 'quantitative' as const, title: yTitle, scale: { type: 'log' as const, domain: yDomain, nice: false }, axis: logDecadeAxis(yDomain[0], yDomain[1]) },
            color: { field: 'selection', type: 'nominal' as const, title: 'selection', scale: colour, legend: { symbolType: 'stroke', symbolStrokeWidth: 3, columns: 2 } },
            strokeDash: {
              field: 'kind',
              type: 'nominal' as const,
              title: null,
              scale: { domain: ['observed', 'expected background'], range: [[1, 0], [5, 3]] },
              legend: { symbolType: 'stroke', symbolStrokeColor: '#444' },
            },
            detail: { field: 'selection' },
          },
        },
      ],
    };
  };

  const spec: TopLevelSpec = {
    title: { text: title, subtitle: 'shaded: the signal regions (darker where they overlap); dashed: expected background after the cut, N_exp per bin' },
    hconcat: panelsFor.map((m) => panel(m)),
    // One legend for all panels, above them: the labels are long and every panel uses the same entries.
    resolve: { scale: { y: 'shared', color: 'shared', strokeDash: 'shared' }, legend: { color: 'shared', strokeDash: 'shared' } },
    config: { ...BASE_CONFIG, legend: { ...BASE_CONFIG.legend, orient: 'top' } },
  };
  return {
    plots: [
      {
        id: 'mjj-spectrum',
        title,
        caption:
          'Dijet invariant mass spectrum of all events and of the events passing each working point’s cut, per method, with the expected background after the cut (dashed). Grey bands: the sliding signal regions.',
        spec,
      },
    ],
  };
}
