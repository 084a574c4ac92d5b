/**
 * Conditional GAN: training throughput on a 2-D conditional Gaussian, and CATHODE in window 5 of
 * background-only generated data with the flow vs the GAN as template generator — AUC of a
 * cross-fitted classifier separating SR data from each template (0.5 = perfect template), per-feature
 * KS distances and the largest correlation difference.
 */
import { createRng } from '../../lib/util/rng.js';
import { fitConditionalGan, compareSamples } from '../../lib/ml/gan/index.js';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { loadWindows, signalRegionMask } from '../../lib/windows/index.js';
import { featureMatrix, featureNames } from '../../lib/methods/features.js';
import { cathodeFlowPayload, trainAndSampleFlow } from '../../lib/methods/cathodeTask.js';
import { crossFit } from '../../lib/ml/crossFit.js';
import { rocAucTwoSample } from '../../lib/ml/auc.js';
import { kernelBackend } from '../../lib/ml/kernels/index.js';
import '../../lib/ml/trees/hgb.js';

export default async function (): Promise<void> {
  const n = 20000, rng = createRng(3), x = new Float64Array(2 * n), m = new Float64Array(n);
  for (let i = 0; i < n; i++) { m[i] = rng.uniform(); const a = rng.normal(), b = rng.normal(); x[2 * i] = 2 * m[i] + 0.5 * a; x[2 * i + 1] = 1 - m[i] + 0.3 * (0.6 * a + 0.8 * b); }
  let t = performance.now();
  fitConditionalGan({ data: x, rows: n, cols: 2 }, m, { epochs: 10, seed: 1 });
  let s = (performance.now() - t) / 1000;
  console.log(`GAN training (${kernelBackend()} kernels, 2-D toy, 64-64 MLPs, batch 64, metric included): ${(0.8 * n * 10 / s).toFixed(0)} events/s (${s.toFixed(1)} s for 10 epochs of ${0.8 * n})`);

  const events = deriveFeatures(generateLhcoLike({ background: 400_000, signal: 0, seed: 21 }));
  const window = (await loadWindows()).windows.find((w) => w.id === 5)!;
  const features = featureNames('baseline');
  const srData = featureMatrix(events, features, signalRegionMask(events, window));
  const common = { flow: { preset: 'default' }, flows: 1, oversampling: 4, bandwidth: 0.01, seed: 3 } as const;
  for (const generator of ['flow', 'gan'] as const) {
    t = performance.now();
    const r = await trainAndSampleFlow(cathodeFlowPayload(events, window, features, { ...common, generator, gan: {} }));
    s = (performance.now() - t) / 1000;
    const template = { x: { data: r.samples, rows: r.rows, cols: r.cols } };
    const cf = await crossFit({ kind: 'hgb', options: {} }, srData, template.x, { k: 5, members: 1, seed: 4, classWeight: 'balanced' });
    const cmp = compareSamples(srData, template.x);
    console.log(`CATHODE window 5, ${generator}: trained in ${s.toFixed(0)} s; AUC(SR data vs template) = ${rocAucTwoSample(cf.dataScores, cf.templateScores).toFixed(4)}; KS ${features.map((f, j) => `${f} ${cmp.ks[j].toFixed(3)}`).join(', ')}; max |Δρ| ${cmp.maxCorrelationDifference.toFixed(3)} (${srData.rows} SR events)`);
  }
}
