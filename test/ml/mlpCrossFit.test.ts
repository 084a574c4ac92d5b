import { afterAll, describe, expect, it } from 'vitest';
import '../../lib/ml/nn/mlp.js';
import '../../lib/ml/onnx/classifier.js';
import { crossFit } from '../../lib/ml/crossFit.js';
import { createClassifier, loadModel } from '../../lib/ml/classifier.js';
import { WorkerPool } from '../../lib/ml/pool/pool.js';
import { matrix } from '../../lib/ml/matrix.js';
import { rocAucTwoSample } from '../../lib/ml/auc.js';
import { createRng } from '../../lib/util/rng.js';
import { FittedMlp } from '../../lib/ml/nn/mlp.js';

function events(n: number, seed: number, shift: number) {
  const rng = createRng(seed);
  const d = new Float64Array(n * 3);
  for (let i = 0; i < n; i++) for (let j = 0; j < 3; j++) d[i * 3 + j] = rng.normal() + (j === 0 ? shift : 0);
  return matrix(d, n, 3);
}

describe("MLP as a registered model kind ('mlp') in k-fold cross-fitting", () => {
  const pool = new WorkerPool({ size: 2 });
  afterAll(async () => { await pool.close(); });

  it('createClassifier / loadModel know the kinds', async () => {
    const clf = createClassifier('mlp', { epochs: 1, ensembleEpochs: 1, hidden: [4] });
    const fitted = await clf.fit(events(200, 1, 0.5), new Uint8Array(200).map((_, i) => i % 2), { seed: 1 });
    expect(fitted).toBeInstanceOf(FittedMlp);
    expect(fitted.nFeatures).toBe(3);
    const back = loadModel(JSON.parse(JSON.stringify(fitted.toJSON())));
    expect(back.predictProba(events(5, 2, 0))).toEqual(fitted.predictProba(events(5, 2, 0)));
    expect(() => createClassifier('onnx')).toThrow(/imported, not trained/);
  });

  it('scores every event out of fold; same scores inline and on a 2-worker pool; separates a shifted "signal"', async () => {
    const data = events(900, 3, 0.8), template = events(900, 4, 0);
    const spec = { kind: 'mlp', options: { epochs: 10, ensembleEpochs: 3, hidden: [16, 16], learningRate: 5e-3 } };
    const inline = await crossFit(spec, data, template, { seed: 5, k: 3 });
    const pooled = await crossFit(spec, data, template, { seed: 5, k: 3, pool });
    expect(pooled.dataScores).toEqual(inline.dataScores);
    expect(pooled.templateScores).toEqual(inline.templateScores);
    // The optimal AUC of a 0.8σ shift is Φ(0.8/√2) ≈ 0.714.
    const auc = rocAucTwoSample(inline.dataScores, inline.templateScores);
    expect(auc).toBeGreaterThan(0.66);
    expect(auc).toBeLessThan(0.76);
  });
});
