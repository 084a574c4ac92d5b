import { describe, expect, it } from 'vitest';
import { generateLhcoLike } from '../../lib/data/generate/index.js';
import { deriveFeatures } from '../../lib/data/features.js';
import { loadWindows } from '../../lib/windows/index.js';
import { signalRegionMask } from '../../lib/windows/index.js';
import { featureMatrix, featureNames } from '../../lib/methods/features.js';
import { loadSidebandGenerator } from '../../lib/methods/cathode.js';
import { cathodeFlowPayload, trainAndSampleFlow } from '../../lib/methods/cathodeTask.js';
import { crossFit } from '../../lib/ml/crossFit.js';
import { rocAucTwoSample } from '../../lib/ml/auc.js';
import { compareSamples } from '../../lib/ml/gan/index.js';
import { createRng } from '../../lib/util/rng.js';
import '../../lib/ml/trees/hgb.js';

/**
 * One CATHODE window on background-only generated data: the sideband-trained generator (flow or GAN)
 * sampled into the SR, and a classifier cross-fitted to tell SR data from the template. A perfect
 * template gives AUC 0.5; the GAN's should be close to the flow's.
 */
describe('CATHODE template generators: GAN vs flow in one window', async () => {
  const events = deriveFeatures(generateLhcoLike({ background: 120_000, signal: 0, seed: 21 }));
  const window = (await loadWindows()).windows.find((w) => w.id === 5)!;
  const features = featureNames('baseline');
  const srData = featureMatrix(events, features, signalRegionMask(events, window));
  const common = { flow: { preset: 'default', epochs: 2, maxEvents: 20_000, blocks: 2, hidden: 16 }, flows: 1, oversampling: 2, bandwidth: 0.01, seed: 3 } as const;

  async function aucVsData(generator: 'flow' | 'gan') {
    const r = await trainAndSampleFlow(cathodeFlowPayload(events, window, features, { ...common, generator, gan: { epochs: 30, maxEvents: 20_000, noiseDim: 4 } }));
    const template = { x: { data: r.samples, rows: r.rows, cols: r.cols } };
    const density = loadSidebandGenerator(r.flow);
    const cf = await crossFit({ kind: 'hgb', options: { maxIter: 60 } }, srData, template.x, { k: 3, members: 1, seed: 4, classWeight: 'balanced' });
    return { auc: rocAucTwoSample(cf.dataScores, cf.templateScores), doc: r.flow, density, template, cmp: compareSamples(srData, template.x) };
  }

  it('the GAN template is about as close to SR data as the flow template (AUC vs data); both are persisted and reloadable', async () => {
    const flow = await aucVsData('flow');
    const gan = await aucVsData('gan');
    console.log(`AUC vs SR data: flow ${flow.auc.toFixed(4)}, GAN ${gan.auc.toFixed(4)}; KS flow ${Array.from(flow.cmp.ks, (v) => v.toFixed(3))} GAN ${Array.from(gan.cmp.ks, (v) => v.toFixed(3))}; max |Δρ| flow ${flow.cmp.maxCorrelationDifference.toFixed(3)} GAN ${gan.cmp.maxCorrelationDifference.toFixed(3)}`);
    expect(gan.template.x.rows).toBe(2 * srData.rows);
    const reloaded = loadSidebandGenerator(JSON.parse(JSON.stringify(gan.doc)));
    const m = Float64Array.from({ length: 20 }, (_, i) => 3.3 + i * 0.02);
    expect(reloaded.sample(m, createRng(1)).data).toEqual(gan.density.sample(m, createRng(1)).data);
    expect(flow.auc).toBeGreaterThan(0.45);
    expect(gan.auc).toBeGreaterThan(0.45);
    // Measured (seeded, WASM kernels): flow 0.604, GAN 0.611 (GAN with the flow's logit preprocessing;
    // without it 0.703, and 0.98 after only 6 epochs). The bound allows kernel-rounding drift.
    expect(Math.abs(gan.auc - flow.auc)).toBeLessThan(0.05);
  });
});
