import { describe, expect, it } from 'vitest';
import { MlpClassifier, FittedMlp } from '../../lib/ml/nn/mlp.js';
import { shardStart } from '../../lib/ml/nn/parallel.js';
import { createRng } from '../../lib/util/rng.js';

function toy(n: number, d: number): { X: { data: Float64Array; rows: number; cols: number }; y: Uint8Array } {
  const rng = createRng(31);
  const X = new Float64Array(n * d), y = new Uint8Array(n);
  for (let i = 0; i < n; i++) { y[i] = i % 3 === 0 ? 1 : 0; for (let j = 0; j < d; j++) X[i * d + j] = rng.normal() + (y[i] ? 0.6 : 0); }
  return { X: { data: X, rows: n, cols: d }, y };
}

describe('data-parallel MLP gradients (worker_threads)', () => {
  it('shards cover a batch exactly once, in order', () => {
    for (const [B, T] of [[128, 2], [7, 3], [1, 2], [130, 4]]) {
      const bounds = Array.from({ length: T + 1 }, (_, t) => shardStart(t, B, T));
      expect(bounds[0]).toBe(0);
      expect(bounds[T]).toBe(B);
      for (let t = 0; t < T; t++) expect(bounds[t + 1]).toBeGreaterThanOrEqual(bounds[t]);
    }
  });

  it('2 and 3 threads: deterministic for a seed, and the same training as 1 thread up to float summation order', async () => {
    const { X, y } = toy(3000, 4);
    // 2400 training rows after the validation split: 2400 % 64 ≠ 0, so the short last batch is sharded too; balanced weights exercise the weighted path.
    const opts = { epochs: 2, ensembleEpochs: 1, hidden: [16, 16], batchSize: 64 };
    const fit = (threads: number) => new MlpClassifier({ ...opts, threads }).fit(X, y, { seed: 9, classWeight: 'balanced' });
    const one = await fit(1);
    const twoA = await fit(2), twoB = await fit(2), three = await fit(3);
    expect(twoB.predictProba(X)).toEqual(twoA.predictProba(X));
    for (const m of [twoA, three]) {
      for (let e = 0; e < 2; e++) expect(m.history!.trainLoss[e]).toBeCloseTo(one.history!.trainLoss[e], 5);
      const p = m.predictProba(X), q = one.predictProba(X);
      let worst = 0;
      for (let i = 0; i < p.length; i++) worst = Math.max(worst, Math.abs(p[i] - q[i]));
      expect(worst).toBeLessThan(1e-4);
    }
  });

  it('rejects a bad thread count', () => {
    expect(() => new MlpClassifier({ threads: 0 })).toThrow(/threads must be an integer in \[1, 64\], got 0/);
  });
});

describe('multi-threaded prediction', () => {
  it('gives exactly the single-thread probabilities (rows are independent of their chunk and thread)', async () => {
    const { X, y } = toy(40_000, 4);
    const fitted = await new MlpClassifier({ epochs: 1, ensembleEpochs: 1, hidden: [16, 16], threads: 2 }).fit(
      { ...X, rows: 2000, data: X.data.subarray(0, 8000) }, y.subarray(0, 2000), { seed: 4 });
    const single = FittedMlp.fromJSON({ ...fitted.toJSON(), options: { ...fitted.options, threads: 1 } });
    const p2 = fitted.predictProba(X), p1 = single.predictProba(X);
    expect(p2).toEqual(p1);
    expect(new Set(Array.from(p2.subarray(0, 100))).size).toBeGreaterThan(50);
  });
});
