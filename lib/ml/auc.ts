import { ShapeError, InputError } from '../util/errors.js';

/**
 * Area under the ROC curve as the Mann–Whitney statistic: the probability that a random
 * positive outscores a random negative, ties counting one half. Optional per-event weights
 * (the weighted generalisation: Σ w_i w_j [s_i > s_j] + ½ Σ w_i w_j [s_i = s_j] over Σw⁺ Σw⁻).
 * O(n log n) via one sort; tied scores handled exactly by grouping equal values.
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>, weights?: ArrayLike<number>): number {
  const n = scores.length;
  if (labels.length !== n) throw new ShapeError(`rocAuc: labels has ${labels.length} entries, scores has ${n}`);
  if (weights && weights.length !== n) throw new ShapeError(`rocAuc: weights has ${weights.length} entries, scores has ${n}`);
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    if (Number.isNaN(scores[i])) throw new InputError(`rocAuc: score at index ${i} is NaN`);
    order[i] = i;
  }
  order.sort((a, b) => scores[a] - scores[b]);
  // Walk groups of equal score from low to high: each positive beats all lower negatives
  // and ties half of the equal ones.
  let negBelow = 0, wPos = 0, wNeg = 0, area = 0;
  for (let g = 0; g < n; ) {
    const s = scores[order[g]];
    let gPos = 0, gNeg = 0, e = g;
    for (; e < n && scores[order[e]] === s; e++) {
      const i = order[e];
      const w = weights ? weights[i] : 1;
      if (labels[i] === 1) gPos += w;
      else if (labels[i] === 0) gNeg += w;
      else throw new InputError(`rocAuc: label at index ${i} is ${labels[i]}, expected 0 or 1`);
    }
    area += gPos * (negBelow + 0.5 * gNeg);
    negBelow += gNeg;
    wPos += gPos;
    wNeg += gNeg;
    g = e;
  }
  if (wPos === 0 || wNeg === 0) throw new InputError(`rocAuc: need both classes (positive weight ${wPos}, negative weight ${wNeg})`);
  return area / (wPos * wNeg);
}

/** AUC of two score sets: `positive` (label 1) against `negative` (label 0). */
export function rocAucTwoSample(positive: ArrayLike<number>, negative: ArrayLike<number>): number {
  const s = new Float64Array(positive.length + negative.length);
  const y = new Uint8Array(s.length);
  for (let i = 0; i < positive.length; i++) { s[i] = positive[i]; y[i] = 1; }
  for (let i = 0; i < negative.length; i++) s[positive.length + i] = negative[i];
  return rocAuc(s, y);
}
