/**
 * Issue 17 measurement (not part of CI): does giving every ensemble member its own fold split
 * (repeated cross-fitting, scores averaged per event, one pooled threshold) steady the real-LHCO
 * window-5 IAD better than the scan's recipe (K members sharing one split, per-fold thresholds,
 * mean Z over runs) for the same number of fits?
 *
 *   SEEDS=1,2,3,4,5,6,7,8,9,10 node --import tsx scripts/measure-repeated-crossfit.ts
 *
 * Reads ../shared/data/lhco-sr (innerdata_train + innerdata_test as data, extrabkg_sr as template),
 * the `default` preset's classifier (hgb, 200 iterations, 31 leaves, early stopping on half,
 * balanced), 5 folds. Prints, per recipe, Z_Cowan (one-sided, δsys = 0) at ε_B = 1e-2 / 1e-3 / 1e-4
 * as mean ± sd over seeds, the minimum and the per-seed values at 1e-3. Recipes (fits = 5 folds ×
 * members × splits):
 *  - `shared5x2`: the `default` preset (5 members on one split, per-fold thresholds), 2 runs, mean Z;
 *  - `repeatedRxM`: R one-member cross-fits on R different splits, scores averaged, pooled threshold;
 *    "x2" = two such runs, mean Z.
 */
import { join } from 'node:path';
import { readEvents } from '../lib/data/io/index.js';
import { EventTable } from '../lib/data/eventTable.js';
import { FEATURE_SETS } from '../lib/data/features.js';
import { featureMatrix } from '../lib/methods/features.js';
import { crossFit, runSeed } from '../lib/ml/crossFit.js';
import { sharedPool } from '../lib/ml/pool/pool.js';
import '../lib/ml/trees/hgb.js';
import { cutAndCount } from '../lib/stats/cutAndCount.js';
import { summarizeRuns } from '../lib/stats/runs.js';
import { presetConfig } from '../lib/scan/presets.js';

const dir = process.env.LHCO_SR ?? join(import.meta.dirname, '../../shared/data/lhco-sr');
const data = EventTable.concat([await readEvents(join(dir, 'innerdata_train.npy')), await readEvents(join(dir, 'innerdata_test.npy'))]);
const template = await readEvents(join(dir, 'extrabkg_sr.npy'));
const x = featureMatrix(data, FEATURE_SETS.baseline), t = featureMatrix(template, FEATURE_SETS.baseline);
const spec = presetConfig('default').classifier;
const epsilonB = [1e-2, 1e-3, 1e-4];
const pool = sharedPool();
const zOf = (templateScores: Float64Array, dataScores: Float64Array, folds?: { template: Uint8Array; data: Uint8Array }) =>
  cutAndCount({ templateScores, dataScores, folds }, { epsilonB, deltaSys: 0 }).map((r) => r.zCowanOneSided);
const mean = (zs: number[][]) => epsilonB.map((_, j) => zs.reduce((s, z) => s + z[j], 0) / zs.length);

async function shared(seed: number, members: number): Promise<number[]> {
  const r = await crossFit(spec, x, t, { k: 5, members, seed, classWeight: 'balanced', pool });
  return zOf(r.templateScores, r.dataScores, { template: r.templateFold, data: r.dataFold });
}
async function repeated(seed: number, splits: number): Promise<number[]> {
  const d = new Float64Array(x.rows), b = new Float64Array(t.rows);
  for (let s = 0; s < splits; s++) {
    const r = await crossFit(spec, x, t, { k: 5, members: 1, seed: runSeed(seed, s), classWeight: 'balanced', pool });
    r.dataScores.forEach((v, i) => (d[i] += v / splits));
    r.templateScores.forEach((v, i) => (b[i] += v / splits));
  }
  return zOf(b, d);
}

const recipes: Record<string, (seed: number) => Promise<number[]>> = {
  shared5x2: async (s) => mean([await shared(runSeed(s, 0), 5), await shared(runSeed(s, 1), 5)]),
  repeated5x2: async (s) => mean([await repeated(runSeed(s, 0), 5), await repeated(runSeed(s, 1), 5)]),
  repeated10x1: (s) => repeated(runSeed(s, 0), 10),
  repeated10x2: async (s) => mean([await repeated(runSeed(s, 0), 10), await repeated(runSeed(s, 1), 10)]),
  repeated20x1: (s) => repeated(runSeed(s, 0), 20),
};
const seeds = (process.env.SEEDS ?? '1,2,3,4,5').split(',').map(Number);
const results: Record<string, number[][]> = {};
for (const seed of seeds)
  for (const [name, recipe] of Object.entries(recipes)) (results[name] ??= []).push(await recipe(seed));
for (const [name, zs] of Object.entries(results)) {
  const cell = (j: number) => {
    const { mean: m, std } = summarizeRuns(zs.map((z) => z[j]), `${name} Z at ε_B ${epsilonB[j]}`);
    return `${m.toFixed(2)} ± ${zs.length > 1 ? std.toFixed(2) : 'n/a'}`;
  };
  console.log(`${name.padEnd(13)} ${epsilonB.map((_, j) => cell(j)).join(' | ')}   min at 1e-3 ${Math.min(...zs.map((z) => z[1])).toFixed(2)}   per seed ${zs.map((z) => z[1].toFixed(2)).join(' ')}`);
}
await pool.close();
process.exit(0);
