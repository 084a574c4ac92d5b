/** Plot 3: δsys vs ε_B per method with its statistical band, one panel per source (MC, data-driven, combined). */
import type { TopLevelSpec } from 'vega-lite';
import { type DeltaSysSource, type ResultsDocument } from '../../scan/results.js';
import { BASE_CONFIG, logDecadeAxis, methodColourScale, methodLabel, methodLabelRank, type PlotResult } from './common.js';

const SOURCE_LABELS: Record<DeltaSysSource, string> = { mc: 'MC (alternative background)', 'data-driven': 'data-driven (SB samples)', combined: 'combined (MC ⊕ data-driven)' };
const SOURCES: DeltaSysSource[] = ['mc', 'data-driven', 'combined'];

/** One plotted δsys point. */
export interface DeltaSysPoint {
  method: string;
  source: DeltaSysSource;
  epsilonB: number;
  mean: number;
  /** mean ∓ the statistical uncertainty (statError, else stdErr, else the spread std). */
  bandLo: number;
  bandHi: number;
  /** mean ∓ the spread over windows (std), when a statistical error is given too. */
  spreadLo: number | null;
  spreadHi: number | null;
}

/** The δsys points, pure results → data. */
export function deltaSysPoints(results: ResultsDocument): DeltaSysPoint[] {
  return (results.deltaSys ?? [])
    .map((d) => {
      // The counting error from the control counts (statError) where stored; older documents: std/√n.
      const err = d.statError ?? d.stdErr;
      const band = err ?? d.std;
      const spread = err !== undefined ? d.std : null;
      return {
        method: methodLabel(d.method),
        source: d.source,
        epsilonB: d.epsilonB,
        mean: d.mean,
        bandLo: d.mean - band,
        bandHi: d.mean + band,
        spreadLo: spread === null ? null : d.mean - spread,
        spreadHi: spread === null ? null : d.mean + spread,
      };
    })
    .sort((a, b) => methodLabelRank(a.method) - methodLabelRank(b.method) || b.epsilonB - a.epsilonB);
}

/** Plot 3 spec. */
export function deltaSysPlot(results: ResultsDocument): PlotResult {
  const title = 'Background systematic δsys vs working point';
  const points = deltaSysPoints(results);
  if (points.length === 0) return { missing: { id: 'delta-sys', title, reason: 'the results hold no δsys studies (deltaSys)' } };
  const sources = SOURCES.filter((s) => points.some((p) => p.source === s));
  const colour = methodColourScale(results.deltaSys!.map((d) => d.method));
  const eps = points.map((p) => p.epsilonB);
  const xDomain = [Math.max(...eps) * 2, Math.min(...eps) / 2];
  const yLo = Math.min(0, ...points.map((p) => Math.min(p.bandLo, p.spreadLo ?? p.bandLo)));
  const yHi = Math.max(...points.map((p) => Math.max(p.bandHi, p.spreadHi ?? p.bandHi)));
  const anySpread = points.some((p) => p.spreadLo !== null);

  const x = (index: number) => ({
    field: 'epsilonShown',
    type: 'quantitative' as const,
    title: 'working point ε_B',
    // tighter cuts to the right, as in a scan from loose to tight
    scale: { type: 'log' as const, domain: xDomain, nice: false },
    axis: logDecadeAxis(Math.min(...eps), Math.max(...eps), { grid: index >= 0 }),
  });
  const panel = (source: DeltaSysSource, index: number) => {
    const last = index === sources.length - 1;
    const data = points.filter((p) => p.source === source);
    return {
      title: { text: SOURCE_LABELS[source], fontSize: 14, anchor: 'middle' as const },
      width: 280,
      height: 240,
      data: { values: data },
      // Methods side by side around each working point (±0.04 decades) so error bars do not overlap.
      transform: [{ calculate: `datum.epsilonB * pow(10, 0.04 * (indexof(${JSON.stringify(colour.domain)}, datum.method) - ${(colour.domain.length - 1) / 2}))`, as: 'epsilonShown' }],
      resolve: { legend: { color: 'independent' as const } },
      layer: [
        { data: { values: [{ y: 0 }] }, transform: [], mark: { type: 'rule' as const, color: '#999' }, encoding: { y: { field: 'y', type: 'quantitative' as const } } },
        {
          mark: { type: 'area' as const, opacity: 0.2 },
          encoding: { x: x(index), y: { field: 'bandLo', type: 'quantitative' as const }, y2: { field: 'bandHi' }, color: { field: 'method', type: 'nominal' as const, legend: null } },
        },
        ...(anySpread
          ? [
              {
                transform: [{ filter: 'datum.spreadLo !== null' }],
                mark: { type: 'rule' as const, strokeWidth: 1.2 },
                encoding: { x: x(index), y: { field: 'spreadLo', type: 'quantitative' as const }, y2: { field: 'spreadHi' }, color: { field: 'method', type: 'nominal' as const, legend: null } },
              },
            ]
          : []),
        {
          mark: { type: 'line' as const, point: { filled: true, size: 50 }, strokeWidth: 2 },
          encoding: {
            x: x(index),
            y: { field: 'mean', type: 'quantitative' as const, title: 'δsys (relative)', scale: { domain: [yLo, yHi], nice: true } },
            color: { field: 'method', type: 'nominal' as const, title: 'method', scale: colour, legend: last ? {} : null },
          },
        },
      ],
    };
  };
  const spec: TopLevelSpec = {
    title: {
      text: title,
      subtitle: anySpread ? 'line: mean over windows and runs; band: its statistical uncertainty; bars: spread (std) over windows' : 'line: mean over windows and runs; band: spread (std) over windows',
    },
    hconcat: sources.map((s, i) => panel(s, i)),
    resolve: { scale: { y: 'shared', color: 'shared' }, legend: { color: 'independent' } },
    config: BASE_CONFIG,
  };
  return {
    plots: [
      {
        id: 'delta-sys',
        title,
        caption:
          'δsys = ⟨(N_obs − ε_eff N_SR)/(ε_eff N_SR)⟩ measured without signal, per method and working point: from the method run on an alternative background simulation (MC), from CATHODE samples vs data in the sidebands (data-driven), and the two in quadrature.',
        spec,
      },
    ],
  };
}
