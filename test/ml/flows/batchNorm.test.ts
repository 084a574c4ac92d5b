/**
 * Issue 21, item 2: the batch-norm statistics a flow evaluates, selects epochs and samples with are
 * those of the full training set (the CATHODE reference sets them after each epoch by one pass over
 * the training set in training mode with momentum 0), not running averages of the last batches.
 */
import { describe, expect, it } from 'vitest';
import { fitConditionalFlow, loadFlow, preprocess, MafLayout, type FlowDocument } from '../../../lib/ml/flows/index.js';
import { MafWorkspace, mafForward, initBatchNormStats } from '../../../lib/ml/flows/maf.js';
import { conditionalGaussianToy } from '../../helpers/flowToys.js';
import { createRng } from '../../../lib/util/rng.js';

describe('full-training-set batch-norm statistics', () => {
  it.each([['affine'], ['rq-spline']] as const)('%s: every kept epoch stores the batch statistics of the whole training set, block by block', async (transform) => {
    const train = conditionalGaussianToy(3000, createRng(1));
    const val = conditionalGaussianToy(500, createRng(2));
    // An explicit validation set: every event of `train` is a training event.
    const flow = await fitConditionalFlow(train.x, train.m, { seed: 3, blocks: 3, hidden: 16, epochs: 3, keepBestEpochs: 2, transform, xVal: val.x, mVal: val.m });
    expect(flow.options.batchNormStatistics).toBe('training-set');
    const layout = new MafLayout(flow.shape);
    const tr = preprocess(flow.preprocessing, train.x, train.m);
    const n = tr.kept.length;
    for (const member of flow.members) {
      // Reference: the whole training set as one batch in training mode with momentum 1, which
      // leaves exactly that batch's statistics (each block normalised by its own) in the stats array.
      const ref = initBatchNormStats(layout);
      mafForward(layout, member.params, ref, { eps: flow.options.batchNormEps, momentum: 1 }, new MafWorkspace(layout, n), tr.y, tr.c, n, true);
      let worst = 0;
      for (let i = 0; i < ref.length; i++) worst = Math.max(worst, Math.abs(ref[i] - member.bnStats[i]) / Math.max(1e-3, Math.abs(ref[i])));
      expect(worst).toBeLessThan(1e-4);
      // And they are not the running averages' starting values.
      expect(Array.from(member.bnStats).some((v, i) => Math.abs(v - initBatchNormStats(layout)[i]) > 1e-3)).toBe(true);
    }
  });

  it('documents record the statistics: v3 round-trips "training-set", v2 documents read as "running"', async () => {
    const train = conditionalGaussianToy(2000, createRng(4));
    const flow = await fitConditionalFlow(train.x, train.m, { seed: 5, blocks: 2, hidden: 8, epochs: 1 });
    const doc = JSON.parse(JSON.stringify(flow.toJSON())) as FlowDocument;
    expect(doc.version).toBe(3);
    expect(doc.options.batchNormStatistics).toBe('training-set');
    expect(loadFlow(doc).options.batchNormStatistics).toBe('training-set');
    const { batchNormStatistics: _, ...v2options } = doc.options;
    const v2 = { ...doc, version: 2, options: v2options, shape: { ...doc.shape, affineMaxLogScale: undefined } };
    expect(loadFlow(JSON.parse(JSON.stringify(v2))).options.batchNormStatistics).toBe('running');
    expect(new MafLayout(loadFlow(JSON.parse(JSON.stringify(v2))).shape).maxLogScale).toBe(Infinity);
  });
});

