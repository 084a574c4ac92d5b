import { describe, expect, it } from 'vitest';
import { numericalLogDet3 } from '../../helpers/flowToys.js';
import { createRng } from '../../../lib/util/rng.js';
import {
  MafLayout, MafWorkspace, initParams, initBatchNormStats, mafForward, mafBackward, mafInverseInPlace,
} from '../../../lib/ml/flows/maf.js';

const BN = { eps: 1e-5, momentum: 0.1 };

function setup(D: number, C: number, H: number, K: number, B: number, seed: number, affineMaxLogScale?: number) {
  const layout = new MafLayout({ dims: D, condDims: C, hidden: H, blocks: K, ...(affineMaxLogScale !== undefined ? { affineMaxLogScale } : {}) });
  const rng = createRng(seed);
  const params = initParams(layout, rng.fork('init'));
  // Non-trivial batch-norm scales and shifts, small random biases so the check is not at a symmetric point.
  for (let k = 0; k < K; k++) {
    const b = k * layout.blockSize;
    for (let j = 0; j < D; j++) { params[b + layout.off.logGamma + j] = 0.3 * rng.normal(); params[b + layout.off.beta + j] = 0.3 * rng.normal(); }
    for (let j = 0; j < H; j++) { params[b + layout.off.b1 + j] = 0.1 * rng.normal(); params[b + layout.off.b2 + j] = 0.1 * rng.normal(); }
    for (let j = 0; j < 2 * D; j++) params[b + layout.off.b3 + j] = 0.1 * rng.normal();
  }
  const x = new Float32Array(B * D).map(() => rng.normal());
  const c = new Float32Array(B * C).map(() => rng.normal());
  return { layout, params, x, c, ws: new MafWorkspace(layout, B), rng };
}

/** Mean loss in training mode (batch statistics), float64 sum. */
function loss(s: ReturnType<typeof setup>, B: number): number {
  const stats = initBatchNormStats(s.layout);
  return mafForward(s.layout, s.params, stats, BN, s.ws, s.x, s.c, B, true) / B;
}

describe('conditional MAF core', () => {
  // A = 0.05: the log-scale bound is active for every row, so its slope is checked too. A central
  // difference is only a derivative where no ReLU of the MADE switches within ±h: the seeds are points
  // where none does (seeds 12 and 13 cross a kink even without the bound).
  it.each([[undefined, 11], [0.05, 14]])('MADE + batch-norm gradients match central finite differences (log-scale bound %s, seed %i)', (A, seed) => {
    const B = 16;
    const s = setup(3, 1, 6, 2, B, seed, A);
    const grad = new Float32Array(s.layout.numParams);
    const mask = s.layout.mask();
    loss(s, B);
    mafBackward(s.layout, s.params, s.ws, B, grad);
    const h = 2e-3;
    let checked = 0, worst = 0;
    for (let i = 0; i < s.layout.numParams; i++) {
      if (mask[i] === 0) continue;
      const p0 = s.params[i];
      s.params[i] = p0 + h; const lp = loss(s, B);
      s.params[i] = p0 - h; const lm = loss(s, B);
      s.params[i] = p0;
      const fd = (lp - lm) / (2 * h);
      const err = Math.abs(fd - grad[i]) / (Math.abs(fd) + Math.abs(grad[i]) + 1e-2);
      worst = Math.max(worst, err);
      checked++;
    }
    expect(checked).toBeGreaterThan(100);
    expect(worst).toBeLessThan(2e-2);
  });

  it('log-determinant equals log|det J| of a numerical Jacobian (running statistics)', () => {
    const D = 3, B = 1;
    const s = setup(D, 1, 8, 3, 4, 5);
    const stats = initBatchNormStats(s.layout);
    for (let k = 0; k < s.layout.K; k++) for (let j = 0; j < D; j++) { stats[k * 2 * D + j] = 0.2 * (j - 1); stats[k * 2 * D + D + j] = 0.5 + 0.3 * j; }
    const lp = new Float64Array(1);
    const x0 = Float64Array.from([0.3, -0.7, 1.1]);
    const cond = Float32Array.from([0.4]);
    const forwardZ = (x: Float64Array): Float64Array => {
      mafForward(s.layout, s.params, stats, BN, s.ws, Float32Array.from(x), cond, B, false, lp);
      return Float64Array.from(s.ws.z.subarray(0, D));
    };
    forwardZ(x0);
    const z0 = Float64Array.from(s.ws.z.subarray(0, D));
    const logP = lp[0];
    let base = 0;
    for (const v of z0) base -= 0.5 * v * v + 0.5 * Math.log(2 * Math.PI);
    const modelLogDet = logP - base;
    expect(Math.abs(numericalLogDet3(forwardZ, x0, 1e-2) - modelLogDet)).toBeLessThan(5e-3);
  });

  it.each([[undefined], [0.05]])('inverse undoes forward (stored statistics, log-scale bound %s)', (A) => {
    const D = 4, B = 32;
    const s = setup(D, 1, 16, 3, B, 9, A);
    const stats = initBatchNormStats(s.layout);
    mafForward(s.layout, s.params, stats, BN, s.ws, s.x, s.c, B, false);
    const z = Float64Array.from(s.ws.z.subarray(0, B * D));
    const ws2 = new MafWorkspace(s.layout, B);
    mafInverseInPlace(s.layout, s.params, stats, BN, ws2, z, s.c, B);
    let worst = 0;
    for (let i = 0; i < B * D; i++) worst = Math.max(worst, Math.abs(z[i] - s.x[i]));
    expect(worst).toBeLessThan(1e-4);
  });

  it('masks make the map autoregressive: dz_0 of the first MADE ignores later inputs', () => {
    const layout = new MafLayout({ dims: 4, condDims: 1, hidden: 12, blocks: 1 });
    const mask = layout.mask();
    // Output μ_0/α_0 has no hidden inputs; μ_3 sees hidden units of degree ≤ 2 (all).
    const { off, H } = layout;
    for (let j = 0; j < H; j++) { expect(mask[off.w3 + j * 8 + 0]).toBe(0); expect(mask[off.w3 + j * 8 + 3]).toBe(1); }
    // Condition row connects to every hidden unit.
    for (let k = 0; k < H; k++) expect(mask[off.w1 + 4 * H + k]).toBe(1);
    // x_3 feeds nothing.
    for (let k = 0; k < H; k++) expect(mask[off.w1 + 3 * H + k]).toBe(0);
  });
});

describe('degree-grouped sampler', () => {
  it.each([[4, 16], [3, 7], [2, 5], [5, 3]])('equals the D-pass inverse (D = %i, H = %i)', async (D, H) => {
    const { MafSampler } = await import('../../../lib/ml/flows/sampler.js');
    const B = 40;
    const s = setup(D, 1, H, 3, B, 21);
    const stats = initBatchNormStats(s.layout);
    for (let i = 0; i < stats.length; i++) stats[i] += 0.1 * s.rng.normal();
    const a = Float64Array.from(s.x), b = Float64Array.from(s.x);
    mafInverseInPlace(s.layout, s.params, stats, BN, s.ws, a, s.c, B);
    const fast = new MafSampler(s.layout, B);
    fast.load(s.params);
    fast.inverseInPlace(stats, BN, b, s.c, B);
    for (let i = 0; i < B * D; i++) expect(b[i]).toBeCloseTo(a[i], 4);
  });
});

describe('training-set batch-norm statistics', () => {
  it('leave a row far outside the bulk out, so one exploding event cannot make every log-likelihood NaN', async () => {
    const { trainingSetBatchNormStatsInto, BATCH_NORM_BULK_SDS } = await import('../../../lib/ml/flows/maf.js');
    const B = 2000;
    const s = setup(3, 1, 6, 2, B, 21);
    const stats = (x: Float32Array, n: number): { bn: Float32Array; left: number } => {
      const bn = initBatchNormStats(s.layout);
      const left = trainingSetBatchNormStatsInto(s.layout, s.params, bn, BN, new MafWorkspace(s.layout, 512), x, s.c, n);
      return { bn, left };
    };
    const clean = stats(s.x, B);
    expect(clean.left).toBe(0);
    // Row B − 1 moved to 1e30 in every feature: before, its square overflowed the float32 variance (NaN downstream).
    const wild = Float32Array.from(s.x);
    wild.fill(1e30, (B - 1) * 3, B * 3);
    const guarded = stats(wild, B);
    expect(guarded.left).toBe(1);
    expect(guarded.bn.every(Number.isFinite)).toBe(true);
    // Its statistics are those of the other rows: the same as without that row, to float32 rounding.
    const rest = stats(s.x.subarray(0, (B - 1) * 3), B - 1);
    for (let i = 0; i < 3 * 2; i++) expect(guarded.bn[i]).toBeCloseTo(rest.bn[i], 5);
    // A row at 20 robust σ stays in: the bulk test does not trim ordinary tails.
    const tail = Float32Array.from(s.x);
    tail[0] = 20;
    expect(stats(tail, B).left).toBe(0);
    expect(BATCH_NORM_BULK_SDS).toBeGreaterThan(20);
  });
});
