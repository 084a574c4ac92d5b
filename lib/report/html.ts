/**
 * The HTML report: one self-contained file (inline SVG and CSS, no scripts, no network), with the
 * comparison table IAD / CWoLa / CATHODE per window and working point, and the provenance footer.
 */
import type { CellAggregate, MethodName, ResultsDocument, Summary } from '../scan/results.js';
import { condensedNotes, globalPSource } from './notes.js';
import { epsilonLabel, methodLabel, methodOrder, PLOT_DEFAULTS, SIGNIFICANCE_LABELS, sortedEpsilons, type MissingPlot, type PlotOptions } from './plots/common.js';
import { formatMass } from '../windows/index.js';

/** A rendered plot as the HTML shows it. */
export interface RenderedPlot {
  id: string;
  title: string;
  caption: string;
  svg: string;
  /** File names (relative to the HTML) of the written copies, for links. */
  files: string[];
}

/** Escape text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Prefix every id in an SVG (and the `url(#…)` / `href="#…"` references to them): vega numbers
 * clip paths clip1, clip2, … in every SVG, and ids must be unique across the inlined plots of a page.
 */
export function namespaceSvgIds(svg: string, prefix: string): string {
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (_, id: string) => `url(#${prefix}-${id})`)
    .replace(/\b(xlink:href|href)="#([^"]+)"/g, (_, attr: string, id: string) => `${attr}="#${prefix}-${id}"`);
}

/** A number with `digits` significant figures, no exponent for ordinary magnitudes. */
function num(x: number, digits = 3): string {
  if (!Number.isFinite(x)) return String(x);
  if (x === 0) return '0';
  const a = Math.abs(x);
  if (a >= 1e6 || a < 1e-3) return x.toExponential(digits - 1);
  if (a >= 10 ** digits) return Math.round(x).toString();
  return Number(x.toPrecision(digits)).toString();
}

/** Counts: integers as integers, run means with one decimal. */
/** A count: its mean over runs, ± the spread (std) when there are several runs. */
function count(s: Summary): string {
  const mean = Number.isInteger(s.mean) ? String(s.mean) : s.mean.toFixed(1);
  return s.n < 2 ? mean : `${mean} <span class="pm">± ${s.std.toFixed(1)}</span>`;
}

/** Expected counts: one decimal below 1000, whole numbers above. */
function expected(x: number): string {
  return Math.abs(x) >= 1000 ? Math.round(x).toString() : x.toFixed(1);
}

function zCell(s: Summary): string {
  return s.n < 2 ? s.mean.toFixed(2) : `${s.mean.toFixed(2)} <span class="pm">± ${s.std.toFixed(2)}</span>`;
}

const STYLE = `
body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 0 auto; max-width: 1280px; padding: 1.5em 2em 3em; color: #111; line-height: 1.45; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.25em; margin-top: 2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
.notes { background: #fff4d6; border: 1px solid #e0b54a; padding: 0.6em 1em; margin: 1em 0; }
.summary td { padding: 0.1em 1em 0.1em 0; }
figure { margin: 1.2em 0 2em; }
figure svg { max-width: 100%; height: auto; }
figcaption { color: #333; font-size: 0.92em; max-width: 70em; }
figcaption .files { color: #666; }
table.cmp { border-collapse: collapse; font-size: 0.88em; margin: 0.4em 0 1.2em; }
table.cmp th, table.cmp td { border: 1px solid #d4d4d4; padding: 0.25em 0.55em; text-align: right; white-space: nowrap; }
table.cmp th { background: #f2f2f2; text-align: center; }
table.cmp td.win { text-align: left; font-weight: bold; }
table.cmp td.best { background: #ffe9a8; font-weight: bold; }
table.cmp tr.bestrow td.win { background: #ffe9a8; }
.pm { color: #555; font-weight: normal; }
ul.tablenotes { font-size: 0.85em; color: #333; margin: -0.6em 0 1.2em; padding-left: 1.2em; list-style: none; }
.missing li { color: #7a4b00; }
footer { margin-top: 3em; border-top: 1px solid #ccc; font-size: 0.85em; color: #333; }
footer pre { background: #f7f7f7; padding: 0.8em; overflow-x: auto; font-size: 0.95em; }
code { font-family: "DejaVu Sans Mono", Menlo, monospace; font-size: 0.95em; }
`;

/** The best window of each method at one working point: the largest mean Z. */
export function bestWindows(results: ResultsDocument, epsilonB: number, statistic: PlotOptions['statistic']): Map<MethodName, CellAggregate> {
  const best = new Map<MethodName, CellAggregate>();
  for (const a of results.aggregates)
    if (a.epsilonB === epsilonB) {
      const b = best.get(a.method);
      if (!b || a.z[statistic].mean > b.z[statistic].mean) best.set(a.method, a);
    }
  return best;
}

/** δsys cell: the measured shift ± its counting error, in parentheses when compatible with zero (not applied). */
function deltaSysCell(a: CellAggregate): string {
  if (a.deltaSysStatError === undefined) return num(a.deltaSys, 2);
  const measured = a.deltaSysMeasured ?? a.deltaSys;
  const s = `${num(measured, 2)} <span class="pm">± ${num(a.deltaSysStatError, 2)}</span>`;
  return a.deltaSys === 0 && measured !== 0 ? `<span title="compatible with zero: not applied to N_exp; its error enters σ_b">(${s})</span>` : s;
}

function comparisonTable(results: ResultsDocument, epsilonB: number, statistic: PlotOptions['statistic']): string {
  const refused = (results.refusedCells ?? []).filter((r) => r.epsilonB === epsilonB);
  const methods = methodOrder([...results.aggregates.filter((a) => a.epsilonB === epsilonB).map((a) => a.method), ...refused.map((r) => r.method)]);
  if (methods.length === 0) return '';
  const byKey = new Map(results.aggregates.filter((a) => a.epsilonB === epsilonB).map((a) => [`${a.windowId}/${a.method}`, a]));
  const best = bestWindows(results, epsilonB, statistic);
  let overall: CellAggregate | undefined;
  for (const a of best.values()) if (!overall || a.z[statistic].mean > overall.z[statistic].mean) overall = a;
  const windows = [...results.config.windows].sort((a, b) => a.centre - b.centre);
  const head1 = `<tr><th rowspan="2">SR [TeV]</th>${methods.map((m) => `<th colspan="4">${methodLabel(m)}</th>`).join('')}</tr>`;
  const head2 = `<tr>${methods.map(() => '<th>N_obs</th><th>N_exp ± σ_b</th><th>δsys</th><th>Z</th>').join('')}</tr>`;
  const rows = windows.map((w) => {
    const cells = methods.map((m) => {
      const a = byKey.get(`${w.id}/${m}`);
      const r = refused.findIndex((x) => x.windowId === w.id && x.method === m);
      if (r >= 0) return `<td colspan="4" title="${escapeHtml(refused[r].reason)}">—<sup>${r + 1}</sup></td>`;
      if (!a) return '<td colspan="4">—</td>';
      const isBest = best.get(m as MethodName) === a ? ' class="best"' : '';
      return `<td>${count(a.nObs)}</td><td>${expected(a.nExp.mean)}${a.nExp.n > 1 ? ` <span class="pm">(spread ${expected(a.nExp.std)})</span>` : ''} <span class="pm">± ${num(a.sigmaB.mean, 2)}</span></td><td>${deltaSysCell(a)}</td><td${isBest}>${zCell(a.z[statistic])}</td>`;
    });
    const rowClass = overall && overall.windowId === w.id ? ' class="bestrow"' : '';
    return `<tr${rowClass}><td class="win" title="window ${w.id}">${formatMass(w.centre)} (${formatMass(w.srLow)}–${formatMass(w.srHigh)})${rowClass ? ' ★' : ''}</td>${cells.join('')}</tr>`;
  });
  const notes = [
    ...(results.aggregates.some((a) => a.epsilonB === epsilonB && a.deltaSysStatError !== undefined)
      ? ['<li>δsys: measured shift ± its counting error; in parentheses when compatible with zero (|δsys| ≤ error): N_exp is not shifted, the error enters σ_b.</li>'] : []),
    ...refused.map((x, i) => `<li id="refused-${epsilonB}-${i + 1}"><sup>${i + 1}</sup> ${methodLabel(x.method)}, window ${x.windowId}: refused, no significance — ${escapeHtml(x.reason)} (ε_eff ${num(x.epsilonEff, 2)}).</li>`),
  ];
  const foot = notes.length ? `\n<ul class="tablenotes">${notes.join('')}</ul>` : '';
  return `<h3>${escapeHtml(epsilonLabel(epsilonB))}</h3>\n<table class="cmp">\n<thead>${head1}${head2}</thead>\n<tbody>\n${rows.join('\n')}\n</tbody></table>${foot}`;
}

function lookElsewhereTable(results: ResultsDocument): string {
  const l = results.lookElsewhere ?? [];
  if (!l.length) return '';
  const centre = new Map(results.config.windows.map((w) => [w.id, w.centre]));
  const rows = l.map(
    (x) =>
      `<tr><td class="win">${methodLabel(x.method)}${x.epsilonB === undefined ? '' : `, ${escapeHtml(epsilonLabel(x.epsilonB))}`}</td><td>${x.localZMax.toFixed(2)}</td><td>${x.localZMaxWindowId === undefined ? '—' : formatMass(centre.get(x.localZMaxWindowId) ?? NaN)}</td><td>${num(x.globalP, 2)}</td><td>${x.globalZ === null ? (x.globalZLower95 === undefined ? '∞' : `&gt; ${x.globalZLower95.toFixed(2)}`) : x.globalZ.toFixed(2)}</td><td>${num(x.sidakBound.globalP, 2)}</td><td>${x.sidakBound.globalZ === null ? '∞' : x.sidakBound.globalZ.toFixed(2)}</td><td>${escapeHtml(globalPSource(x))}</td></tr>`,
  );
  return `<h3>Look-elsewhere effect</h3><table class="cmp"><thead><tr><th>method</th><th>local Z max</th><th>at SR centre [TeV]</th><th>global p</th><th>global Z</th><th>Šidák p</th><th>Šidák Z</th><th>global p from</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function deltaSysTable(results: ResultsDocument): string {
  const studies = results.deltaSys ?? [];
  if (!studies.length) return '';
  const eps = [...new Set(studies.map((d) => d.epsilonB))].sort((a, b) => b - a);
  const SOURCE: Record<string, string> = { mc: 'MC', 'data-driven': 'data-driven', combined: 'combined' };
  const order = methodOrder(studies.map((d) => d.method));
  const keys = [...new Set(studies.map((d) => `${d.method}/${d.source}`))].sort((a, b) => order.indexOf(a.split('/')[0]) - order.indexOf(b.split('/')[0]));
  const rows = keys.map((k) => {
    const [method, source] = k.split('/') as [MethodName, string];
    const cells = eps.map((e) => {
      const d = studies.find((x) => x.method === method && x.source === source && x.epsilonB === e);
      if (!d) return '<td>—</td>';
      // The counting error from the control counts when stored; older documents carry only std/√n.
      const sigma = d.statError ?? d.stdErr;
      const err = sigma === undefined ? '' : ` <span class="pm">± ${num(sigma, 2)}</span>`;
      const mark = d.significant === false ? ' <span class="pm" title="|δsys| ≤ its error: not applied to N_exp">(n.s.)</span>' : '';
      return `<td>${d.mean.toFixed(3)}${err}${mark} <span class="pm">(spread ${num(d.std, 2)})</span></td>`;
    });
    return `<tr><td class="win">${methodLabel(method)}, ${escapeHtml(SOURCE[source] ?? source)}</td>${cells.join('')}</tr>`;
  });
  return `<h3>Background systematic δsys (mean ± counting error, spread over windows; n.s. = compatible with zero, not applied)</h3><table class="cmp"><thead><tr><th>method, source</th>${eps.map((e) => `<th>${escapeHtml(epsilonLabel(e))}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

function bumpHuntTable(results: ResultsDocument): string {
  const b = results.bumpHunt ?? [];
  if (!b.length) return '';
  const centre = new Map(results.config.windows.map((w) => [w.id, w.centre]));
  const rows = [...b]
    .sort((x, y) => (centre.get(x.windowId) ?? 0) - (centre.get(y.windowId) ?? 0))
    .map(
      (f) =>
        `<tr><td class="win">${formatMass(centre.get(f.windowId) ?? NaN)}</td><td>${f.z.toFixed(2)}</td><td>${num(f.p0, 3)}</td><td>${num(f.p1, 3)}</td><td>${num(f.p2, 3)}</td><td>${num(f.p3, 3)}</td><td>${f.chi2 === undefined ? '—' : `${num(f.chi2, 3)}${f.ndf === undefined ? '' : ` / ${f.ndf}`}`}</td></tr>`,
    );
  return `<h3>Fit-based bump hunt (dijet function f(x) = p0 (1−x)^p1 / x^(p2 + p3 ln x))</h3><table class="cmp"><thead><tr><th>SR centre [TeV]</th><th>Z</th><th>p0</th><th>p1</th><th>p2</th><th>p3</th><th>χ² / ndf</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** dCor(feature, m_JJ) per classifier input: why CWoLa fails with m_JJ-correlated features (e.g. ΔR). */
function dependenceTable(results: ResultsDocument): string {
  const d = results.featureDependence ?? [];
  if (!d.length) return '';
  const rows = d.map((f) => `<tr><td>${escapeHtml(f.feature)}</td><td>${f.dCor.toFixed(4)}</td><td>${f.nEvents.toLocaleString('en-US')}</td></tr>`);
  return `<h3>Dependence of the classifier inputs on m_JJ (distance correlation)</h3><p>Székely’s dCor(feature, m_JJ) in the data: 0 only for independent variables. CWoLa Hunting assumes the inputs carry no m_JJ information; a clearly non-zero dCor means the sideband template sculpts the background.</p><table class="cmp"><thead><tr><th>feature</th><th>dCor with ${escapeHtml(d[0].variable)}</th><th>events</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Correlation structure of the CATHODE template: dCor of each feature pair in the SR data and in the
 * template, per window — a generator can match every marginal and still miss the dependence.
 */
function templateCorrelationTable(results: ResultsDocument): string {
  const t = results.templateCorrelations ?? [];
  if (!t.length) return '';
  const centre = new Map(results.config.windows.map((w) => [w.id, w.centre]));
  const windows = [...new Set(t.map((r) => r.windowId))].sort((a, b) => a - b);
  const pairs = [...new Set(t.map((r) => `${r.featureA}|${r.featureB}`))];
  const cell = (w: number, pair: string): string => {
    const r = t.find((x) => x.windowId === w && `${x.featureA}|${x.featureB}` === pair);
    return r ? `${r.dCorData.toFixed(3)} / ${r.dCorTemplate.toFixed(3)}` : '—';
  };
  const rows = pairs.map((p) => `<tr><td>${p.split('|').map(escapeHtml).join(' – ')}</td>${windows.map((w) => `<td>${cell(w, p)}</td>`).join('')}</tr>`);
  const nMax = Math.max(...t.map((r) => Math.max(r.nData, r.nTemplate)));
  const generator = results.config.densityEstimator?.kind === 'gan' ? 'conditional GAN' : 'conditional MAF';
  return `<h3>Correlation structure of the CATHODE template (${generator})</h3><p>Distance correlation of each pair of classifier inputs, SR data / template (up to ${nMax.toLocaleString('en-US')} events each: statistical error ≈ 0.005, and ≈ 0.01 for independent features). A faithful template reproduces the data's dependence between features, not only their marginals.</p><table class="cmp"><thead><tr><th>features</th>${windows.map((w) => `<th>${centre.has(w) ? formatMass(centre.get(w)!) : w} TeV</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/**
 * Quality of the CATHODE templates per window (run 0, data sample): the sideband-closure AUC (flow
 * samples vs short-sideband data; 0.5 for a perfect template) with its statistical error, the best
 * validation log-likelihood, the template events redrawn (non-finite or outside the training range) or dropped,
 * and, when the template is reweighted in the sidebands, the spread of its weights.
 */
function templateQualityTable(results: ResultsDocument): string {
  const q = (results.templateQuality ?? []).filter((r) => r.run === 0 && r.sample === 'data');
  if (!q.length) return '';
  const centre = new Map(results.config.windows.map((w) => [w.id, w.centre]));
  const reweighted = q.some((r) => r.reweighting?.length);
  const rows = [...q].sort((a, b) => a.windowId - b.windowId).map((r) => {
    const auc = r.closureAuc !== undefined ? `${r.closureAuc.toFixed(3)} ± ${(r.closureAucStdErr ?? NaN).toFixed(3)}` : '—';
    const best = r.validationLogLikelihood?.length ? Math.max(...r.validationLogLikelihood.flat()).toFixed(3) : '—';
    // Events whose float32 log p overflowed are left out of the validation loss: say how many, or the figure misleads.
    const leftOut = (r.validationNonFinite ?? []).flat().reduce((a, b) => a + b, 0);
    const ll = leftOut > 0 ? `${best} (${leftOut} non-finite left out)` : best;
    const redraw = r.redrawn !== undefined ? `${r.redrawn} / ${r.dropped ?? 0} of ${(r.requested ?? 0).toLocaleString('en-US')}` : '—';
    const rw = r.reweighting?.find((x) => x.run === 0);
    const weights = rw ? `${rw.weightQuantiles[1].toFixed(2)}–${rw.weightQuantiles[3].toFixed(2)} (${rw.weightQuantiles[0].toFixed(2)}–${rw.weightQuantiles[4].toFixed(2)}); ${rw.clipped} clipped` : '';
    return `<tr><td>${centre.has(r.windowId) ? formatMass(centre.get(r.windowId)!) : r.windowId} TeV</td><td>${auc}</td><td>${ll}</td><td>${redraw}</td>${reweighted ? `<td>${weights || '—'}</td>` : ''}</tr>`;
  });
  const rwText = reweighted ? ' Sideband reweighting of the template (run 0): weights between the 1 % and 99 % quantiles (min–max), mean 1, and the events clipped at the configured bound.' : '';
  return `<h3>Quality of the CATHODE template</h3><p>Sideband closure: AUC of a classifier separating flow samples from the short-sideband data (out of fold; 0.5 for a perfect template; error Hanley–McNeil). Best validation log-likelihood of the flows (per event, preprocessed space; validation events whose log-density overflowed are left out and counted, summed over flows and epochs). Template events redrawn because they were non-finite or outside the training range / dropped after every redraw failed.${rwText}</p><table class="cmp"><thead><tr><th>window</th><th>closure AUC</th><th>validation log-likelihood</th><th>redrawn / dropped</th>${reweighted ? '<th>template weights</th>' : ''}</tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

/** Options of {@link renderHtml}. */
export interface HtmlOptions extends PlotOptions {
  /** Page title. */
  title: string;
}

/** The report page. Pure: everything it shows comes from the arguments. */
export function renderHtml(results: ResultsDocument, plots: readonly RenderedPlot[], missing: readonly MissingPlot[], options: Partial<HtmlOptions> = {}): string {
  const { statistic, title = 'sidewinder report' } = { ...PLOT_DEFAULTS, ...options };
  const c = results.config;
  const d = results.dataset;
  const stated = condensedNotes(results);
  const notes = stated.length ? `<div class="notes">${stated.map((n) => `<p>${escapeHtml(n)}</p>`).join('')}</div>` : '';
  const summary = `<table class="summary">
<tr><td>data set</td><td><code>${escapeHtml(d.path)}</code> — ${d.nEvents.toLocaleString('en-US')} events${d.nSignal === undefined ? '' : `, ${d.nSignal.toLocaleString('en-US')} signal`}</td></tr>
<tr><td>methods</td><td>${c.methods.map((m) => methodLabel(m)).join(', ')}${c.densityEstimator ? ` (CATHODE template generator: ${c.densityEstimator.kind === 'gan' ? 'conditional GAN' : 'conditional MAF'}${c.densityEstimator.independentCalibration ? '; each cut set on the template of the sideband half its classifier did not learn against' : ''})` : ''}</td></tr>
<tr><td>windows</td><td>${c.windows.length} signal regions, centres ${c.windows.map((w) => formatMass(w.centre)).join(', ')} TeV</td></tr>
<tr><td>working points</td><td>${sortedEpsilons(results).map((e) => escapeHtml(epsilonLabel(e))).join(', ')}</td></tr>
<tr><td>runs</td><td>${c.nRuns} per (window, method), ${c.nFolds}-fold cross-fitting, preset <code>${escapeHtml(c.preset)}</code></td></tr>
<tr><td>significance shown</td><td>${escapeHtml(SIGNIFICANCE_LABELS[statistic])}</td></tr>
</table>`;

  const figures = plots
    .map(
      (p) => `<figure id="${escapeHtml(p.id)}">
<h3>${escapeHtml(p.title)}</h3>
${namespaceSvgIds(p.svg, `plot-${p.id}`)}
<figcaption>${escapeHtml(p.caption)}${p.files.length ? ` <span class="files">Files: ${p.files.map((f) => `<a href="${escapeHtml(f)}">${escapeHtml(f)}</a>`).join(', ')}</span>` : ''}</figcaption>
</figure>`,
    )
    .join('\n');
  const missingList = missing.length
    ? `<div class="missing"><h3>Plots not drawn</h3><ul>${missing.map((m) => `<li><b>${escapeHtml(m.title)}</b>: ${escapeHtml(m.reason)}.</li>`).join('')}</ul></div>`
    : '';
  const tables = sortedEpsilons(results)
    .map((e) => comparisonTable(results, e, statistic))
    .join('\n');
  const versions = Object.entries(results.versions)
    .map(([k, v]) => `${escapeHtml(k)} ${escapeHtml(v)}`)
    .join(', ');

  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<header>
<h1>${escapeHtml(title)}</h1>
${notes}
${summary}
</header>
<main>
<h2>Comparison of the methods</h2>
<p>Per signal region and working point: observed events passing the cut N_obs, expected background N_exp = ε_eff N_SR (1 + δsys) ± σ_b, the background systematic δsys, and ${escapeHtml(SIGNIFICANCE_LABELS[statistic])}. With several runs every number is the mean over runs, ± its spread (std) over runs (N_exp: spread in parentheses, σ_b its uncertainty). Highlighted: each method’s best window; ★: the best window overall.</p>
${tables}
${deltaSysTable(results)}
${lookElsewhereTable(results)}
${bumpHuntTable(results)}
${dependenceTable(results)}
${templateCorrelationTable(results)}
${templateQualityTable(results)}
<h2>Plots</h2>
${missingList}
${figures}
</main>
<footer>
<p>Written by ${escapeHtml(results.writer)}${results.createdAt ? ` at ${escapeHtml(results.createdAt)}` : ''}; versions: ${versions}.</p>
<p>Data set <code>${escapeHtml(d.path)}</code>, SHA-256 <code>${escapeHtml(d.sha256)}</code>.</p>
<details><summary>Configuration</summary><pre>${escapeHtml(JSON.stringify(c, null, 2))}</pre></details>
</footer>
</body>
</html>
`;
}
