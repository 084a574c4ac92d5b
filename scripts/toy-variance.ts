/**
 * Diagnostic (not part of CI): where a toy study's Z width beyond 1 comes from, for a method corrected by
 * a control's MC δsys. Reads the toys' results (`scripts/toyStudy.ts --out DIR`) and prints per ε_B:
 *  - Z_Cowan mean and sd over the cells;
 *  - the rms of δ_data − δsys (the data's own bias in a window minus the control's mean), against the rms
 *    the cut-and-count assumes from counting alone (data, template, σ_δsys) and the τ it adds;
 *  - in how many cells τ came out 0: from three windows it has 2 degrees of freedom, so it is 0 in many
 *    toys and large in others.
 * What the assumed terms leave unexplained is a part of the data template's error that a control's
 * window-to-window spread does not see: the flows of one dataset share it (docs/benchmarks.md).
 *
 *   node --import tsx scripts/toy-variance.ts out/toys-defrw [--method cathode]
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deltaOfWindow } from '../lib/stats/dsys.js';
import { summarizeRuns } from '../lib/stats/runs.js';

interface Row { windowId: number; method: string; epsilonB: number; nSR: number; nObs: number; epsilonEff: number; nTemplatePassEff: number; zCowan: number }
interface Shift { method: string; source: string; epsilonB: number; mean: number; statError: number; intrinsicSpread?: number }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { method: { type: 'string', default: 'cathode' } } });
if (positionals.length !== 1) throw new Error('usage: toy-variance.ts <toy study directory> [--method cathode]');
const variantsDir = join(positionals[0], 'scratch', 'variants');
const cells: { epsilonB: number; z: number; residual: number; countingVar: number; tau: number }[] = [];
let toys = 0;
for (const toy of readdirSync(variantsDir)) {
  let results: { runs: Row[]; deltaSys: Shift[] };
  try { results = JSON.parse(readFileSync(join(variantsDir, toy, 'results.json'), 'utf8')); } catch { continue; } // an unfinished toy
  toys++;
  for (const r of results.runs.filter((x) => x.method === values.method)) {
    const shift = results.deltaSys.find((d) => d.method === r.method && d.source === 'mc' && d.epsilonB === r.epsilonB);
    if (!shift) continue;
    const expected = r.epsilonEff * r.nSR;
    cells.push({
      epsilonB: r.epsilonB, z: r.zCowan, residual: deltaOfWindow(r.nObs, r.epsilonEff, r.nSR) - shift.mean,
      countingVar: 1 / expected + 1 / r.nTemplatePassEff + shift.statError ** 2, tau: shift.intrinsicSpread ?? 0,
    });
  }
}
console.log(`${positionals[0]}: ${toys} toys, method ${values.method}`);
const rms = (v: number[]): number => Math.sqrt(v.reduce((a, b) => a + b * b, 0) / v.length);
for (const epsilonB of [...new Set(cells.map((x) => x.epsilonB))].sort((a, b) => b - a)) {
  const own = cells.filter((x) => x.epsilonB === epsilonB);
  const z = summarizeRuns(own.map((x) => x.z));
  const observed = rms(own.map((x) => x.residual)), counting = Math.sqrt(own.reduce((a, x) => a + x.countingVar, 0) / own.length);
  const tau = Math.sqrt(own.reduce((a, x) => a + x.tau ** 2, 0) / own.length);
  const unexplained = Math.sqrt(Math.max(0, observed ** 2 - counting ** 2 - tau ** 2));
  console.log(`  ε_B ${epsilonB}: ${own.length} cells, Z mean ${z.mean.toFixed(2)} ± ${z.stdErr.toFixed(2)}, sd ${z.std.toFixed(2)}`);
  console.log(`    rms(δ_data − δsys) ${observed.toFixed(3)}; assumed: counting ${counting.toFixed(3)}, τ (rms of the toys') ${tau.toFixed(3)}; unexplained ${unexplained.toFixed(3)}; τ = 0 in ${own.filter((x) => x.tau === 0).length} cells`);
}
