/**
 * Flow quality on real LHCO background (SR, extra-QCD file): train p(x | m_JJ) on 30k events,
 * sample at the masses of 10k held-out events, and check that gradient-boosted trees cannot tell
 * the samples from the held-out events (cross-fitted AUC ≤ 0.55, the CATHODE closure criterion).
 */
import { describe, expect, it } from 'vitest';
import { readNpyF64, lhcoSrDir } from './helpers/lhcoSr.js';
import { fitConditionalFlow } from '../lib/ml/flows/index.js';
import { HistGradientBoosting } from '../lib/ml/trees/hgb.js';
import { rocAuc } from '../lib/ml/auc.js';
import { createRng } from '../lib/util/rng.js';
import type { Matrix } from '../lib/ml/matrix.js';

const dir = lhcoSrDir;

describe.skipIf(!dir)('conditional flow on real LHCO SR background', () => {
  it('flow samples are indistinguishable from held-out events for HGB (AUC ≤ 0.55)', async () => {
    const raw = readNpyF64(`${dir}extrabkg_sr.npy`); // columns m_JJ, m_J1, Δm_J, τ21_J1, τ21_J2, label
    const perm = createRng(1).permutation(raw.rows);
    const pick = (idx: Uint32Array): { x: Matrix<Float64Array>; m: Float64Array } => {
      const x = new Float64Array(idx.length * 4), m = new Float64Array(idx.length);
      idx.forEach((r, i) => { m[i] = raw.data[r * 6]; for (let j = 0; j < 4; j++) x[i * 4 + j] = raw.data[r * 6 + 1 + j]; });
      return { x: { data: x, rows: idx.length, cols: 4 }, m };
    };
    const train = pick(perm.subarray(0, 30_000)), held = pick(perm.subarray(30_000));
    const flow = await fitConditionalFlow(train.x, train.m, { preset: 'default', seed: 2 });
    const s = flow.sample(held.m, createRng(3));
    const N = held.x.rows;
    const X = new Float64Array(2 * N * 4);
    X.set(s.data);
    X.set(held.x.data, N * 4);
    const y = new Uint8Array(2 * N).fill(1, N);
    // Two-fold cross-fitting: every event scored by the model that did not train on it.
    const order = createRng(4).permutation(2 * N);
    const scores = new Float64Array(2 * N);
    const take = (I: Uint32Array): Matrix<Float64Array> => {
      const d = new Float64Array(I.length * 4);
      I.forEach((r, i) => d.set(X.subarray(r * 4, r * 4 + 4), i * 4));
      return { data: d, rows: I.length, cols: 4 };
    };
    for (let k = 0; k < 2; k++) {
      const fitRows = order.filter((_, i) => i % 2 !== k), scoreRows = order.filter((_, i) => i % 2 === k);
      const clf = new HistGradientBoosting({}).fit(take(fitRows), Uint8Array.from(fitRows, (r) => y[r]), { seed: k });
      const p = clf.predictProba(take(scoreRows));
      scoreRows.forEach((r, i) => { scores[r] = p[i]; });
    }
    const auc = rocAuc(scores, y);
    expect(auc).toBeGreaterThan(0.45); // a much lower AUC would also mean the samples differ
    expect(auc).toBeLessThanOrEqual(0.55);
  });
});
