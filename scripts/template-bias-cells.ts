/**
 * Diagnostic (not part of CI): issue 21 item 2's test on finished scans — does the CATHODE template
 * predict the background passing each ε_B cut, with no δsys at all?
 *
 *   node --import tsx scripts/template-bias-cells.ts out/default [out/other ...] [--epsilon-b 0.01,0.001]
 *
 * Per (window, ε_B) cell, two background-only samples:
 *  - data: the background events passing (N_obs minus the signal events passing, from the labels; the
 *    whole N_obs when the data carry no labels) against ε_eff × N_SR,bkg, Z_Cowan with only the
 *    template's counting error, mean over the scan's runs; after the semicolon, the same events against
 *    the scan's own N_exp and σ_b (δsys applied), scaled to the background's share of the SR;
 *  - control (when the scan has one): its per-window MC δsys over its counting error (once, when several
 *    scans share one control sample through one cache).
 * Prints each cell's bias and Z, and per sample and ε_B the number of cells with Z > 3, mean and sd of Z.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { zCowan, zCowanAbsolute } from '../lib/stats/significance.js';
import { deltaOfWindow } from '../lib/stats/dsys.js';
import { summarizeRuns } from '../lib/stats/runs.js';

interface RunRow {
  windowId: number; method: string; epsilonB: number; nSR: number; nObs: number; epsilonEff: number;
  nTemplatePassEff: number; nExp: number; sigmaB: number; nSignalSR?: number; nSignalPass?: number;
}
interface Cell { sample: string; windowId: number; epsilonB: number; bias: number; z: number; zScan?: number }

const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'epsilon-b': { type: 'string', default: '0.01,0.001' } } });
if (positionals.length === 0) throw new Error('usage: template-bias-cells.ts <scan output directory> [...] [--epsilon-b 0.01,0.001]');
const epsilonBs = values['epsilon-b']!.split(',').map(Number);
const mean = (v: number[]): number => summarizeRuns(v).mean;
/** Cells above Z = 3, mean, sd and largest Z of a set of cells. */
const zSummary = (z: number[]): string => {
  const s = summarizeRuns(z);
  return `Z > 3 in ${z.filter((v) => v > 3).length}, mean ${s.mean.toFixed(2)}, sd ${s.std.toFixed(2)}, max ${s.max.toFixed(2)}`;
};

const all: Cell[] = [];
// Scans sharing a control sample and its cached flows and classifiers share its cells: count them once.
const controlsSeen = new Set<string>();
for (const dir of positionals) {
  const results = JSON.parse(readFileSync(join(dir, 'results.json'), 'utf8'));
  const scan = results.config.scanConfig;
  const modelOf = (spec: { generate?: { backgroundModel?: string }; paths?: string[] } | undefined): string =>
    spec?.generate ? spec.generate.backgroundModel ?? 'default' : `file ${spec?.paths?.join(', ') ?? '?'}`;
  const dataModel = modelOf(scan.dataset), controlModel = modelOf(scan.control);
  const cells: Cell[] = [];
  const rows = (results.runs as RunRow[]).filter((r) => r.method === 'cathode' && epsilonBs.includes(r.epsilonB));
  for (const key of new Set(rows.map((r) => `${r.windowId}:${r.epsilonB}`))) {
    const group = rows.filter((r) => `${r.windowId}:${r.epsilonB}` === key);
    const per = group.map((r) => {
      const nBkg = r.nSR - (r.nSignalSR ?? 0), pass = r.nObs - (r.nSignalPass ?? 0), nExp = r.epsilonEff * nBkg;
      // The scan's own expectation (δsys applied, its σ_b) for the background alone: scaled to N_SR,bkg.
      const scale = nBkg / r.nSR;
      return { bias: deltaOfWindow(pass, r.epsilonEff, nBkg), z: zCowan(pass, nExp, 1 / Math.sqrt(r.nTemplatePassEff)), zScan: zCowanAbsolute(pass, r.nExp * scale, r.sigmaB * scale) };
    });
    cells.push({ sample: `data (${dataModel})`, windowId: group[0].windowId, epsilonB: group[0].epsilonB, bias: mean(per.map((p) => p.bias)), z: mean(per.map((p) => p.z)), zScan: mean(per.map((p) => p.zScan)) });
  }
  const controlKey = JSON.stringify((results.deltaSys ?? []).filter((d: { method: string; source: string }) => d.method === 'cathode' && d.source === 'mc'));
  const newControl = !controlsSeen.has(controlKey);
  controlsSeen.add(controlKey);
  for (const d of newControl ? results.deltaSys ?? [] : []) {
    if (d.method !== 'cathode' || d.source !== 'mc' || !epsilonBs.includes(d.epsilonB)) continue;
    for (const w of d.perWindow) cells.push({ sample: `control (${controlModel})`, windowId: w.windowId, epsilonB: d.epsilonB, bias: w.value, z: w.value / w.stdErr });
  }
  console.log(`\n${dir}`);
  for (const sample of new Set(cells.map((c) => c.sample)))
    for (const eb of epsilonBs) {
      const c = cells.filter((x) => x.sample === sample && x.epsilonB === eb).sort((a, b) => a.windowId - b.windowId);
      if (c.length === 0) continue;
      console.log(`  ${sample.padEnd(24)} ε_B ${String(eb).padEnd(6)} ${c.map((x) => `${x.windowId}:${x.bias >= 0 ? '+' : ''}${x.bias.toFixed(3)}(${x.z.toFixed(1)}${x.zScan === undefined ? '' : `; ${x.zScan.toFixed(1)}`})`).join(' ')}`);
    }
  all.push(...cells.map((c) => ({ ...c, sample: `${c.sample.split(' ')[0]}` })));
}
console.log('\nbias (Z with δsys = 0[; Z as the scan computes it]) per window; summary over every directory:');
for (const sample of new Set(all.map((c) => c.sample)))
  for (const eb of epsilonBs) {
    const z = all.filter((c) => c.sample === sample && c.epsilonB === eb).map((c) => c.z);
    if (z.length === 0) continue;
    console.log(`  ${sample.padEnd(8)} ε_B ${String(eb).padEnd(6)} cells ${z.length}: ${zSummary(z)}`);
    const zs = all.filter((c) => c.sample === sample && c.epsilonB === eb && c.zScan !== undefined).map((c) => c.zScan!);
    if (zs.length > 0) console.log(`  ${''.padEnd(8)} ${''.padEnd(10)} with the scan's δsys and σ_b: ${zSummary(zs)}`);
  }
