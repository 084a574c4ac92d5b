/**
 * Cross-fitted ensembles of boosted trees, IAD-sized: the LHCO SR data (innerdata_train + _test,
 * 122k events, label 1) vs the extra SR background (40k, label 0), 4 features, 5 folds, the
 * default preset's classifier (200 iterations, 31 leaves, early stopping on half), balanced.
 * For ensemble sizes 1, 5, 10: CPU seconds per member (fold fit + scoring, averaged over the 5
 * folds) and member-events per CPU second (members × events cross-fitted / CPU s), for
 * - before: every member bins its own training rows (`shareBinning: false`, the path of every
 *   ensemble before shared binning; still the path of one-member ensembles), and
 * - after: one binning per fold shared by its members (`shareBinning: true`, the default).
 * Runs inline (pool size 0) so process CPU time is the work itself: the machine is shared and wall
 * time is noise. A final line gives wall time on a 2-worker pool for ensemble 10 (after), for
 * scale only. Without the LHCO SR files a seeded Gaussian toy of the same size stands in.
 */
import '../../lib/ml/trees/hgb.js';
import { crossFit } from '../../lib/ml/crossFit.js';
import { WorkerPool } from '../../lib/ml/pool/pool.js';
import { matrix, type Matrix } from '../../lib/ml/matrix.js';
import { createRng } from '../../lib/util/rng.js';
import { lhcoSrDir, readSrFeatures } from '../../test/helpers/lhcoSr.js';

const CLASSIFIER = { maxIter: 200, maxLeafNodes: 31, learningRate: 0.1, earlyStopping: true, validationFraction: 0.5 };

function iadSets(): { data: Matrix<Float64Array>; template: Matrix<Float64Array>; what: string } {
  if (lhcoSrDir) {
    const a = readSrFeatures('innerdata_train.npy'), b = readSrFeatures('innerdata_test.npy'), t = readSrFeatures('extrabkg_sr.npy');
    const d = new Float64Array((a.rows + b.rows) * 4);
    d.set(a.data, 0);
    d.set(b.data, a.rows * 4);
    return { data: matrix(d, a.rows + b.rows, 4), template: matrix(t.data, t.rows, 4), what: `LHCO SR: ${a.rows + b.rows} SR data vs ${t.rows} extra SR background` };
  }
  const rng = createRng(1);
  const make = (n: number, shift: number) => matrix(Float64Array.from({ length: n * 4 }, (_, i) => rng.normal() + (i % 4 === 0 ? shift : 0)), n, 4);
  return { data: make(122_000, 0.05), template: make(40_000, 0), what: 'Gaussian toy (LHCO SR files not found), 122,000 vs 40,000 × 4' };
}

function cpuSeconds(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

export default async function bench(): Promise<void> {
  const { data, template, what } = iadSets();
  const n = data.rows + template.rows;
  console.log(`${what}; 5 folds; hgb ${JSON.stringify(CLASSIFIER)}, balanced; inline, CPU time`);
  console.log('ensemble  path     CPU s   s/member   member-events/s');
  const perMember: Record<string, number> = {};
  for (const members of [1, 5, 10]) {
    for (const share of [false, true]) {
      if (members === 1 && share) continue; // one member never shares (nothing to share with)
      const c0 = cpuSeconds();
      await crossFit({ kind: 'hgb', options: CLASSIFIER }, data, template, { k: 5, members, seed: 7, classWeight: 'balanced', shareBinning: share });
      const cpu = cpuSeconds() - c0;
      const path = members === 1 ? 'single' : share ? 'after' : 'before';
      perMember[`${members}/${path}`] = cpu / (5 * members);
      console.log(`${String(members).padStart(8)}  ${path.padEnd(7)} ${cpu.toFixed(2).padStart(6)}   ${(cpu / (5 * members)).toFixed(3).padStart(8)}   ${Math.round((members * n) / cpu).toLocaleString('en-US').padStart(15)}`);
    }
  }
  for (const m of [5, 10]) console.log(`ensemble ${m}: shared binning costs ${(perMember[`${m}/after`] / perMember[`${m}/before`]).toFixed(2)}× the CPU per member of per-member binning`);
  const pool = new WorkerPool({ size: 2 });
  try {
    const c0 = cpuSeconds(), t0 = performance.now();
    await crossFit({ kind: 'hgb', options: CLASSIFIER }, data, template, { k: 5, members: 10, seed: 7, classWeight: 'balanced', pool });
    console.log(`ensemble 10, after, 2 workers: ${((performance.now() - t0) / 1000).toFixed(1)} s wall, ${(cpuSeconds() - c0).toFixed(1)} s CPU (all threads; wall depends on the machine's load)`);
  } finally {
    await pool.close();
  }
}
