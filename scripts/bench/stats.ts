/**
 * Cut-and-count statistics benchmark: working points for 5 ε_B over 1M template scores and 250k
 * SR data scores (one sort of the template, one bucketing pass per sample), pooled and with 5 folds;
 * a weighted template; the 20-point ε_B curve; and look-elsewhere toys over nine windows.
 * Reference: numpy (np.quantile method="nearest" + counting) when /usr/bin/python3 has numpy.
 */
import { execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { cutAndCount, cutAndCountLocalZ, globalSignificance, logSpacedEpsilonB, workingPoints } from '../../lib/stats/index.js';
import { createRng } from '../../lib/util/rng.js';

function time<T>(fn: () => T, repeats = 5): { best: number; median: number; result: T } {
  const ts: number[] = [];
  let result!: T;
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    result = fn();
    ts.push(performance.now() - t0);
  }
  ts.sort((a, b) => a - b);
  return { best: ts[0], median: ts[Math.floor(repeats / 2)], result };
}

export default async function bench(): Promise<void> {
  const rng = createRng(1);
  const nT = 1_000_000;
  const nD = 250_000;
  const templateScores = Float64Array.from({ length: nT }, () => rng.normal());
  const templateWeights = Float64Array.from({ length: nT }, () => 0.5 + rng.uniform());
  const dataScores = Float64Array.from({ length: nD }, () => rng.normal());
  const tFold = Uint8Array.from({ length: nT }, (_, i) => i % 5);
  const dFold = Uint8Array.from({ length: nD }, (_, i) => i % 5);
  const eps5 = [1e-1, 1e-2, 3e-3, 1e-3, 1e-4];
  const fmt = (t: { best: number; median: number }): string => `best ${t.best.toFixed(0)} ms, median ${t.median.toFixed(0)} ms`;

  console.log(`working points, 5 ε_B, ${nT / 1e6}M template + ${nD / 1e3}k data scores:`);
  console.log(`  pooled:              ${fmt(time(() => workingPoints({ templateScores, dataScores }, eps5)))}`);
  console.log(`  5 folds:             ${fmt(time(() => workingPoints({ templateScores, dataScores }, eps5, { folds: { template: tFold, data: dFold } })))}`);
  console.log(`  weighted template:   ${fmt(time(() => workingPoints({ templateScores, templateWeights, dataScores }, eps5)))}`);
  console.log(`  cutAndCount (all numbers, 5 folds): ${fmt(time(() => cutAndCount({ templateScores, dataScores, folds: { template: tFold, data: dFold } }, { epsilonB: eps5, deltaSys: 0 })))}`);
  console.log(`  20-point ε_B curve:  ${fmt(time(() => cutAndCount({ templateScores, dataScores }, { epsilonB: logSpacedEpsilonB(), deltaSys: 0 })))}`);

  try {
    const py = `
import numpy as np, time
rng = np.random.default_rng(1); t = rng.normal(size=${nT}); d = rng.normal(size=${nD}); eps = np.array(${JSON.stringify(eps5)})
best = 1e9
for _ in range(5):
    t0 = time.perf_counter(); thr = np.quantile(t, 1 - eps, method="nearest")
    npass = [(t >= x).sum() for x in thr]; nobs = [(d >= x).sum() for x in thr]
    best = min(best, time.perf_counter() - t0)
print(f"{best*1e3:.0f}")`;
    const ms = execFileSync('/usr/bin/python3', ['-c', py], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: '1' } }).trim();
    console.log(`  numpy reference (quantile nearest + counts, pooled): best ${ms} ms`);
  } catch {
    console.log('  numpy reference: not available');
  }

  // look-elsewhere: nine overlapping windows over 200k background events, Poisson bootstrap
  const nEv = 200_000;
  const mJJ = Float64Array.from({ length: nEv }, () => 2.7 + 1.4 * rng.uniform());
  const score = Float64Array.from({ length: nEv }, () => rng.uniform());
  const cuts = Array.from({ length: 9 }, (_, n) => {
    const c = 3.1 + 0.1 * n;
    const idx = Uint32Array.from(mJJ.keys()).filter((i) => mJJ[i] > c - 0.2 && mJJ[i] < c + 0.2);
    return { eventIndex: idx, pass: Uint8Array.from(idx, (i) => (score[i] >= 0.99 ? 1 : 0)), epsilonEff: 0.01, nTemplatePassEff: 0.04 * idx.length };
  });
  const nToys = 200;
  const t0 = performance.now();
  globalSignificance({ observedLocalZ: new Array(9).fill(2), nEvents: nEv, localZ: cutAndCountLocalZ(cuts), nToys, rng: createRng(2) });
  const dt = performance.now() - t0;
  console.log(`look-elsewhere, 9 windows, ${nEv / 1e3}k events, Poisson bootstrap: ${(dt / nToys).toFixed(1)} ms/toy (${nToys} toys)`);
}
