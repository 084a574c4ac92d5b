/**
 * The CATHODE closure criterion used by the flow-quality tests: cross-fit gradient-boosted trees on
 * flow samples (label 0) vs held-out real events (label 1) and return the out-of-fold ROC AUC; 0.5
 * means the classifier cannot tell them apart.
 */
import { crossFit } from '../../lib/ml/crossFit.js';
import { rocAucTwoSample } from '../../lib/ml/auc.js';
import type { Matrix } from '../../lib/ml/matrix.js';
import '../../lib/ml/trees/hgb.js';

export async function samplesVsDataAuc(samples: Matrix, held: Matrix, seed = 4): Promise<number> {
  const r = await crossFit({ kind: 'hgb', options: {} }, held, samples, { k: 2, seed });
  return rocAucTwoSample(r.dataScores, r.templateScores);
}
