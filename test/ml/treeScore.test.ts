import { describe, expect, it } from 'vitest';
import { createRng } from '../../lib/util/rng.js';
import { matrix } from '../../lib/ml/matrix.js';
import { HistGradientBoosting } from '../../lib/ml/trees/hgb.js';
import { binOf, binRowsInto, fitBinEdges } from '../../lib/ml/trees/binning.js';

describe('fast scoring path', () => {
  it('grid-accelerated binRowsInto gives the binary-search bin of every value, including edges, their neighbours and ±∞', () => {
    const rng = createRng(11);
    // Clustered and heavy-tailed features: many edges per grid cell in places, empty cells elsewhere.
    const n = 20_000, cols = 4;
    const fit = new Float64Array(n * cols);
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      fit[i * cols] = z;
      fit[i * cols + 1] = Math.exp(3 * z); // log-normal: edges crowd near 0
      fit[i * cols + 2] = Math.floor(rng.uniform() * 7); // 7 distinct values: 6 midpoint edges
      fit[i * cols + 3] = rng.uniform() < 0.999 ? 1e-9 * rng.normal() : 1e6 * rng.normal(); // extreme outliers
    }
    const edges = fitBinEdges(matrix(fit, n, cols), { rng: rng.fork('edges') });
    const vals: number[] = [];
    for (let j = 0; j < cols; j++) for (const e of edges[j]) vals.push(e, e * (1 + 1e-15) + 1e-300, e * (1 - 1e-15) - 1e-300);
    vals.push(Infinity, -Infinity, 0, -0, Number.MAX_VALUE, -Number.MAX_VALUE);
    for (let i = 0; i < 20_000; i++) vals.push(fit[rng.int(n * cols)] * (rng.uniform() < 0.5 ? 1 : 1 + rng.normal() * 1e-3));
    const rows = vals.length;
    const X = new Float64Array(rows * cols);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) X[i * cols + j] = vals[(i + j * 7919) % rows];
    const got = new Uint8Array(rows * cols);
    binRowsInto(got, matrix(X, rows, cols), edges);
    let mismatches = 0;
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) if (got[i * cols + j] !== binOf(edges[j], X[i * cols + j])) mismatches++;
    expect(mismatches).toBe(0);
    // Features with 0 and 1 edge.
    const few = [Float64Array.from([]), Float64Array.from([0.5])];
    const Y = matrix(Float64Array.from([0.5, 0.5, 0.6, 0.6, -1, -1, Infinity, Infinity]), 4, 2);
    const gb = new Uint8Array(8);
    binRowsInto(gb, Y, few);
    expect(Array.from(gb)).toEqual([0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it('default predictRaw on 4 features equals the plain tree traversal exactly on random data', () => {
    const rng = createRng(5);
    const n = 6_000;
    const X = new Float64Array(n * 4);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 4; j++) X[i * 4 + j] = rng.normal();
      y[i] = rng.uniform() < 1 / (1 + Math.exp(-(X[i * 4] * X[i * 4 + 1] + Math.sin(3 * X[i * 4 + 2])))) ? 1 : 0;
    }
    const model = new HistGradientBoosting({ maxIter: 40, earlyStopping: false }).fit(matrix(X, n, 4), y, { seed: 3 });
    const m = 30_001; // odd: covers the one-event tail of the two-event loop
    const S = new Float64Array(m * 4);
    for (let i = 0; i < S.length; i++) S[i] = 1.5 * rng.normal();
    const fast = model.predictRaw(matrix(S, m, 4));
    const slow = model.predictRaw(matrix(S, m, 4), { method: 'traversal' });
    let maxDiff = 0;
    for (let i = 0; i < m; i++) maxDiff = Math.max(maxDiff, Math.abs(fast[i] - slow[i]));
    expect(maxDiff).toBe(0);
  });
});

describe('predictProbaParallel keeps loaded models per model object', () => {
  it('two models scored alternately on one pool each get their own probabilities', async () => {
    const { WorkerPool } = await import('../../lib/ml/pool/pool.js');
    const { predictProbaParallel } = await import('../../lib/ml/predictParallel.js');
    const rng = createRng(9);
    const n = 3_000;
    const X = new Float64Array(n * 4);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < 4; j++) X[i * 4 + j] = rng.normal();
      y[i] = X[i * 4] + 0.5 * rng.normal() > 0 ? 1 : 0;
    }
    const Xm = matrix(X, n, 4);
    const a = new HistGradientBoosting({ maxIter: 10, earlyStopping: false }).fit(Xm, y, { seed: 1 });
    const b = new HistGradientBoosting({ maxIter: 25, earlyStopping: false, learningRate: 0.3 }).fit(Xm, y, { seed: 2 });
    const pool = new WorkerPool({ size: 1 });
    try {
      for (const m of [a, b, a, b]) expect(Array.from(await predictProbaParallel(m, Xm, { pool, blocks: 2 }))).toEqual(Array.from(m.predictProba(Xm)));
    } finally {
      await pool.close();
    }
  });
});
