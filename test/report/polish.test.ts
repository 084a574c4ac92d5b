/**
 * Report polish (issue 19 item 6), without a browser: figures fit the page, every axis that shows
 * values has a title, legends are complete, notes state each fact once, and a method this version
 * does not know is drawn with a label and colour of its own.
 */
import { describe, expect, it } from 'vitest';
import * as vl from 'vega-lite';
import { syntheticResults } from '../helpers/syntheticResults.js';
import { buildPlots, condensedNotes, ONE_WINDOW_NOTE, renderHtml, renderSvg, spectrumPoints } from '../../lib/report/index.js';
import { templateComparisonPlots } from '../../lib/report/plots/index.js';
import { PAGE_WIDTH } from '../../lib/report/plots/common.js';
import type { ResultsDocument } from '../../lib/scan/results.js';

const clone = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const doc = syntheticResults({ nRuns: 2 });
/** Every plot the report can draw: those of one document, and the CATHODE template comparison of two. */
const allPlots = () => {
  const cmp = templateComparisonPlots(doc, doc);
  return [...buildPlots(doc).plots, ...('plots' in cmp ? cmp.plots : [])];
};

/** Every axis of a compiled Vega spec that shows values (labels on; not a grid-only axis), with its title. */
function labelledAxes(node: unknown, path = ''): { path: string; orient: string; title: unknown }[] {
  if (!node || typeof node !== 'object') return [];
  const out: { path: string; orient: string; title: unknown }[] = [];
  const o = node as Record<string, unknown>;
  if (Array.isArray(o.axes))
    for (const a of o.axes as Record<string, unknown>[]) if (a.labels !== false) out.push({ path: `${path}/${String(o.name ?? '')}`, orient: String(a.orient), title: a.title });
  for (const [k, v] of Object.entries(o)) if (k !== 'axes' && typeof v === 'object') out.push(...labelledAxes(v, `${path}/${k}`));
  return out;
}

const svgWidth = (svg: string): number => Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)![1]);

describe('report polish', () => {
  it('every figure fits the text column (no figure is scaled down, its text with it)', async () => {
    for (const p of allPlots()) expect(svgWidth(await renderSvg(p.spec)), p.id).toBeLessThanOrEqual(PAGE_WIDTH + 16);
  }, 60_000);

  it('every axis that shows values has a title', () => {
    const plots = allPlots();
    expect(plots.map((p) => p.id)).toContain('template-comparison-w5');
    for (const p of plots) {
      const axes = labelledAxes(vl.compile(p.spec).spec);
      expect(axes.length, p.id).toBeGreaterThan(0);
      const untitled = axes.filter((a) => !(typeof a.title === 'string' ? a.title.trim() : Array.isArray(a.title) && a.title.length));
      expect(untitled.map((a) => `${a.orient} axis at ${a.path}`), p.id).toEqual([]);
    }
  });

  it('m_JJ spectrum legend: labels in full, so two ε_B = 10⁻³ selections of different windows are told apart', async () => {
    const d = clone(doc);
    const s = d.mjjSpectra!;
    const base = s.afterCut.find((a) => a.method === 'iad' && a.epsilonB === 1e-3)!;
    s.afterCut.push({ ...base, windowId: 4 }, { ...base, windowId: 6 });
    const labels = [...new Set(spectrumPoints(d, 'iad').map((p) => p.selection))];
    expect(labels).toEqual(expect.arrayContaining(['ε_B = 10⁻³ (classifier of SR 3.4 TeV)', 'ε_B = 10⁻³ (classifier of SR 3.6 TeV)']));
    const svg = await renderSvg(buildPlots(d).plots.find((p) => p.id === 'mjj-spectrum')!.spec);
    for (const l of labels) expect(svg, l).toContain(`>${l.replace(/&/g, '&amp;')}<`);
    expect(svg).not.toContain('…');
  });

  it('the look-elsewhere toys are one figure with a panel per method, not a strip of one panel per entry', async () => {
    // Three methods × three working points: nine distributions.
    const d = clone(doc);
    d.lookElsewhere = [1e-2, 1e-3, 1e-4].flatMap((epsilonB) => doc.lookElsewhere!.map((l) => ({ ...l, epsilonB })));
    const toys = buildPlots(d).plots.find((p) => p.id === 'look-elsewhere-toys')!;
    const panels = (toys.spec as unknown as { hconcat: { title: { text: string }; layer: { data: { values: { selection: string }[] } }[] }[] }).hconcat;
    expect(panels.map((p) => p.title.text)).toEqual(['IAD', 'CWoLa', 'CATHODE']);
    for (const p of panels) expect(new Set(p.layer[0].data.values.map((v) => v.selection))).toEqual(new Set(['ε_B = 10⁻²', 'ε_B = 10⁻³', 'ε_B = 10⁻⁴']));
    expect(svgWidth(await renderSvg(toys.spec))).toBeLessThanOrEqual(PAGE_WIDTH);
  });

  it('notes: each fact once; one-window scans say there is no look-elsewhere effect', () => {
    const capped = (m: string, e: number, p: string) => `${m}, ε_B=${e}: pseudo-experiments gave a global p (${p}) below the local p; reported the local p instead (toys keep the classifiers fixed)`;
    const notes = [
      'fit-based bump hunt: some window fits did not converge (see bumpHunt)',
      'fit-based bump hunt: some window fits did not converge (see bumpHunt)',
      capped('iad', 0.01, '0.00'), capped('iad', 0.001, '0.01'), capped('cwola', 0.01, '0.02'), capped('cwola', 0.001, '0.00'),
      'cathode: no control sample, look-elsewhere effect from the Šidák bound only',
      'cwola: no control sample, look-elsewhere effect from the Šidák bound only',
      'cathode, ε_B=0.01: no control cell resolves this working point; no MC-based δsys is applied',
    ];
    const nine = { ...doc, notes };
    expect(condensedNotes(nine)).toEqual([
      'fit-based bump hunt: some window fits did not converge (see bumpHunt)',
      'IAD, CWoLa at ε_B = 10⁻², 10⁻³: pseudo-experiments gave a global p below the local p; reported the local p instead (toys keep the classifiers fixed)',
      'CWoLa, CATHODE: no control sample, look-elsewhere effect from the Šidák bound only',
      'CATHODE at ε_B = 10⁻²: no control cell resolves this working point; no MC-based δsys is applied',
    ]);
    const one: ResultsDocument = { ...nine, config: { ...doc.config, windows: doc.config.windows.filter((w) => w.id === 5) } };
    expect(condensedNotes(one)).toEqual([
      ONE_WINDOW_NOTE,
      'fit-based bump hunt: some window fits did not converge (see bumpHunt)',
      'CATHODE at ε_B = 10⁻²: no control cell resolves this working point; no MC-based δsys is applied',
    ]);
    const html = renderHtml(one, [], []);
    expect(html.match(/no look-elsewhere effect/g)).toHaveLength(1);
    expect(html).not.toContain('below the local p');
  });

  it('says when CATHODE\'s cuts were calibrated on an independent sideband half', () => {
    const said = 'each cut set on the template of the sideband half its classifier did not learn against';
    const withIt = { ...doc, config: { ...doc.config, densityEstimator: { kind: 'maf', flows: 2, independentCalibration: true } } } as ResultsDocument;
    expect(renderHtml(withIt, [], [])).toContain(said);
    expect(renderHtml({ ...doc, config: { ...doc.config, densityEstimator: { kind: 'maf', flows: 1 } } } as ResultsDocument, [], [])).not.toContain(said);
  });

  it('draws a method it has no label or colour for (e.g. "anode") from the results, with its own colour', () => {
    const d = JSON.parse(JSON.stringify(doc).replace(/"cathode"/g, '"anode"')) as ResultsDocument;
    const { plots } = buildPlots(d);
    const significance = plots.find((p) => p.id === 'significance')!;
    const json = JSON.stringify(significance.spec);
    expect(json).toContain('"ANODE"');
    const scale = JSON.stringify(vl.compile(significance.spec).spec.scales ?? []);
    expect(scale).toContain('ANODE');
    const colours = /"domain":\["IAD","CWoLa","ANODE"\],"range":\["([^"]+)","([^"]+)","([^"]+)"\]/.exec(JSON.stringify(significance.spec));
    expect(colours).not.toBeNull();
    expect(new Set(colours!.slice(1)).size).toBe(3);
    expect(renderHtml(d, [], [])).toContain('<th colspan="4">ANODE</th>');
    const spectrum = plots.find((p) => p.id === 'mjj-spectrum')!.spec as unknown as { hconcat: { title: { text: string } }[] };
    expect(spectrum.hconcat.map((h) => h.title.text)).toEqual(['IAD', 'CWoLa', 'ANODE']);
  });
});

describe('CATHODE template quality in the report', () => {
  const quality = (reweighting?: NonNullable<ResultsDocument['templateQuality']>[number]['reweighting']): ResultsDocument => {
    const d = clone(doc);
    d.templateQuality = [{ windowId: d.config.windows[0].id, run: 0, sample: 'data', requested: 1000, nonFinite: 0, outOfRange: 2, redrawn: 2, dropped: 0, ...(reweighting ? { reweighting } : {}) }];
    return d;
  };

  it('shows the spread of the sideband-reweighting weights of run 0 when the template is reweighted', () => {
    const html = renderHtml(quality([
      { run: 1, sidebandEvents: 5000, generatorEvents: 10000, weightQuantiles: [0.5, 0.9, 1, 1.1, 3], clipped: 0, effectiveFraction: 0.99 },
      { run: 0, sidebandEvents: 5000, generatorEvents: 10000, weightQuantiles: [0.41, 0.93, 1, 1.07, 2.62], clipped: 3, effectiveFraction: 0.99 },
    ]), [], []);
    expect(html).toContain('<th>template weights</th>');
    expect(html).toContain('<td>0.93–1.07 (0.41–2.62); 3 clipped</td>');
    expect(html).not.toContain('0.90–1.10');
  });

  it('counts the validation events a flow left out as non-finite beside its log-likelihood', () => {
    const d = quality();
    d.templateQuality![0] = { ...d.templateQuality![0], validationLogLikelihood: [[-3.5, -3.25], [-3.4, -3.3]], validationNonFinite: [[1, 0], [0, 2]] };
    expect(renderHtml(d, [], [])).toContain('<td>-3.250 (3 non-finite left out)</td>');
    const clean = quality();
    clean.templateQuality![0] = { ...clean.templateQuality![0], validationLogLikelihood: [[-3.5, -3.25]] };
    expect(renderHtml(clean, [], [])).toContain('<td>-3.250</td>');
  });

  it('has no weights column for a template used as drawn', () => {
    const html = renderHtml(quality(), [], []);
    expect(html).toContain('Quality of the CATHODE template');
    expect(html).not.toContain('template weights');
  });
});
