import type { CellAggregate, ResultsDocument } from '../../lib/scan/results.js';
import { METHOD_LABELS } from '../../lib/scan/results.js';
import { condensedNotes, globalPSource } from '../../lib/report/notes.js';
import { formatMass } from '../../lib/windows/index.js';

const fmt = (x: number, d = 1): string => (Number.isFinite(x) ? x.toFixed(d) : String(x));

/**
 * δsys as measured ± its counting error; in parentheses when compatible with zero (|δ| ≤ σ_δ: not
 * applied to N_exp, only its error enters σ_b). A configured δsys has no error.
 */
export function deltaSysLabel(a: Pick<CellAggregate, 'deltaSys' | 'deltaSysMeasured' | 'deltaSysStatError'>, digits = 3): string {
  if (a.deltaSysStatError === undefined) return fmt(a.deltaSys, digits);
  const measured = a.deltaSysMeasured ?? a.deltaSys;
  const s = `${fmt(measured, digits)}±${fmt(a.deltaSysStatError, digits)}`;
  return a.deltaSys === 0 && measured !== 0 ? `(${s})` : s;
}

/**
 * The end-of-scan summary: window × method × ε_B with N_SR, N_obs, N_exp ± σ, δsys ± σ_δsys, Z.
 * Cells whose template cannot resolve ε_B show "—" and a footnote with the reason.
 */
export function printScanTable(results: ResultsDocument): void {
  const rows: string[][] = [['window', 'centre', 'method', 'ε_B', 'N_SR', 'N_obs', 'N_exp ± σ_b', 'δsys ± σ', 'Z_simple', 'Z_Cowan']];
  const centre = new Map(results.config.windows.map((w) => [w.id, w.centre]));
  type Line = { windowId: number; method: string; epsilonB: number; cells: string[] };
  const lines: Line[] = [];
  for (const a of results.aggregates) {
    const nSR = results.runs.find((r) => r.windowId === a.windowId && r.method === a.method)?.nSR ?? NaN;
    // Several runs: every number is the mean over runs ± its spread (std).
    const spread = (s: { mean: number; std: number }, d: number): string => (a.nRuns > 1 ? `${fmt(s.mean, d)}±${fmt(s.std, d)}` : fmt(s.mean, d));
    lines.push({
      windowId: a.windowId, method: a.method, epsilonB: a.epsilonB,
      cells: [String(nSR), spread(a.nObs, 0), `${spread(a.nExp, 1)} ± ${fmt(a.sigmaB.mean, 1)}`, deltaSysLabel(a), spread(a.z.simple, 2), spread(a.z.cowan, 2)],
    });
  }
  const refused = results.refusedCells ?? [];
  refused.forEach((r, i) => {
    const mark = `—[${i + 1}]`;
    lines.push({ windowId: r.windowId, method: r.method, epsilonB: r.epsilonB, cells: ['', '—', '—', '—', mark, mark] });
  });
  lines.sort((a, b) => a.windowId - b.windowId || a.method.localeCompare(b.method) || b.epsilonB - a.epsilonB);
  for (const l of lines)
    rows.push([String(l.windowId), `${formatMass(centre.get(l.windowId) ?? NaN)} TeV`, METHOD_LABELS[l.method as keyof typeof METHOD_LABELS], l.epsilonB.toExponential(0), ...l.cells]);
  const widths = rows[0].map((_, j) => Math.max(...rows.map((r) => r[j].length)));
  for (const [i, r] of rows.entries()) {
    console.log(r.map((c, j) => (j >= 4 ? c.padStart(widths[j]) : c.padEnd(widths[j]))).join('  '));
    if (i === 0) console.log(widths.map((w) => '─'.repeat(w)).join('  '));
  }
  if (results.aggregates.some((a) => a.deltaSysStatError !== undefined))
    console.log('δsys ± σ: measured shift ± its counting error; in parentheses when |δsys| ≤ σ (compatible with zero: N_exp not shifted, σ enters σ_b)');
  refused.forEach((r, i) =>
    console.log(`[${i + 1}] window ${r.windowId}, ${METHOD_LABELS[r.method]}, ε_B=${r.epsilonB}: refused, no significance — ${r.reason} (ε_eff would be ${r.epsilonEff.toPrecision(2)})`),
  );
  for (const l of results.lookElsewhere ?? []) {
    const how = globalPSource(l);
    console.log(`look-elsewhere ${METHOD_LABELS[l.method]} ε_B=${l.epsilonB}: max local Z ${fmt(l.localZMax, 2)} (window ${l.localZMaxWindowId}) → global Z ${l.globalZ !== null ? fmt(l.globalZ, 2) : l.globalZLower95 !== undefined ? `> ${fmt(l.globalZLower95, 2)} (95 % CL; no pseudo-experiment reached it)` : '∞ (local p-value underflows)'} (${how}; Šidák ${fmt(l.sidakBound.globalZ ?? Infinity, 2)})`);
  }
  for (const n of condensedNotes(results)) console.log(`note: ${n}`);
}
