/**
 * Issue 21 measurement (not part of CI): how much more background a CATHODE template lets pass than
 * the background-only SR data it stands for, one window, δsys = 0.
 *
 *   BG=default|alternative SEED=1 MODE=running|training-set NBKG=1000000 npx tsx scripts/measure-template-bias.ts
 *
 * Generates NBKG background events, trains the `default` flow preset on ≤ 300k sideband events of window
 * 5 (3.3–3.7 TeV; 80 % training, 20 % validation) with the given batch-norm statistics, samples 4 × N_SR
 * template events at KDE masses, cross-fits the scan's gradient-boosted classifier (5 folds) SR data vs
 * template and prints N_obs / N_exp at ε_B = 1e-2 and 1e-3. With MODE=running it also prints the
 * same weights sampled with the full training set's statistics (only the statistics swapped).
 */
import { generateLhcoLike } from '../lib/data/generate/index.js';
import type { BackgroundModelName } from '../lib/data/generate/params.js';
import { deriveFeatures, FEATURE_SETS } from '../lib/data/features.js';
import { fitConditionalFlow, loadFlow, preprocess, sampleIntoWindow, MafLayout, type FittedFlow, type FlowDocument } from '../lib/ml/flows/index.js';
import { MafWorkspace, trainingSetBatchNormStatsInto } from '../lib/ml/flows/maf.js';
import { createRng } from '../lib/util/rng.js';
import { crossFit } from '../lib/ml/crossFit.js';
import '../lib/ml/trees/hgb.js';
import { cutAndCount } from '../lib/stats/cutAndCount.js';
import type { Matrix } from '../lib/ml/matrix.js';

const seed = Number(process.env.SEED ?? 1), nBkg = Number(process.env.NBKG ?? 1_000_000);
const mode = (process.env.MODE ?? 'training-set') as 'running' | 'training-set';
const bg = (process.env.BG ?? 'default') as BackgroundModelName;
const lo = 3.3, hi = 3.7;
const ev = deriveFeatures(generateLhcoLike({ background: nBkg, signal: 0, seed, backgroundModel: bg }));
const mjj = ev.column('mJJ'), cols = FEATURE_SETS.baseline.map((n) => ev.column(n));
const sb: number[] = [], sr: number[] = [];
for (let i = 0; i < mjj.length; i++) (mjj[i] > lo && mjj[i] < hi ? sr : sb).push(i);
const take = (idx: ArrayLike<number>): { x: Matrix<Float64Array>; m: Float64Array } => {
  const x = new Float64Array(idx.length * 4);
  for (let r = 0; r < idx.length; r++) cols.forEach((c, j) => (x[r * 4 + j] = c[idx[r]]));
  return { x: { data: x, rows: idx.length, cols: 4 }, m: Float64Array.from(idx, (i) => mjj[i]) };
};
const perm = createRng(seed).fork('perm').permutation(sb.length);
const nUse = Math.min(300_000, sb.length), nTr = Math.round(0.8 * nUse);
const tr = take(Array.from(perm.subarray(0, nTr), (p) => sb[p])), va = take(Array.from(perm.subarray(nTr, nUse), (p) => sb[p]));
const data = take(sr);
const t0 = Date.now();
const flow = await fitConditionalFlow(tr.x, tr.m, { preset: 'default', seed, maxEvents: null, batchNormStatistics: mode, xVal: va.x, mVal: va.m });
console.log(`${bg} seed ${seed} ${mode}: flow ${((Date.now() - t0) / 1000).toFixed(0)} s on ${nTr} events; kept epochs ${flow.members.map((m) => m.epoch).join(',')}; SR data ${sr.length}`);
const templates: [string, FittedFlow][] = [[mode, flow]];
if (mode === 'running') {
  const doc = JSON.parse(JSON.stringify(flow.toJSON())) as FlowDocument;
  doc.options.batchNormStatistics = 'training-set';
  const swapped = loadFlow(doc), layout = new MafLayout(swapped.shape), p = preprocess(swapped.preprocessing, tr.x, tr.m);
  for (const mb of swapped.members)
    trainingSetBatchNormStatsInto(layout, mb.params, mb.bnStats, { eps: swapped.options.batchNormEps, momentum: 0 }, new MafWorkspace(layout, 2048), p.y, p.c, p.kept.length);
  templates.push(['same weights, training-set statistics', swapped]);
}
for (const [name, f] of templates) {
  const tpl = sampleIntoWindow(f, data.m, { lo, hi }, { seed, oversampling: 4 });
  const fit = await crossFit({ kind: 'hgb', options: { maxIter: 200, maxLeafNodes: 31, learningRate: 0.1, earlyStopping: true, validationFraction: 0.5 } }, data.x, tpl.x, { k: 5, seed, classWeight: 'balanced' });
  const rows = cutAndCount({ templateScores: fit.templateScores, dataScores: fit.dataScores, folds: { data: fit.dataFold, template: fit.templateFold } }, { epsilonB: [1e-2, 1e-3], deltaSys: 0 });
  console.log(`  ${name}: ${rows.map((r) => `ε_B ${r.epsilonB}: N_obs ${r.nObs} / N_exp ${r.nExp.toFixed(1)} = ${(r.nObs / r.nExp).toFixed(3)} (Z ${r.zCowan.toFixed(2)})`).join('; ')}; redrawn ${tpl.check?.redrawn}`);
}
