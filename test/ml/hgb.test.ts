import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';
import { matrix, type Matrix } from '../../lib/ml/matrix.js';
import { HistGradientBoosting, FittedHistGradientBoosting, meanLogLoss } from '../../lib/ml/trees/hgb.js';
import { fitBinEdges, binRowsInto, binOf } from '../../lib/ml/trees/binning.js';
import { TreeGrower } from '../../lib/ml/trees/grower.js';
import { loadModel } from '../../lib/ml/classifier.js';
import { rocAuc } from '../../lib/ml/auc.js';
import { ConfigError } from '../../lib/util/errors.js';
import { lhcoSrDir, supervisedSrSplit } from '../helpers/lhcoSr.js';

/** A toy with a known dependence of P(y=1) on the first two features; `levels` distinct values per feature. */
function toy(n: number, seed: number, levels = 0): { X: Matrix<Float64Array>; y: Uint8Array } {
  const rng = createRng(seed);
  const X = new Float64Array(n * 3);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < 3; j++) {
      const u = rng.uniform();
      X[i * 3 + j] = levels ? Math.floor(u * levels) / levels : u;
    }
    const logit = 3 * (X[i * 3] - 0.5) + 2 * Math.sin(6 * X[i * 3 + 1]);
    y[i] = rng.uniform() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
  }
  return { X: matrix(X, n, 3), y };
}

describe('binning', () => {
  it('few distinct values: edges are the midpoints; bin ≤ b ⇔ x ≤ edges[b]', () => {
    const X = matrix(Float64Array.from([3, 1, 2, 2, 1, 5]), 6, 1);
    const [e] = fitBinEdges(X, { rng: createRng(1) });
    expect(Array.from(e)).toEqual([1.5, 2.5, 4]);
    for (const x of [0, 1, 1.5, 1.6, 2.5, 3, 4, 4.01, 9]) {
      const b = binOf(e, x);
      for (let k = 0; k < e.length; k++) expect(b <= k).toBe(x <= e[k]);
    }
  });

  it('many distinct values: ≤ maxBins bins, roughly equal-count quantile bins', () => {
    const rng = createRng(2);
    const n = 25_500;
    const X = matrix(Float64Array.from({ length: n }, () => rng.normal()), n, 1);
    const edges = fitBinEdges(X, { rng: createRng(1) });
    expect(edges[0].length).toBe(254);
    const bins = new Uint8Array(n);
    binRowsInto(bins, X, edges);
    const counts = new Array(255).fill(0);
    for (const b of bins) counts[b]++;
    // 25,500 / 255 = 100 per bin; quantile edges of the sample itself: within ±1 of 100.
    for (const c of counts) expect(Math.abs(c - 100)).toBeLessThanOrEqual(1);
  });

  it('rejects NaN naming row and column', () => {
    const X = matrix(Float64Array.from([1, 2, NaN, 4]), 2, 2);
    expect(() => fitBinEdges(X, { rng: createRng(1) })).toThrow(/X\[1, 0\] is NaN/);
  });
});

describe('tree grower against a brute-force best split', () => {
  it('every internal node carries the best split of its samples (gain, feature, threshold) and leaves −G/H', () => {
    const n = 120;
    const { X, y } = toy(n, 11, 7);
    const edges = fitBinEdges(X, { rng: createRng(1) });
    const bins = new Uint8Array(n * 3);
    binRowsInto(bins, X, edges);
    // Gradients at a fixed p0 plus per-event weights so that hessians differ between events.
    const rng = createRng(5);
    const w = Float64Array.from({ length: n }, () => 0.5 + rng.uniform());
    const p0 = 0.4;
    const grad = Float64Array.from(y, (yi, i) => w[i] * (p0 - yi));
    const hess = Float64Array.from(w, (wi) => wi * p0 * (1 - p0));
    const minLeaf = 6;
    const grower = new TreeGrower(bins, n, 3, Int32Array.from(edges, (e) => e.length + 1), {
      maxLeafNodes: 8, maxDepth: Infinity, minSamplesLeaf: minLeaf, l2Regularization: 0.3, minHessianToSplit: 1e-3,
    });
    const t = grower.grow(grad, hess);
    expect(t.nLeaves).toBe(8);
    const lambda = 0.3;
    const score = (G: number, H: number) => (G * G) / (H + lambda);
    // Samples reaching each node, routed on the raw values with the node thresholds.
    const reach: number[][] = [Array.from({ length: n }, (_, i) => i)];
    let checked = 0;
    for (let node = 0; node < t.feature.length; node++) {
      const s = reach[node];
      const G = s.reduce((a, i) => a + grad[i], 0), H = s.reduce((a, i) => a + hess[i], 0);
      if (t.feature[node] < 0) {
        expect(t.value[node]).toBeCloseTo(-G / (H + lambda), 12);
        continue;
      }
      // Brute force: every feature, every cut between distinct values.
      let best = -Infinity, bestF = -1, bestThr = NaN;
      for (let f = 0; f < 3; f++) {
        const vals = [...new Set(s.map((i) => X.data[i * 3 + f]))].sort((a, b) => a - b);
        for (let k = 0; k + 1 < vals.length; k++) {
          const thr = (vals[k] + vals[k + 1]) / 2;
          const L = s.filter((i) => X.data[i * 3 + f] <= thr), R = s.filter((i) => X.data[i * 3 + f] > thr);
          if (L.length < minLeaf || R.length < minLeaf) continue;
          const GL = L.reduce((a, i) => a + grad[i], 0), HL = L.reduce((a, i) => a + hess[i], 0);
          const gain = score(GL, HL) + score(G - GL, H - HL) - score(G, H);
          if (gain > best + 1e-12) { best = gain; bestF = f; bestThr = thr; }
        }
      }
      expect(t.gain[node]).toBeCloseTo(best, 10);
      expect(t.feature[node]).toBe(bestF);
      expect(edges[bestF][t.binThreshold[node]]).toBeCloseTo(bestThr, 12);
      const f = t.feature[node], thr = edges[f][t.binThreshold[node]];
      reach[t.left[node]] = s.filter((i) => X.data[i * 3 + f] <= thr);
      reach[t.right[node]] = s.filter((i) => X.data[i * 3 + f] > thr);
      expect(reach[t.left[node]].length).toBe(t.count[t.left[node]]);
      checked++;
    }
    expect(checked).toBe(7);
    // Leaf-wise growth: a node split later never has a larger gain than the root.
    for (let node = 1; node < t.feature.length; node++) if (t.feature[node] >= 0) expect(t.gain[node]).toBeLessThanOrEqual(t.gain[0] + 1e-12);
  });
});

describe('HistGradientBoosting', () => {
  it('training log-loss decreases monotonically with the number of trees', () => {
    const { X, y } = toy(3000, 3);
    const m = new HistGradientBoosting({ maxIter: 60, earlyStopping: false }).fit(X, y, { seed: 1 });
    expect(m.trees.length).toBe(60);
    const w = new Float64Array(y.length).fill(1);
    let prev = Infinity;
    for (let k = 0; k <= 60; k++) {
      const loss = meanLogLoss(m.predictRaw(X, { nTrees: k }), y, w);
      expect(loss).toBeLessThanOrEqual(prev + 1e-12);
      prev = loss;
    }
    // And it learned something: well below the loss of the baseline.
    expect(prev).toBeLessThan(meanLogLoss(m.predictRaw(X, { nTrees: 0 }), y, w) - 0.05);
  });

  it('early stopping triggers on label noise, by sklearn\'s rule', () => {
    const rng = createRng(9);
    const n = 20_000;
    const X = matrix(Float64Array.from({ length: n * 3 }, () => rng.uniform()), n, 3);
    const y = Uint8Array.from({ length: n }, () => (rng.uniform() < 0.5 ? 1 : 0));
    const m = new HistGradientBoosting({ maxIter: 200 }).fit(X, y, { seed: 4 });
    expect(m.info.earlyStopped).toBe(true);
    expect(m.info.nIter).toBeLessThan(200);
    expect(m.info.validationLoss.length).toBe(m.info.nIter + 1);
    expect(m.info.nValidation).toBe(10_000);
    const L = m.info.validationLoss;
    const ref = L[L.length - 11];
    for (const l of L.slice(-10)) expect(-l).toBeLessThanOrEqual(-ref + 1e-7);
    // It did not stop earlier: at every previous check some recent score improved.
    for (let k = 11; k < L.length; k++) expect(L.slice(k - 10, k).some((l) => -l > -L[k - 11] + 1e-7)).toBe(true);
  });

  it('bitmask scoring equals tree traversal bit for bit; > 32 leaves falls back', () => {
    const { X, y } = toy(4000, 6);
    for (const maxLeafNodes of [31, 32, 50]) {
      const m = new HistGradientBoosting({ maxIter: 30, maxLeafNodes, minSamplesLeaf: 5, earlyStopping: false }).fit(X, y, { seed: 1 });
      const test = toy(3000, 7).X;
      const a = m.predictRaw(test, { method: 'traversal' });
      const b = m.predictRaw(test);
      expect(b).toEqual(a);
      if (maxLeafNodes <= 32) expect(m.predictRaw(test, { method: 'bitmask' })).toEqual(a);
      else expect(() => m.predictRaw(test, { method: 'bitmask' })).toThrow(ConfigError);
    }
  });

  it('predicting the training set reproduces the raw scores accumulated during training', () => {
    const { X, y } = toy(2000, 12);
    const m = new HistGradientBoosting({ maxIter: 20, earlyStopping: false }).fit(X, y, { seed: 1 });
    // Every training event's leaf follows from its bins, so the staged raw scores are exact:
    // the loss after k trees equals the loss of predictRaw with k trees on the training set.
    const w = new Float64Array(y.length).fill(1);
    const p = m.predictProba(X);
    const raw = m.predictRaw(X);
    for (let i = 0; i < p.length; i++) expect(p[i]).toBeCloseTo(1 / (1 + Math.exp(-raw[i])), 15);
    expect(meanLogLoss(raw, y, w)).toBeLessThan(0.69);
  });

  it('sample weights agree with duplicated events; balanced classes agree with duplicating the minority', () => {
    const n = 600;
    const { X, y } = toy(n, 21, 20);
    const rng = createRng(3);
    const mult = Uint8Array.from({ length: n }, () => 1 + rng.int(3));
    const rows: number[] = [];
    for (let i = 0; i < n; i++) for (let k = 0; k < mult[i]; k++) rows.push(i);
    const dupX = new Float64Array(rows.length * 3);
    rows.forEach((r, k) => dupX.set(X.data.subarray(r * 3, r * 3 + 3), k * 3));
    const dupY = Uint8Array.from(rows, (r) => y[r]);
    // Few leaves: the leaf cap then never has to choose between splits whose gains tie up to rounding.
    const opts = { maxIter: 15, maxLeafNodes: 8, minSamplesLeaf: 1, earlyStopping: false } as const;
    const weighted = new HistGradientBoosting(opts).fit(X, y, { seed: 1, sampleWeight: Float64Array.from(mult) });
    const duplicated = new HistGradientBoosting(opts).fit(matrix(dupX, rows.length, 3), dupY, { seed: 1 });
    const grid = toy(500, 22, 20).X;
    const a = weighted.predictProba(grid), b = duplicated.predictProba(grid);
    for (let i = 0; i < a.length; i++) expect(a[i]).toBeCloseTo(b[i], 9);

    // Balanced: keep all of class 0 and a third of class 1, so balanced weights are (w0, w1) ∝ (1, 3·N1/N0…);
    // duplicating each kept class-1 event N0/N1 times gives the same per-class totals.
    const keep: number[] = [];
    let n1 = 0;
    for (let i = 0; i < n; i++) if (y[i] === 0 || i % 3 === 0) { keep.push(i); n1 += y[i]; }
    const n0 = keep.length - n1;
    // Choose the subset so that n0 is an integer multiple of n1: trim class 0.
    const ratio = Math.floor(n0 / n1);
    const keep0 = keep.filter((i) => y[i] === 0).slice(0, ratio * n1);
    const keep1 = keep.filter((i) => y[i] === 1);
    const sub = [...keep0, ...keep1].sort((p, q) => p - q);
    const subX = new Float64Array(sub.length * 3);
    sub.forEach((r, k) => subX.set(X.data.subarray(r * 3, r * 3 + 3), k * 3));
    const subY = Uint8Array.from(sub, (r) => y[r]);
    const balanced = new HistGradientBoosting(opts).fit(matrix(subX, sub.length, 3), subY, { seed: 1, classWeight: 'balanced' });
    const dup2: number[] = [];
    for (const r of sub) for (let k = 0; k < (y[r] ? ratio : 1); k++) dup2.push(r);
    const d2X = new Float64Array(dup2.length * 3);
    dup2.forEach((r, k) => d2X.set(X.data.subarray(r * 3, r * 3 + 3), k * 3));
    const plain = new HistGradientBoosting(opts).fit(matrix(d2X, dup2.length, 3), Uint8Array.from(dup2, (r) => y[r]), { seed: 1 });
    const c = balanced.predictProba(grid), d = plain.predictProba(grid);
    for (let i = 0; i < c.length; i++) expect(c[i]).toBeCloseTo(d[i], 9);
    // Balanced training moves the mean score towards 1/2 compared with unweighted training.
    const unweighted = new HistGradientBoosting(opts).fit(matrix(subX, sub.length, 3), subY, { seed: 1 }).predictProba(grid);
    const mean = (v: Float64Array) => v.reduce((s, x) => s + x, 0) / v.length;
    expect(Math.abs(mean(c) - 0.5)).toBeLessThan(Math.abs(mean(unweighted) - 0.5));
  });

  it('same seed, same model; JSON round trip predicts identically', () => {
    const { X, y } = toy(12_000, 8);
    const a = new HistGradientBoosting({ maxIter: 30 }).fit(X, y, { seed: 5 });
    const b = new HistGradientBoosting({ maxIter: 30 }).fit(X, y, { seed: 5 });
    const c = new HistGradientBoosting({ maxIter: 30 }).fit(X, y, { seed: 6 });
    const test = toy(1000, 9).X;
    expect(b.predictProba(test)).toEqual(a.predictProba(test));
    expect(c.predictProba(test)).not.toEqual(a.predictProba(test));
    const back = loadModel(JSON.parse(JSON.stringify(a.toJSON())));
    expect(back).toBeInstanceOf(FittedHistGradientBoosting);
    expect(back.predictProba(test)).toEqual(a.predictProba(test));
    const s = new HistGradientBoosting({ maxIter: 10, standardize: true, earlyStopping: false }).fit(X, y, { seed: 5 });
    expect(loadModel(JSON.parse(JSON.stringify(s.toJSON()))).predictProba(test)).toEqual(s.predictProba(test));
  });

  it.each([
    [{ maxIters: 10 }, /unknown option "maxIters".*did you mean "maxIter"/],
    [{ learningRate: -1 }, /learningRate must be a number > 0, got -1/],
    [{ maxBins: 256 }, /maxBins must be an integer in \[2, 255\]/],
    [{ validationFraction: 1 }, /validationFraction must be a number in \(0, 1\)/],
  ])('option %j is rejected with a clear message', (opts, msg) => {
    expect(() => new HistGradientBoosting(opts as never)).toThrow(msg);
  });

  it('bad fit inputs are named', () => {
    const { X, y } = toy(100, 1);
    expect(() => new HistGradientBoosting().fit(X, y.subarray(0, 99), { seed: 1 })).toThrow(/y has 99 labels, X has 100 rows/);
    expect(() => new HistGradientBoosting().fit(X, new Uint8Array(100), { seed: 1 })).toThrow(/single class/);
    expect(() => new HistGradientBoosting().fit(X, y, { seed: 1, sampleWeight: new Float64Array(100).fill(-1) })).toThrow(/sampleWeight at row 0 is -1/);
    const m = new HistGradientBoosting({ maxIter: 2 }).fit(X, y, { seed: 1 });
    expect(() => m.predictProba(matrix(new Float64Array(4), 2, 2))).toThrow(/X has 2 columns, the model was trained on 3/);
  });
});

describe.skipIf(!lhcoSrDir)('HistGradientBoosting on the real LHCO SR files', () => {
  it('supervised signal vs background: AUC > 0.9 on held-out events', () => {
    const { train, test } = supervisedSrSplit(20_000);
    const m = new HistGradientBoosting().fit(train.X, train.y, { seed: 1, classWeight: 'balanced' });
    const auc = rocAuc(m.predictProba(test.X), test.y);
    expect(auc).toBeGreaterThan(0.9);
    expect(m.info.earlyStopped || m.info.nIter === 200).toBe(true);
  });
});
