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
import { cutAndCount } from '../../lib/stats/cutAndCount.js';
import { createRng } from '../../lib/util/rng.js';
import '../../lib/ml/trees/hgb.js';

/**
 * One CATHODE window on background-only generated data: the sideband-trained generator (flow or GAN)
 * sampled into the SR, and a classifier cross-fitted to tell SR data from the template. A perfect
 * template gives AUC 0.5 and, at every working point, N_obs ≈ N_exp; the GAN's should be close to the flow's.
 */
describe('CATHODE template generators: GAN vs flow in one window', async () => {
  const events = deriveFeatures(generateLhcoLike({ background: 120_000, signal: 0, seed: 21 }));
  const window = (await loadWindows()).windows.find((w) => w.id === 5)!;
  const features = featureNames('baseline');
  const srData = featureMatrix(events, features, signalRegionMask(events, window));
  // Both generators at their defaults (flow: the `default` preset; GAN: GAN_DEFAULTS), on all sideband
  // events, CATHODE's 4× oversampling.
  const common = { flow: { preset: 'default' }, flows: 1, oversampling: 4, bandwidth: 0.01, seed: 3 } as const;

  async function aucVsData(generator: 'flow' | 'gan') {
    const r = await trainAndSampleFlow(cathodeFlowPayload(events, window, features, { ...common, generator, gan: {} }));
    const template = { x: { data: r.samples, rows: r.rows, cols: r.cols } };
    const density = loadSidebandGenerator(r.flow);
    const cf = await crossFit({ kind: 'hgb', options: { maxIter: 60 } }, srData, template.x, { k: 3, members: 1, seed: 4, classWeight: 'balanced' });
    // Background only: at ε_B the SR data should pass as often as the template, N_obs ≈ N_exp.
    const wp = cutAndCount({ dataScores: cf.dataScores, templateScores: cf.templateScores, folds: { data: cf.dataFold, template: cf.templateFold } }, { epsilonB: [1e-2, 1e-3], deltaSys: 0 });
    return { auc: rocAucTwoSample(cf.dataScores, cf.templateScores), wp, doc: r.flow, density, template, cmp: compareSamples(srData, template.x) };
  }

  it('the GAN template is about as close to SR data as the flow template (AUC vs data); both are persisted and reloadable', async () => {
    const flow = await aucVsData('flow');
    const gan = await aucVsData('gan');
    const counts = (w: typeof flow.wp) => w.map((r) => `ε_B ${r.epsilonB}: N_obs ${r.nObs} vs N_exp ${r.nExp.toFixed(1)} ± ${r.sigmaB.toFixed(1)}`).join(', ');
    console.log(`flow: ${counts(flow.wp)}\nGAN:  ${counts(gan.wp)}`);
    console.log(`AUC vs SR data: flow ${flow.auc.toFixed(4)}, GAN ${gan.auc.toFixed(4)}; KS flow ${Array.from(flow.cmp.ks, (v) => v.toFixed(3))} GAN ${Array.from(gan.cmp.ks, (v) => v.toFixed(3))}; max |Δρ| flow ${flow.cmp.maxCorrelationDifference.toFixed(3)} GAN ${gan.cmp.maxCorrelationDifference.toFixed(3)}`);
    expect(gan.template.x.rows).toBe(4 * srData.rows);
    const reloaded = loadSidebandGenerator(JSON.parse(JSON.stringify(gan.doc)));
    const m = Float64Array.from({ length: 20 }, (_, i) => 3.3 + i * 0.02);
    expect(reloaded.sample(m, createRng(1)).data).toEqual(gan.density.sample(m, createRng(1)).data);
    expect(flow.auc).toBeGreaterThan(0.45);
    expect(gan.auc).toBeGreaterThan(0.45);
    // Measured (seeded, WASM kernels): AUC vs SR data flow 0.5085, GAN 0.525 (noise dimension 4: 0.545;
    // the GAN at this test's earlier settings, 30 epochs at a constant learning rate on 20k events,
    // 0.615). The bounds allow kernel-rounding drift.
    expect(flow.auc).toBeLessThan(0.53);
    expect(gan.auc - flow.auc).toBeLessThan(0.05);
    // Tight working points, background only: a template that under-populates a region of the SR data
    // gives a false excess there. Measured N_obs/N_exp: ε_B = 1e-2 flow 133/145.8 (Z −1.0), GAN 202/146.5
    // (Z 4.1); ε_B = 1e-3 flow 16/17.0 (Z −0.2), GAN 25/17.3 (Z 1.7), Z = (N_obs − N_exp)/√(N_exp + σ_b²).
    // The GAN at the earlier settings gave 508/144.8 (Z 27) and 93/15.3 (Z 18); with 30 instead of 60
    // epochs 245/170.8 (Z 5.1, failing). The GAN's template still leaves an excess at ε_B = 1e-2 in this
    // window (a known shortfall); the `default` flow's no longer does.
    for (const r of gan.wp) {
      const z = (r.nObs - r.nExp) / Math.sqrt(r.nExp + r.sigmaB ** 2);
      expect(z, `GAN, ε_B ${r.epsilonB}: N_obs ${r.nObs}, N_exp ${r.nExp.toFixed(1)}`).toBeLessThan(5);
      expect(r.nObs / r.nExp).toBeLessThan(2);
    }
    // Two generators at their full defaults plus two cross-fits: ≈ 60–80 s alone, more beside other
    // training tests on two cores.
  }, 400_000);
});

describe('template quality of the flow stage', () => {
  it('reports the validation events left out for a non-finite log p, per flow and epoch, only when there were some', async () => {
    const { SIDEBAND_DENSITY_STAGE } = await import('../../lib/methods/cathode.js');
    const history = (validationLoss: number[], nonFiniteValidation?: number[]) => ({ history: { validationLoss, ...(nonFiniteValidation ? { nonFiniteValidation } : {}) } });
    const stored = (flows: unknown[]) => ({ value: { flow: { kind: 'conditional-maf-ensemble', flows } }, arrays: {} });
    const clean = SIDEBAND_DENSITY_STAGE.quality!(stored([history([5.41, 5.40])]));
    expect(clean.validationLogLikelihood).toEqual([[-5.41, -5.40]]);
    expect(clean).not.toHaveProperty('validationNonFinite');
    const one = SIDEBAND_DENSITY_STAGE.quality!(stored([history([5.41, 5.40]), history([5.43, 5.42], [1, 0])]));
    expect(one.validationNonFinite).toEqual([[0, 0], [1, 0]]);
  });

  it("repeats the worker's warning in the scan's log: per flow, the validation events left out", async () => {
    const { SIDEBAND_DENSITY_STAGE } = await import('../../lib/methods/cathode.js');
    const events = deriveFeatures(generateLhcoLike({ background: 20_000, signal: 0, seed: 5 }));
    const window = (await loadWindows()).windows.find((w) => w.id === 5)!;
    const features = featureNames('baseline');
    const warnings: string[] = [];
    const reporter = { progress: () => ({ tick() {}, done() {} }), log: (level: string, msg: string) => { if (level === 'warn') warnings.push(msg); } };
    // The pool answers with a trained-flow result as the worker would: only the ensemble's histories matter here.
    const result = (nonFinite: (number[] | undefined)[]) => ({
      rows: 1, cols: features.length, samples: new Float64Array(features.length),
      flow: { kind: 'conditional-maf-ensemble', flows: nonFinite.map((n) => ({ history: { validationLoss: [5.4, 5.3], ...(n ? { nonFiniteValidation: n } : {}) } })) },
    });
    const run = async (nonFinite: (number[] | undefined)[]) => {
      warnings.length = 0;
      const pool = { run: async () => result(nonFinite) };
      await SIDEBAND_DENSITY_STAGE.run({
        events, window, sampleRole: 'control', seed: 1, reporter, pool,
        settings: { features, shortSidebandWidth: 0.2, dataDrivenDeltaSys: false, cathode: { flow: { preset: 'default' }, flows: 2, oversampling: 1, bandwidth: 0.01 } },
        sample: () => events, dependency: () => { throw new Error('no dependency'); },
      } as never);
      return [...warnings];
    };
    expect(await run([undefined, undefined])).toEqual([]);
    const w = await run([undefined, [2, 1]]);
    expect(w).toHaveLength(1);
    expect(w[0]).toContain('window 5, control sample');
    expect(w[0]).toContain('0 / 3 validation events');
    // Training events left out of a batch norm's statistics (lib/ml/flows/maf.ts) are named the same way.
    warnings.length = 0;
    const pool = { run: async () => ({ ...result([undefined]), flow: { kind: 'conditional-maf-ensemble', flows: [{ history: { validationLoss: [5.4], batchNormOutliers: [1, 0] } }] } }) };
    await SIDEBAND_DENSITY_STAGE.run({
      events, window, sampleRole: 'data', seed: 1, reporter, pool,
      settings: { features, shortSidebandWidth: 0.2, dataDrivenDeltaSys: false, cathode: { flow: { preset: 'default' }, flows: 1, oversampling: 1, bandwidth: 0.01 } },
      sample: () => events, dependency: () => { throw new Error('no dependency'); },
    } as never);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain('window 5, data sample: up to 1 training events');
  });
});
