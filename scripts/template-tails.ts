/**
 * Diagnostic (not part of CI): where does a scan's CATHODE template fall short of the SR events? For
 * each window and feature, the ratio (fraction of SR events) / (fraction of template events) beyond the
 * SR events' own quantiles q = 0.1 %, 1 %, 5 % and 95 %, 99 %, 99.9 %: 1 for a perfect template, > 1
 * where the template is too thin. Reads a finished scan's plan and cache (the stored template samples),
 * reloads the sample the plan names and checks it is the one the scan hashed.
 *
 *   node --import tsx scripts/template-tails.ts out/default [--sample control|data] [--cache dir]
 *
 * On a signal-free control sample this is the template's mismodelling; on data the tails also hold signal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { ResultCache } from '../lib/scan/cache.js';
import { loadScanDataset, sampleIdentity } from '../lib/scan/dataset.js';
import { deriveFeatures } from '../lib/data/features.js';
import { signalRegionMask, type Window } from '../lib/windows/index.js';
import { featureMatrix, featureNames } from '../lib/methods/features.js';

const { values, positionals } = parseArgs({ allowPositionals: true, options: { sample: { type: 'string', default: 'control' }, cache: { type: 'string' } } });
const outDir = positionals[0];
if (!outDir) throw new Error('usage: template-tails.ts <scan output directory> [--sample control|data] [--cache dir]');
const plan = JSON.parse(readFileSync(join(outDir, 'plan.json'), 'utf8'));
const sample = values.sample!;
const spec = sample === 'data' ? plan.config.dataset : plan.config[sample];
if (!spec) throw new Error(`${outDir}/plan.json: the scan has no ${sample} sample`);
const loaded = await loadScanDataset(spec, sample);
if (sampleIdentity(loaded) !== plan.datasets[sample]) throw new Error(`${sample}: the reloaded sample is not the one ${outDir}/plan.json hashed`);
const events = loaded.events.has('mJ1') ? loaded.events : deriveFeatures(loaded.events);
const names = featureNames(plan.config.features);
const cache = new ResultCache(values.cache ?? join(outDir, 'cache'));
const qs = [0.001, 0.01, 0.05, 0.95, 0.99, 0.999];
const sums: number[][] = names.map(() => qs.map(() => 0));
// Cells where no template event lies beyond the cut (ratio infinite) are printed as such and left out of the mean.
const counts: number[][] = names.map(() => qs.map(() => 0));
let windows = 0;
console.log(`data/template beyond the SR events' quantiles q = ${qs.join(', ')} (${sample} sample)`);
for (const w of plan.windows as Window[]) {
  const task = plan.tasks.find((t: { kind: string; sample: string; windowId: number }) => t.kind === 'flow' && t.sample === sample && t.windowId === w.id);
  if (!task) continue;
  const entry = cache.get<{ nSamples: number; cols: number }>(task.key);
  if (!entry) throw new Error(`window ${w.id}: the ${sample} flow task is not in the cache`);
  const t = entry.arrays.samples as Float64Array, nt = entry.value.nSamples, d = entry.value.cols;
  const sr = featureMatrix(events, names, signalRegionMask(events, w));
  const line = names.map((name: string, j: number) => {
    const data = Float64Array.from({ length: sr.rows }, (_, i) => sr.data[i * d + j]).sort();
    return `${name} ${qs.map((q, k) => {
      const cut = data[Math.floor(q * data.length)];
      let beyond = 0;
      for (let r = 0; r < nt; r++) if (q < 0.5 ? t[r * d + j] < cut : t[r * d + j] > cut) beyond++;
      if (beyond === 0) return 'inf';
      const ratio = (q < 0.5 ? q : 1 - q) / (beyond / nt);
      sums[j][k] += ratio;
      counts[j][k]++;
      return ratio.toFixed(2);
    }).join('/')}`;
  });
  windows++;
  console.log(`window ${w.id} (${w.srLow}–${w.srHigh}): ${line.join('  ')}`);
}
console.log(`mean over ${windows} windows:`);
names.forEach((name: string, j: number) => console.log(`  ${name.padEnd(8)} ${sums[j].map((s, k) => (counts[j][k] ? (s / counts[j][k]).toFixed(3) : 'inf') + (counts[j][k] < windows ? ` (${counts[j][k]} windows)` : '')).join('  ')}`));
