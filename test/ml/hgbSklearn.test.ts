import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { HistGradientBoosting } from '../../lib/ml/trees/hgb.js';
import { matrix } from '../../lib/ml/matrix.js';
import { leafCount } from '../../lib/ml/trees/predictor.js';

/**
 * Fixture from sklearn's HistGradientBoostingClassifier (test/fixtures/make_hgb_sklearn.py, sklearn
 * 1.2.1): same data, same options → the same trees. sklearn sums float32 gradients and we sum
 * float64, so probabilities agree to ≈ 1e-8 (measured ≤ 6.5e-9), not bit for bit.
 */
interface Fixture {
  X: number[]; y: number[]; w: number[]; Xtest: number[];
  cases: { name: string; params: Record<string, unknown>; weighted: boolean; proba: number[]; leaves: number[] }[];
}
const fx = JSON.parse(readFileSync(new URL('../fixtures/hgb_sklearn.json', import.meta.url), 'utf8')) as Fixture;
const PARAM_NAMES: Record<string, string> = {
  max_iter: 'maxIter', early_stopping: 'earlyStopping', l2_regularization: 'l2Regularization', max_leaf_nodes: 'maxLeafNodes',
  min_samples_leaf: 'minSamplesLeaf', max_depth: 'maxDepth', learning_rate: 'learningRate',
};

describe('HistGradientBoosting against sklearn fixtures', () => {
  const X = matrix(Float64Array.from(fx.X), fx.y.length, 3);
  const y = Uint8Array.from(fx.y);
  const Xt = matrix(Float64Array.from(fx.Xtest), fx.Xtest.length / 3, 3);
  it.each(fx.cases.map((c) => [c.name, c] as const))('%s: same leaf counts per tree, probabilities within 1e-7', (_name, c) => {
    const opts: Record<string, unknown> = {};
    let classWeight: 'balanced' | undefined;
    for (const [k, v] of Object.entries(c.params)) {
      if (k === 'class_weight') classWeight = v as 'balanced';
      else opts[PARAM_NAMES[k]] = v;
    }
    const m = new HistGradientBoosting(opts).fit(X, y, { seed: 0, classWeight, sampleWeight: c.weighted ? Float64Array.from(fx.w) : undefined });
    expect(m.trees.map(leafCount)).toEqual(c.leaves);
    const p = m.predictProba(Xt);
    let maxDiff = 0;
    for (let i = 0; i < p.length; i++) maxDiff = Math.max(maxDiff, Math.abs(p[i] - c.proba[i]));
    expect(maxDiff).toBeLessThan(1e-7);
  });
});
