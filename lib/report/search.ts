/**
 * Report pages of the supervised search (`sidewinder search`): stacked weighted spectra per process, the
 * H0/H1 fits with pulls, the significance of each selection with its spread over training seeds, ROC curves
 * and the sculpting plots (background shape ratio after/before the cut). One self-contained HTML
 * (`search-report.html`, inline SVG) plus the SVG files, written atomically.
 */
import type { TopLevelSpec } from 'vega-lite';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import type { SearchResults, SelectionResult, Spread, SummaryKey, VariantName } from '../search/run.js';
import { VARIANT_NAMES } from '../search/run.js';
import { BASE_CONFIG, logDecadeAxis, positiveRange, type PlotSpec } from './plots/common.js';
import { writePlotSections } from './plotSections.js';
import { escapeHtml } from './html.js';

/** Display names of the selections. */
export const SELECTION_LABELS: Readonly<Record<SummaryKey, string>> = Object.freeze({
  square: 'square cuts',
  squareHeldOut: 'square cuts (held-out entries)',
  classifier: 'square cuts + classifier',
  massAware: 'square cuts + mass-aware classifier',
  decorrelated: 'square cuts + decorrelated (DDT) classifier',
});

/** Okabe–Ito colours for the processes, signal last (drawn on top). */
const PROCESS_COLOURS = ['#56B4E9', '#E69F00', '#009E73', '#CC79A7', '#0072B2', '#F0E442'];
const SIGNAL_COLOUR = '#D55E00';

const fmt = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const pm = (s: Spread | undefined, d = 2): string => (s ? (s.values.length > 1 ? `${fmt(s.mean, d)} ± ${fmt(s.std, d)}` : fmt(s.mean, d)) : '—');

/** The table of the issue: Z, gain and spurious signal per selection (mean ± std over training seeds). */
export function formatSearchTable(r: SearchResults): string {
  const keys = (['square', 'squareHeldOut', ...VARIANT_NAMES] as const).filter((k) => r.summary.Z[k]);
  const rows = [['selection', 'Z (Wilks)', 'gain vs square (held-out)', 'spurious ŝ/σ', 'spurious ŝ/S', 'bkg-only χ²/ndf', 'dCor(score, m) bkg', 'AUC']];
  for (const k of keys) {
    const v = k === 'square' || k === 'squareHeldOut' ? undefined : k;
    rows.push([
      SELECTION_LABELS[k], pm(r.summary.Z[k]), v ? pm(r.summary.gain[v]) : k === 'squareHeldOut' ? '1' : '—', pm(r.summary.spuriousOverError[k]), pm(r.summary.spuriousOverSignal[k]),
      pm(r.summary.backgroundOnlyChi2PerNdf[k]), v ? pm(r.summary.dCorScoreMass[v], 3) : '—', v ? pm(r.summary.auc[v], 3) : '—',
    ]);
  }
  const widths = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  const nSeeds = r.seeds.length;
  return [
    `${r.config.name}: ${r.config.backgroundModel} + ${r.config.signalModel}, fit ${r.config.fitRange.join('–')} ${r.massUnit}, ${r.square.method === 'poisson' ? 'Poisson likelihood (unit weights)' : 'weighted χ² (Σw, Σw²)'}` +
      (nSeeds ? `; classifier rows: mean ± std over ${nSeeds} training seed${nSeeds === 1 ? '' : 's'} (held-out entries)` : ''),
    ...rows.map((row) => row.map((c, j) => c.padEnd(widths[j])).join('  ')),
  ].join('\n');
}

/**
 * Stacked per-process spectra on a log axis: the stack is computed here (vega-lite does not stack on a
 * log scale), each process a bar from the sum of those below it to that sum plus its own Σw. Negative
 * contributions (NLO weights in a sparse bin) are left out of the drawing, not of the results.
 */
function stackedSpectrum(r: SearchResults, spectra: Record<string, { values: (number | null)[] }>, id: string, title: string, caption: string): PlotSpec {
  const bkg = r.processes.filter((p) => !p.isSignal).map((p) => p.name);
  const sig = r.processes.filter((p) => p.isSignal).map((p) => p.name);
  const order = [...bkg, ...sig];
  const data: { lo: number; hi: number; y0: number; y1: number; process: string }[] = [];
  let top = 0, bottom = Infinity;
  for (let i = 0; i < r.edges.length - 1; i++) {
    let acc = 0;
    for (const n of order) {
      const v = spectra[n].values[i];
      if (v === null || !(v > 0)) continue;
      data.push({ lo: r.edges[i], hi: r.edges[i + 1], y0: acc, y1: acc + v, process: n });
      bottom = Math.min(bottom, v);
      acc += v;
    }
    top = Math.max(top, acc);
  }
  const yMin = 10 ** Math.floor(Math.log10(Math.max(bottom, top * 1e-6, 1e-6)));
  const yMax = 10 ** Math.ceil(Math.log10(Math.max(top, yMin * 10)));
  for (const d of data) d.y0 = Math.max(d.y0, yMin);
  const colours = { domain: order, range: order.map((n, i) => (sig.includes(n) ? SIGNAL_COLOUR : PROCESS_COLOURS[i % PROCESS_COLOURS.length])) };
  return {
    id, title, caption,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      config: BASE_CONFIG, width: 520, height: 300, title,
      data: { values: data },
      mark: { type: 'rect', clip: true },
      encoding: {
        x: { field: 'lo', type: 'quantitative', title: `${r.config.fitVariable} [${r.massUnit}]`, scale: { domain: [r.edges[0], r.edges[r.edges.length - 1]] } },
        x2: { field: 'hi' },
        y: { field: 'y1', type: 'quantitative', title: 'events per bin (Σw)', scale: { type: 'log', domain: [yMin, yMax] }, axis: logDecadeAxis(yMin, yMax) },
        y2: { field: 'y0' },
        color: { field: 'process', type: 'nominal', scale: colours, sort: order, title: 'process' },
      },
    } as TopLevelSpec,
  };
}

/** The fit plot: pseudo-data (Σw ± √Σw²), H0 and H1 expectations, pulls below. */
function fitPlot(r: SearchResults, sel: SelectionResult, id: string, label: string): PlotSpec {
  const [a, b] = r.config.fitRange;
  const sum = (i: number) => Object.values(sel.spectra).reduce((s, h) => s + (h.values[i] ?? 0), 0);
  const var2 = (i: number) => Object.values(sel.spectra).reduce((s, h) => s + (h.variances[i] ?? 0), 0);
  const pts: Record<string, unknown>[] = [], curves: Record<string, unknown>[] = [], pulls: Record<string, unknown>[] = [];
  for (let i = 0; i < r.edges.length - 1; i++) {
    const c = 0.5 * (r.edges[i] + r.edges[i + 1]);
    if (c < a || c > b) continue;
    const v = sum(i), e = Math.sqrt(var2(i));
    pts.push({ m: c, events: v, lo: v - e, hi: v + e });
    curves.push({ m: c, events: sel.h0Expected[i], fit: 'H0: background only' }, { m: c, events: sel.h1Expected[i], fit: 'H1: background + signal' });
    const p = sel.pulls[i];
    if (p !== null && Number.isFinite(p)) pulls.push({ m: c, pull: p });
  }
  const x = { field: 'm', type: 'quantitative' as const, title: `${r.config.fitVariable} [${r.massUnit}]`, scale: { domain: [a, b] } };
  const [ylo, yhi] = positiveRange(pts.map((p) => p.events as number));
  const y = { type: 'log' as const, domain: [Math.max(ylo / 2, 1e-3), yhi * 2] };
  const title = `${label}: Z = ${fmt(sel.Z)}, ŝ = ${fmt(sel.signalYield, 1)} ± ${fmt(sel.signalYieldError, 1)}, χ²/ndf(H1) = ${fmt(sel.h1Chi2PerNdf)}`;
  return {
    id, title: `Fit — ${label}`,
    caption: `Signal + background (Σw per bin, error √Σw²) in the fit range with the H0 (background only, ${r.config.backgroundModel}) and H1 (background + fixed-shape ${r.config.signalModel}, free yield) fits; pulls (Σw − ν_H1)/σ below.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      config: BASE_CONFIG, title,
      vconcat: [
        {
          width: 520, height: 260,
          layer: [
            { data: { values: curves.filter((d) => (d.events as number) > 0) }, mark: { type: 'line', interpolate: 'monotone', clip: true }, encoding: { x, y: { field: 'events', type: 'quantitative', scale: y, title: 'events per bin', axis: logDecadeAxis(y.domain[0], y.domain[1]) }, color: { field: 'fit', type: 'nominal', scale: { range: ['#0072B2', '#D55E00'] }, title: null } } },
            { data: { values: pts.map((p) => ({ ...p, lo: Math.max(p.lo as number, y.domain[0]) })) }, mark: { type: 'rule', clip: true }, encoding: { x, y: { field: 'lo', type: 'quantitative', scale: y }, y2: { field: 'hi' } } },
            { data: { values: pts.filter((p) => (p.events as number) > 0) }, mark: { type: 'point', filled: true, color: 'black', size: 14, clip: true }, encoding: { x, y: { field: 'events', type: 'quantitative', scale: y } } },
          ],
        },
        {
          width: 520, height: 90, data: { values: pulls },
          layer: [
            { mark: { type: 'rule', color: '#999' }, encoding: { y: { datum: 0 } } },
            { mark: { type: 'bar', color: '#555' }, encoding: { x, y: { field: 'pull', type: 'quantitative', title: 'pull', scale: { domain: [-4, 4], clamp: true } } } },
          ],
        },
      ],
    } as TopLevelSpec,
  };
}

function significancePlot(r: SearchResults): PlotSpec {
  const keys = (['square', 'squareHeldOut', ...VARIANT_NAMES] as const).filter((k) => r.summary.Z[k]);
  const data = keys.map((k) => { const s = r.summary.Z[k]!; return { selection: SELECTION_LABELS[k], Z: s.mean, lo: s.mean - s.std, hi: s.mean + s.std }; });
  const x = { field: 'selection', type: 'nominal' as const, sort: keys.map((k) => SELECTION_LABELS[k]), title: null, axis: { labelAngle: -25, labelLimit: 400 } };
  return {
    id: 'search-significance', title: 'Significance before and after the classifier',
    caption: 'Wilks Z = √(χ²_H0 − χ²_H1) per selection. "square cuts": the full sample; all other bars: held-out entries, mean over training seeds (error bar: their standard deviation) — compare the classifier bars with "square cuts (held-out entries)". A Z whose spurious signal (table) is large is not evidence: the cut has made a peak.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      config: BASE_CONFIG, width: 420, height: 240, title: 'Wilks significance per selection', data: { values: data },
      layer: [
        { mark: { type: 'bar', color: '#0072B2' }, encoding: { x, y: { field: 'Z', type: 'quantitative', title: 'Z' } } },
        { mark: { type: 'rule', color: 'black' }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' } } },
      ],
    } as TopLevelSpec,
  };
}

function rocPlot(r: SearchResults): PlotSpec | null {
  const first = r.seeds[0];
  if (!first) return null;
  const data = VARIANT_NAMES.flatMap((v) => {
    const x = first.variants[v] as (SelectionResult & { roc?: { fpr: number[]; tpr: number[] }; auc?: number }) | undefined;
    if (!x?.roc) return [];
    return x.roc.fpr.map((f, i) => ({ fpr: f, tpr: x.roc!.tpr[i], classifier: `${SELECTION_LABELS[v].replace('square cuts + ', '')} (AUC ${fmt(x.auc, 3)})` }));
  });
  return {
    id: 'search-roc', title: 'ROC curves (held-out, after square cuts)',
    caption: `Signal vs background efficiency of the scores on held-out entries passing the square cuts (|w|-weighted), training seed ${first.seed}. The DDT score has the mass information removed by construction.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      config: BASE_CONFIG, width: 360, height: 300, title: 'ROC', data: { values: data },
      mark: { type: 'line' },
      encoding: {
        x: { field: 'fpr', type: 'quantitative', title: 'background efficiency ε_B' },
        y: { field: 'tpr', type: 'quantitative', title: 'signal efficiency ε_S' },
        color: { field: 'classifier', type: 'nominal', scale: { range: ['#0072B2', '#D55E00', '#009E73'] }, title: null },
      },
    } as TopLevelSpec,
  };
}

function sculptingPlot(r: SearchResults): PlotSpec | null {
  const first = r.seeds[0];
  if (!first) return null;
  const data = VARIANT_NAMES.flatMap((v) => {
    const s = first.variants[v]?.shapeRatio;
    if (!s) return [];
    return s.centres.map((c, i) => ({ m: c, ratio: s.ratio[i], lo: (s.ratio[i] ?? NaN) - (s.error[i] ?? NaN), hi: (s.ratio[i] ?? NaN) + (s.error[i] ?? NaN), selection: `${SELECTION_LABELS[v].replace('square cuts + ', '')} (χ²/ndf ${fmt(s.chi2Flat / Math.max(s.ndf, 1), 1)})` }))
      .filter((d) => d.ratio !== null && Number.isFinite(d.ratio));
  });
  const x = { field: 'm', type: 'quantitative' as const, title: `${r.config.fitVariable} [${r.massUnit}]`, scale: { domain: [...r.config.fitRange] } };
  const yScale = { domain: [0, 4] };
  const labels = [...new Set(data.map((d) => d.selection))];
  return {
    id: 'search-sculpting', title: 'Background sculpting: mass shape after / before the score cut',
    caption: `Background Σw after the score cut over before it (both after the square cuts, each normalised to unit area in the fit range), held-out entries, training seed ${first.seed}; 1 = no sculpting. χ²/ndf against 1 in the legend. dCor(score, m) on background: ${VARIANT_NAMES.map((v) => `${SELECTION_LABELS[v].replace('square cuts + ', '')} ${pm(r.summary.dCorScoreMass[v], 3)}`).join('; ')}.`,
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
      config: BASE_CONFIG, width: 520, height: 280, title: 'Shape ratio of the background',
      layer: [
        { mark: { type: 'rule', color: '#999', strokeDash: [4, 3] }, encoding: { y: { datum: 1, scale: yScale } } },
        {
          data: { values: data },
          encoding: { x, color: { field: 'selection', type: 'nominal', scale: { domain: labels, range: ['#0072B2', '#D55E00', '#009E73'] }, title: null, legend: { orient: 'top', direction: 'vertical', labelLimit: 500 } } },
          layer: [
            { mark: { type: 'rule', clip: true }, encoding: { y: { field: 'lo', type: 'quantitative', scale: yScale }, y2: { field: 'hi' } } },
            { mark: { type: 'point', filled: true, size: 18, clip: true }, encoding: { y: { field: 'ratio', type: 'quantitative', title: 'shape ratio after/before', scale: yScale } } },
          ],
        },
      ],
    } as TopLevelSpec,
  };
}

/** Every plot of the search report, in page order. */
export function searchPlots(r: SearchResults): PlotSpec[] {
  const plots: PlotSpec[] = [
    stackedSpectrum(r, r.spectraBeforeCuts, 'search-spectra-before', 'Weighted mass spectra before cuts', 'Stacked Σw per process, all entries (negative NLO weights included as they are).'),
    stackedSpectrum(r, r.square.spectra, 'search-spectra-square', 'Weighted mass spectra after the square cuts', `Stacked Σw per process after the square cuts (${r.config.cuts.map((c) => `${c.min !== undefined ? `${c.min} ≤ ` : ''}${c.variable}${c.max !== undefined ? ` < ${c.max}` : ''}`).join(', ')}).`),
    fitPlot(r, r.square, 'search-fit-square', SELECTION_LABELS.square),
    significancePlot(r),
  ];
  const first = r.seeds[0];
  if (first) {
    for (const v of VARIANT_NAMES) {
      const sel = first.variants[v];
      if (!sel) continue;
      plots.push(stackedSpectrum(r, sel.spectra, `search-spectra-${v}`, `Weighted mass spectra — ${SELECTION_LABELS[v]}`, `Held-out entries (weights × 1/(1 − training fraction)), training seed ${first.seed}.`));
      plots.push(fitPlot(r, sel, `search-fit-${v}`, `${SELECTION_LABELS[v]} (seed ${first.seed})`));
    }
  }
  for (const p of [rocPlot(r), sculptingPlot(r)]) if (p) plots.push(p);
  return plots;
}

/** Write `search-report.html` and the SVGs into `outDir`. */
export async function writeSearchReport(r: SearchResults, outDir: string): Promise<{ html: string; svgs: string[] }> {
  const { sections, svgs } = await writePlotSections(searchPlots(r), outDir);
  const procRows = r.processes.map((p) => `<tr><td>${escapeHtml(p.name)}${p.isSignal ? ' (signal)' : ''}</td><td>${p.entries}</td><td>${fmt(p.events, 1)}</td><td>${p.negativeWeightEntries}</td><td>${p.entriesAfterCuts}</td><td>${fmt(p.eventsAfterCuts, 2)}</td></tr>`).join('');
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sidewinder search — ${escapeHtml(r.config.name)}</title>
<style>body{font-family:'DejaVu Sans',sans-serif;max-width:1100px;margin:2em auto;color:#222}table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}td:first-child,th:first-child{text-align:left}pre{background:#f6f6f6;padding:1em;overflow-x:auto}.caption{color:#555;font-size:0.9em}</style></head><body>
<h1>Supervised resonance search — ${escapeHtml(r.config.name)}</h1>
<p>Entries are CSV rows; events are Σ ${escapeHtml(r.config.weightColumn)}. Fits use the weighted χ² with σ² = Σw² (the seed's definition; Poisson for unit weights). Classifier results are on held-out entries (weights scaled by 1/(1 − ${r.config.classifier?.trainFraction ?? '—'})), compared with the square cuts on the same entries.</p>
<h2>Processes</h2><table><tr><th>process</th><th>entries</th><th>events Σw</th><th>negative-weight entries</th><th>entries after cuts</th><th>events after cuts</th></tr>${procRows}</table>
<h2>Summary</h2><pre>${escapeHtml(formatSearchTable(r))}</pre>
${sections.join('\n')}
<p class="caption">${escapeHtml(r.writer)}, ${escapeHtml(r.createdAt)}; timings (s): ${escapeHtml(Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(1)}`).join(', '))}</p>
</body></html>`;
  const htmlPath = join(outDir, 'search-report.html');
  await writeFileAtomic(htmlPath, html);
  return { html: htmlPath, svgs };
}
