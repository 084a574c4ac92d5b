/**
 * CATHODE closure on generated sidebands: train p(x | m_JJ) on the sideband of window 5
 * (m_JJ outside 3.3–3.7 TeV) of LHCO-like background, sample at the masses of held-out sideband
 * events, and check that gradient-boosted trees cannot separate samples from the held-out events.
 */
import { describe, expect, it } from 'vitest';
import { generateLhcoLike } from '../../../lib/data/generate/index.js';
import { deriveFeatures, FEATURE_SETS } from '../../../lib/data/features.js';
import { fitConditionalFlow } from '../../../lib/ml/flows/index.js';
import { samplesVsDataAuc } from '../../helpers/flowQuality.js';
import { createRng } from '../../../lib/util/rng.js';
import type { Matrix } from '../../../lib/ml/matrix.js';

describe('conditional flow on generated sidebands', () => {
  it('HGB cannot tell flow samples from held-out sideband events (AUC ≤ 0.55)', async () => {
    const events = deriveFeatures(generateLhcoLike({ background: 120_000, signal: 0, seed: 11 }));
    const mjj = events.column('mJJ');
    const cols = FEATURE_SETS.baseline.map((n) => events.column(n));
    const sb: number[] = [];
    for (let i = 0; i < mjj.length; i++) if (mjj[i] <= 3.3 || mjj[i] >= 3.7) sb.push(i);
    const perm = createRng(1).permutation(sb.length);
    const nTrain = Math.floor(0.75 * sb.length);
    const pick = (from: number, to: number): { x: Matrix<Float64Array>; m: Float64Array } => {
      const n = to - from, x = new Float64Array(n * 4), m = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const i = sb[perm[from + r]];
        m[r] = mjj[i];
        for (let j = 0; j < 4; j++) x[r * 4 + j] = cols[j][i];
      }
      return { x: { data: x, rows: n, cols: 4 }, m };
    };
    const train = pick(0, nTrain), held = pick(nTrain, sb.length);
    const flow = await fitConditionalFlow(train.x, train.m, { preset: 'default', seed: 2 });
    const s = flow.sample(held.m, createRng(3));
    const auc = await samplesVsDataAuc(s, held.x);
    expect(auc).toBeGreaterThan(0.45);
    expect(auc).toBeLessThanOrEqual(0.55);
  });
});
