import type { ResultsDocument } from '../../lib/scan/results.js';
import { METHOD_LABELS } from '../../lib/scan/results.js';

const fmt = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/** The end-of-scan summary: window × method × ε_B with N_SR, N_obs, N_exp ± σ, δsys, Z. */
export function printScanTable(results: ResultsDocument): void {
  const rows: string[][] = [['window', 'centre', 'method', 'ε_B', 'N_SR', 'N_obs', 'N_exp ± σ_b', 'δsys', 'Z_simple', 'Z_Cowan']];
  const centre = new Map(results.config.windows.map((w) => [w.id, w.centre]));
  const sorted = [...results.aggregates].sort((a, b) => a.windowId - b.windowId || a.method.localeCompare(b.method) || b.epsilonB - a.epsilonB);
  for (const a of sorted) {
    const nSR = results.runs.find((r) => r.windowId === a.windowId && r.method === a.method)?.nSR ?? NaN;
    const z = (s: { mean: number; std: number }): string => (a.nRuns > 1 ? `${fmt(s.mean, 2)}±${fmt(s.std, 2)}` : fmt(s.mean, 2));
    rows.push([
      String(a.windowId), `${fmt(centre.get(a.windowId) ?? NaN, 1)} TeV`, METHOD_LABELS[a.method], a.epsilonB.toExponential(0), String(nSR),
      fmt(a.nObs.mean, 0), `${fmt(a.nExp.mean, 1)} ± ${fmt(a.sigmaB.mean, 1)}`, fmt(a.deltaSys, 3), z(a.z.simple), z(a.z.cowan),
    ]);
  }
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => (j >= 4 ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  }
  for (const l of results.lookElsewhere ?? [])
    console.log(`look-elsewhere ${METHOD_LABELS[l.method]} ε_B=${l.epsilonB}: max local Z ${fmt(l.localZMax, 2)} (window ${l.localZMaxWindowId}) → global Z ${l.globalZ !== null ? fmt(l.globalZ, 2) : l.globalZLower95 !== undefined ? `> ${fmt(l.globalZLower95, 2)} (95 % CL; no pseudo-experiment reached it)` : '∞ (local p-value underflows)'} (${l.nPseudoExperiments} pseudo-experiments; Šidák ${fmt(l.sidakBound.globalZ ?? Infinity, 2)})`);
  for (const n of results.notes ?? []) console.log(`note: ${n}`);
}
