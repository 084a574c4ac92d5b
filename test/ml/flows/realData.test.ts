/**
 * Flow quality on real LHCO background (SR, extra-QCD file): train p(x | m_JJ) on 30k events,
 * sample at the masses of 10k held-out events, and check that gradient-boosted trees cannot tell
 * the samples from the held-out events (cross-fitted AUC ≤ 0.55, the CATHODE closure criterion).
 */
import { describe, expect, it } from 'vitest';
import { readNpyF64, lhcoSrDir } from '../../helpers/lhcoSr.js';
import { fitConditionalFlow } from '../../../lib/ml/flows/index.js';
import { samplesVsDataAuc } from '../../helpers/flowQuality.js';
import { createRng } from '../../../lib/util/rng.js';
import type { Matrix } from '../../../lib/ml/matrix.js';

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
    const auc = await samplesVsDataAuc(s, held.x);
    expect(auc).toBeGreaterThan(0.45); // a much lower AUC would also mean the samples differ
    expect(auc).toBeLessThanOrEqual(0.55);
  });
});
