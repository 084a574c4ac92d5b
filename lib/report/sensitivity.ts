/**
 * Report page of a sensitivity sweep (`sidewinder sensitivity`): the signal window's Z against the
 * injected signal (median and 16–84 % band over runs, one panel per ε_B, Z = 3 and 5 marked), the same
 * against S/B and S/√B in the window, and max SIC against the injected signal; the summary table.
 * One self-contained HTML (`sensitivity-report.html`, inline SVG) plus the SVG files, written atomically.
 */
import type { TopLevelSpec } from 'vega-lite';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomicWrite.js';
import { METHOD_LABELS } from '../scan/results.js';
import type { SensitivityDocument } from '../scan/sensitivity.js';
import { BASE_CONFIG, formatPowerOfTen, methodColourScale, type PlotSpec } from './plots/common.js';
import { writePlotSections } from './plotSections.js';
import { escapeHtml } from './html.js';

const fmt = (x: number | null | undefined, d = 2): string => (x === null || x === undefined || !Number.isFinite(x) ? '—' : x.toFixed(d));
const fmtSmall = (x: number): string => (x !== 0 && Math.abs(x) < 0.01 ? x.toExponential(1) : fmt(x, 3));

/** The table printed by the command and shown in the report. */
export function formatSensitivityTable(doc: SensitivityDocument): string {
  const w = doc.signalWindow;
  const lines = [
    `signal window ${w.id}: ${w.srLow.toFixed(2)} < m_JJ < ${w.srHigh.toFixed(2)} TeV (centre ${w.centre.toFixed(2)}) — ${w.reason}`,
    `Z_Cowan (signed) of the signal window: median [16 %, 84 %] over ${doc.runs} run${doc.runs === 1 ? '' : 's'} per level`,
    '',
  ];
  const pad = (cells: string[], widths: number[]) => cells.map((c, j) => (j === 0 ? c.padEnd(widths[j]) : c.padStart(widths[j]))).join('  ');
  const countRows = [['injected', 'S in SR', 'B in SR', 'S/B', 'S/√B']];
  for (const c of doc.counts) countRows.push([String(c.signal), fmt(c.nSignalSR.median, 0), fmt(c.nBackgroundSR.median, 0), fmtSmall(c.sOverB.median), fmt(c.sOverSqrtB.median, 2)]);
  const cw = countRows[0].map((_, j) => Math.max(...countRows.map((r) => r[j].length)));
  lines.push(...countRows.map((r) => pad(r, cw)), '');
  const head = ['method', 'ε_B', ...doc.levels.map((l) => `Z @ ${l}`), 'S for 3σ', 'S for 5σ'];
  const rows = [head];
  for (const m of doc.methods)
    for (const e of doc.epsilonB) {
      const zs = doc.levels.map((l) => {
        const p = doc.points.find((x) => x.method === m && x.epsilonB === e && x.signal === l);
        if (!p?.zCowan) return 'refused';
        const z = p.zCowan;
        return doc.runs > 1 ? `${fmt(z.median)} [${fmt(z.q16)}, ${fmt(z.q84)}]` : fmt(z.median);
      });
      const need = [3, 5].map((z) => {
        const t = doc.signalForZ.find((x) => x.method === m && x.epsilonB === e && x.z === z);
        if (!t || t.signal === null) return 'not reached';
        return t.status === 'interpolated' ? `${Math.round(t.signal)}` : `≤ ${t.signal}`;
      });
      rows.push([METHOD_LABELS[m] ?? m, String(e), ...zs, ...need]);
    }
  const sicRow = (m: string) => doc.levels.map((l) => {
    const s = doc.sic.find((x) => x.method === m && x.signal === l)?.maxSic;
    return s ? (doc.runs > 1 ? `${fmt(s.median)} [${fmt(s.q16)}, ${fmt(s.q84)}]` : fmt(s.median)) : '—';
  });
  for (const m of doc.methods) rows.push([`${METHOD_LABELS[m] ?? m} max SIC`, '', ...sicRow(m), '', '']);
  const widths = head.map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  lines.push(...rows.map((r) => pad(r, widths)));
  return lines.join('\n');
}

type XKey = 'signal' | 'sOverB' | 'sOverSqrtB';
const X_TITLES: Record<XKey, string> = { signal: 'injected signal events', sOverB: 'S/B in the signal window (median over runs)', sOverSqrtB: 'S/√B in the signal window (median over runs)' };

function xOf(doc: SensitivityDocument, key: XKey, level: number): number {
  if (key === 'signal') return level;
  const c = doc.counts.find((x) => x.signal === level)!;
  return key === 'sOverB' ? c.sOverB.median : c.sOverSqrtB.median;
}

/** Z of the signal window against `x`, one panel per ε_B: median line, 16–84 % band, Z = 3 and 5 lines. */
export function zPlot(doc: SensitivityDocument, key: XKey): PlotSpec {
  const colours = methodColourScale(doc.methods);
  const panels = doc.epsilonB.map((e) => {
    const data = doc.points.filter((p) => p.epsilonB === e && p.zCowan).map((p) => ({
      x: xOf(doc, key, p.signal), method: METHOD_LABELS[p.method] ?? p.method, z: p.zCowan!.median, lo: p.zCowan!.q16, hi: p.zCowan!.q84, runs: p.nRuns,
    }));
    const x = { field: 'x', type: 'quantitative' as const, title: X_TITLES[key] };
    const color = { field: 'method', type: 'nominal' as const, scale: colours, title: null };
    return {
      width: 300, height: 240, title: `ε_B = ${formatPowerOfTen(e)}`,
      layer: [
        { data: { values: data }, mark: { type: 'area' as const, opacity: 0.18 }, encoding: { x, y: { field: 'lo', type: 'quantitative' as const }, y2: { field: 'hi' }, color } },
        { data: { values: data }, mark: { type: 'line' as const, point: true }, encoding: { x, y: { field: 'z', type: 'quantitative' as const, title: 'Z (Cowan) of the signal window' }, color } },
        { data: { values: [{ z: 3, label: '3σ' }, { z: 5, label: '5σ' }] }, mark: { type: 'rule' as const, strokeDash: [4, 3], color: '#666' }, encoding: { y: { field: 'z', type: 'quantitative' as const } } },
      ],
    };
  });
  const what = key === 'signal' ? 'injected signal' : key === 'sOverB' ? 'S/B' : 'S/√B';
  return {
    id: `sensitivity-z-vs-${key}`, title: `Significance vs ${what}`,
    caption: `Signed Cowan Z of window ${doc.signalWindow.id} (${doc.signalWindow.srLow.toFixed(2)}–${doc.signalWindow.srHigh.toFixed(2)} TeV): median over ${doc.runs} run${doc.runs === 1 ? '' : 's'} per level, band 16–84 % of the runs; dashed lines Z = 3 and 5.` +
      (key === 'signal' ? '' : ` S and B are the true signal and background events in the window's SR, median over runs.`),
    spec: { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config: BASE_CONFIG, hconcat: panels } as TopLevelSpec,
  };
}

/** max SIC of the signal window's classifier against the injected signal. */
export function sicPlot(doc: SensitivityDocument): PlotSpec | null {
  const data = doc.sic.filter((s) => s.maxSic).map((s) => ({ x: s.signal, method: METHOD_LABELS[s.method] ?? s.method, sic: s.maxSic!.median, lo: s.maxSic!.q16, hi: s.maxSic!.q84 }));
  if (!data.length) return null;
  const x = { field: 'x', type: 'quantitative' as const, title: 'injected signal events', scale: { zero: true } };
  const color = { field: 'method', type: 'nominal' as const, scale: methodColourScale(doc.methods), title: null };
  return {
    id: 'sensitivity-sic', title: 'Max SIC vs injected signal',
    caption: 'Largest SIC = TPR/√FPR (points with ≥ 10 background events passing) of the signal window\'s classifier on the SR data, truth labels, from each scan\'s stored ROC (≤ 200 points, so a slight underestimate); median and 16–84 % band over runs. SIC = 1: the cut does not help S/√B.',
    spec: {
      $schema: 'https://vega.github.io/schema/vega-lite/v5.json', config: BASE_CONFIG, width: 380, height: 260,
      layer: [
        { data: { values: data }, mark: { type: 'area', opacity: 0.18 }, encoding: { x, y: { field: 'lo', type: 'quantitative' }, y2: { field: 'hi' }, color } },
        { data: { values: data }, mark: { type: 'line', point: true }, encoding: { x, y: { field: 'sic', type: 'quantitative', title: 'max SIC' }, color } },
        { data: { values: [{ y: 1 }] }, mark: { type: 'rule', strokeDash: [4, 3], color: '#666' }, encoding: { y: { field: 'y', type: 'quantitative' } } },
      ],
    } as TopLevelSpec,
  };
}

/** Every plot of the page, in order. */
export function sensitivityPlots(doc: SensitivityDocument): PlotSpec[] {
  const plots = (['signal', 'sOverB', 'sOverSqrtB'] as const).map((k) => zPlot(doc, k));
  const s = sicPlot(doc);
  if (s) plots.push(s);
  return plots;
}

/** Write `sensitivity-report.html` and the SVGs into `outDir`. */
export async function writeSensitivityReport(doc: SensitivityDocument, outDir: string): Promise<{ html: string; svgs: string[] }> {
  const { sections, svgs } = await writePlotSections(sensitivityPlots(doc), outDir);
  const src = doc.source.kind === 'generated'
    ? `generated data (preset ${doc.source.preset}, ${doc.source.backgroundEvents ?? '?'} background events); run r moves every seed by 1000·r, the levels of one run share their background`
    : `background ${(doc.source.backgroundFiles ?? []).join(' + ')} with events drawn without replacement from ${doc.source.signalFile} (${doc.source.signalFileEvents} events), seeded per level and run`;
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>sidewinder sensitivity</title>
<style>body{font-family:'DejaVu Sans',sans-serif;max-width:1200px;margin:2em auto;color:#222}pre{background:#f6f6f6;padding:1em;overflow-x:auto}.caption{color:#555;font-size:0.9em}</style></head><body>
<h1>Sensitivity: significance vs injected signal</h1>
<p>${escapeHtml(src)}. Levels ${doc.levels.join(', ')}; ${doc.runs} run${doc.runs === 1 ? '' : 's'} per level; windows ${doc.windows.join(', ')}. Each (level, run) is a scan: variants/&lt;id&gt;/results.json.</p>
<h2>Summary</h2><pre>${escapeHtml(formatSensitivityTable(doc))}</pre>
${sections.join('\n')}
<p class="caption">${escapeHtml(doc.writer)}, ${escapeHtml(doc.createdAt)}</p>
</body></html>`;
  const htmlPath = join(outDir, 'sensitivity-report.html');
  await writeFileAtomic(htmlPath, html);
  return { html: htmlPath, svgs };
}
